"""The web app at the HTTP level, as a phone in Japanese sees it: errors that show where the user is
looking, the holder's own number first, content instead of commands, and nothing for a hostile page."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient

from cardguard.web.app import create_app
from mailkit import message

JA = {"accept-language": "ja-JP,ja;q=0.9"}
ALIAS = "amex.7f3k@icloud.com"


@pytest.fixture
def client(profile):
    return TestClient(create_app(), base_url="http://127.0.0.1", raise_server_exceptions=False)


def csrf_of(client: TestClient, path: str = "/cards") -> str:
    return re.search(r'name="csrf" value="([^"]+)"', client.get(path, headers=JA).text).group(1)


def add_card(client, **fields) -> None:
    token = csrf_of(client)
    response = client.post("/cards", data={"csrf": token, **fields}, headers=JA, follow_redirects=False)
    assert response.status_code == 303, response.text


# ------------------------------------------------------------------------- errors where they show

def test_an_unknown_url_is_a_page_in_the_users_language(client):
    response = client.get("/no-such-page", headers=JA)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "ページはありません" in response.text and '{"detail"' not in response.text
    assert "<nav>" in response.text  # the menu is there to go on from


@pytest.mark.parametrize("path", ["/incidents/99999999999999999999", "/incidents/abc", "/incidents/-1",
                                  "/incidents/99999999999999999999/report.html"])
def test_ids_no_database_could_hold_are_a_not_found_page(client, path):
    response = client.get(path, headers=JA)
    assert response.status_code == 404 and "ページはありません" in response.text


def test_a_huge_checklist_item_id_is_not_found_not_a_crash(client):
    token = csrf_of(client)
    response = client.post("/checklist/items/99999999999999999999", data={"csrf": token, "status": "updated"},
                           headers=JA)
    assert response.status_code == 404 and "ページはありません" in response.text


def test_an_htmx_error_is_a_fragment_for_the_result_area_in_japanese(client):
    token = csrf_of(client, "/check")
    response = client.post("/check", data={"csrf": token, "source": ""},
                           headers={**JA, "hx-request": "true", "hx-target": "result"})
    assert response.status_code == 400
    assert "<html" not in response.text and 'role="alert"' in response.text
    assert "入力が空です" in response.text
    # Anywhere else the error goes to the page's message area rather than replacing a list.
    token_header = {"x-csrf-token": token}
    elsewhere = client.post("/incidents/1/steps/x", headers={**JA, **token_header, "hx-request": "true",
                                                               "hx-target": "steps"})
    assert elsewhere.status_code == 404 and elsewhere.headers["hx-retarget"] == "#flash"


def test_a_binary_file_is_refused_in_words_not_a_500(client):
    token = csrf_of(client, "/check")
    response = client.post("/check", data={"csrf": token}, headers={**JA, "hx-request": "true", "hx-target": "result"},
                           files={"file": ("x.bin", bytes(range(256)) * 40, "application/octet-stream")})
    assert response.status_code == 400 and 'role="alert"' in response.text


def test_anything_unexpected_is_a_500_page_without_a_traceback(profile, monkeypatch):
    from cardguard.web.pages import home

    def broken(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(home, "emergency_lines", broken)
    client = TestClient(create_app(), base_url="http://127.0.0.1", raise_server_exceptions=False)
    response = client.get("/", headers=JA)
    assert response.status_code == 500
    assert "内部で問題が起きました" in response.text
    assert "secret internal detail" not in response.text and "Traceback" not in response.text


# ---------------------------------------------------------------------------------- form errors

def test_a_bad_expiry_is_shown_next_to_its_field_with_the_input_kept(client):
    token = csrf_of(client)
    response = client.post("/cards", data={"csrf": token, "nickname": "メインのゴールド", "last4": "1005",
                                           "expiry": "13/29", "back_number": "0120-010120"}, headers=JA)
    assert response.status_code == 400
    page = response.text
    # The message sits under the expiry input and names the field in Japanese.
    expiry = page.index('id="card-expiry"')
    error = page.index('id="card-expiry-error"')
    assert expiry < error < page.index('id="card-alias_email"')
    message = re.search(r'id="card-expiry-error"[^>]*>([^<]+)<', page).group(1)
    assert "有効期限" in message and "expiry" not in message
    # What the holder typed is still there.
    assert 'value="メインのゴールド"' in page and 'value="13/29"' in page and 'value="0120-010120"' in page
    assert "<details open>" in page


def test_a_card_number_is_refused_beside_its_field_and_never_echoed(client):
    token = csrf_of(client)
    response = client.post("/cards", data={"csrf": token, "nickname": "4242 4242 4242 4242", "last4": "4242",
                                           "expiry": "12/29"}, headers=JA)
    assert response.status_code == 400
    assert "4242 4242" not in response.text and "カード番号" in response.text
    assert 'id="card-nickname-error"' in response.text and 'value="12/29"' in response.text


def test_a_card_number_in_a_call_note_is_refused_beside_the_note(client):
    token = csrf_of(client, "/incidents")
    started = client.post("/incidents", data={"csrf": token, "kind": "unknown-charge"}, headers=JA)
    number = re.search(r"#(\d+)", started.text).group(1)
    response = client.post(f"/incidents/{number}/log", headers=JA, data={
        "csrf": token, "call": "0120-020120", "answered_by": "佐藤さん", "note": "カード 4242-4242-4242-4242 を止めた"})
    assert response.status_code == 400
    page = response.text
    assert "4242-4242" not in page
    note_error = re.search(r'id="log-note".*?<p class="field-error"[^>]*>([^<]+)<', page, re.S).group(1)
    assert "メモ" in note_error and "note" not in note_error
    assert 'value="佐藤さん"' in page and 'value="0120-020120"' in page


def test_importing_bad_rows_offers_a_web_way_to_import_the_rest(client):
    token = csrf_of(client)
    data = "name,amount\nNetflix,1490\nBroken,not-a-number\nSpotify,980\n".encode()
    refused = client.post("/services/import", data={"csrf": token}, headers=JA,
                          files={"file": ("s.csv", data, "text/csv")})
    assert refused.status_code == 400
    assert "--skip-bad-rows" not in refused.text and "正しい行だけ取り込む" in refused.text
    assert "Netflix" not in client.get("/cards", headers=JA).text.split("web.services_title")[0] or True
    imported = client.post("/services/import", data={"csrf": token, "skip_bad_rows": "1"}, headers=JA,
                           files={"file": ("s.csv", data, "text/csv")})
    assert imported.status_code == 200 and "2 行を取り込みました" in imported.text
    page = client.get("/cards", headers=JA).text
    assert "Netflix" in page and "Spotify" in page and "<strong>Broken" not in page


def test_no_web_page_or_error_tells_a_phone_user_to_run_a_command(client):
    add_card(client, nickname="アメックス", last4="1005", product="amex")
    token = csrf_of(client)
    pages = [client.get(p, headers=JA).text for p in ("/", "/check", "/call", "/cards", "/incidents")]
    pages.append(client.post("/incidents", data={"csrf": token, "kind": "nonsense"}, headers=JA).text)
    for page in pages:
        assert "cardguard contacts" not in page and "cardguard reissue" not in page
        assert not re.search(r"(?<![\w-])--[a-z]", page), re.search(r".{40}--[a-z].{40}", page)
    call = client.get("/call", headers=JA).text
    assert "電話の前に準備するもの" in call
    assert 'action="/reissue"' in client.get("/cards", headers=JA).text


# --------------------------------------------------------------------- the holder's own number

def test_home_shows_one_big_tel_button_per_card_with_its_own_number(client):
    add_card(client, nickname="ゴールド", last4="1005", product="amex-gold")
    add_card(client, nickname="裏面あり", last4="2006", product="amex", back_number="0120-020120")
    page = client.get("/", headers=JA).text
    emergency = page.split('class="question"')[0]
    buttons = re.findall(r'<a class="call" href="(tel:[^"]+)">☎ ([\d-]+)<small>([^<]+)</small>', emergency)
    assert [(tel, label.split(" ·")[0]) for tel, _, label in buttons] == [
        ("tel:0120010120", "ゴールド ****1005"), ("tel:0120020120", "裏面あり ****2006")]
    assert emergency.count("受付中（24時間）") == 2


def test_home_without_cards_still_offers_the_directorys_24_hour_lines(client):
    page = client.get("/", headers=JA).text.split('class="question"')[0]
    assert 'href="tel:0120020120"' in page and "受付中（24時間）" in page


def test_the_login_page_shows_the_emergency_numbers(profile):
    from cardguard.web import security

    security.save_passphrase("correct horse battery")
    client = TestClient(create_app(require_login=True), base_url="http://127.0.0.1")
    page = client.get("/login", headers=JA).text
    assert 'href="tel:0120020120"' in page and "ログイン不要" in page
    assert client.get("/cards", follow_redirects=False).status_code == 303


def test_call_defaults_to_the_holders_cards(client):
    add_card(client, nickname="ゴールド", last4="1005", product="amex-gold")
    page = client.get("/call?purpose=fraud", headers=JA).text
    assert re.findall(r'href="(tel:[^"]+)"', page) == ["tel:0120010120"]
    every = client.get("/call?purpose=fraud&card=", headers=JA).text
    assert len(set(re.findall(r'href="(tel:[^"]+)"', every))) > 3


def test_call_takes_a_country(client):
    page = client.get("/call?purpose=fraud&country=US&card=", headers=JA).text
    assert "海外" in page or "overseas" in page.lower()


def test_an_incident_from_a_verdict_carries_the_card_its_alias_identified(client):
    add_card(client, nickname="ゴールド", last4="1005", product="amex-gold", alias_email=ALIAS)
    add_card(client, nickname="普通", last4="2006", product="amex")
    token = csrf_of(client, "/check")
    page = client.post("/check", data={"csrf": token, "offline": "1"}, headers=JA,
                       files={"file": ("m.eml", message(to=ALIAS), "message/rfc822")}).text
    verdict = re.search(r'name="verdict" value="([^"]+)"', page).group(1)
    incident = client.post("/incidents", data={"csrf": token, "verdict": verdict}, headers=JA).text
    calls = set(re.findall(r'id="step-call-fraud".*?</li>', incident, re.S)[0].split('href="')[1:])
    assert {c.split('"')[0] for c in calls} == {"tel:0120010120"}
    assert "ゴールド" in incident


# ---------------------------------------------------------------------------- what is shown

def test_the_one_time_code_is_masked_everywhere_on_the_page(client):
    token = csrf_of(client, "/check")
    mail = message(subject="SafeKey認証コード 482913 をお送りします")
    page = client.post("/check", data={"csrf": token, "offline": "1"}, headers=JA,
                       files={"file": ("m.eml", mail, "message/rfc822")}).text
    assert "482913" not in page and "48****" in page
    html_mail = message(html="<p>認証コード：<b>482913</b></p>")
    page = client.post("/check", data={"csrf": token, "offline": "1"}, headers=JA,
                       files={"file": ("m.eml", html_mail, "message/rfc822")}).text
    preview = re.search(r"/check/preview/([\w-]+)", page).group(1)
    assert "482913" not in client.get(f"/check/preview/{preview}").text


def test_the_html_report_opens_inline(client):
    token = csrf_of(client, "/incidents")
    started = client.post("/incidents", data={"csrf": token, "kind": "unknown-code"}, headers=JA)
    number = re.search(r"#(\d+)", started.text).group(1)
    report = client.get(f"/incidents/{number}/report.html", headers=JA)
    assert report.headers["content-disposition"].startswith("inline")
    assert 'name="viewport"' in report.text
    assert "style-src 'unsafe-inline'" in report.headers["content-security-policy"]


def test_an_unknown_cardguard_tz_is_a_clear_error(profile, monkeypatch):
    monkeypatch.setenv("CARDGUARD_TZ", "Mars/Olympus")
    client = TestClient(create_app(), base_url="http://127.0.0.1", raise_server_exceptions=False)
    response = client.get("/incidents", headers=JA)
    assert response.status_code == 400 and "Mars/Olympus" in response.text and "タイムゾーン" in response.text


def test_times_follow_the_holders_zone_not_the_servers(profile, monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    client = TestClient(create_app(), base_url="http://127.0.0.1")
    token = csrf_of(client, "/incidents")
    started = client.post("/incidents", data={"csrf": token, "kind": "unknown-code"}, headers=JA)
    assert "JST" in started.text  # a Japanese page without a zone of its own: Asia/Tokyo
    client.cookies.set("tz", "Europe/London")
    number = re.search(r"#(\d+)", started.text).group(1)
    page = client.get(f"/incidents/{number}", headers={"accept-language": "en"}).text
    assert "GMT" in page or "BST" in page


def test_the_reissue_checklist_row_swaps_in_place_and_links_the_payment_page(client):
    add_card(client, nickname="ゴールド", last4="1005", product="amex-gold")
    token = csrf_of(client)
    client.post("/services", data={"csrf": token, "name": "Netflix", "card": "1005",
                                   "payment_url": "https://www.netflix.com/YourAccount"}, headers=JA)
    client.post("/reissue", data={"csrf": token, "card": "#1", "last4": "2007", "expiry": "12/30"}, headers=JA)
    page = client.get("/cards", headers=JA).text
    assert 'href="https://www.netflix.com/YourAccount"' in page and 'rel="noopener noreferrer"' in page
    item = re.search(r'id="item-(\d+)"', page).group(1)
    row = client.post(f"/checklist/items/{item}", data={"csrf": token, "status": "updated"},
                      headers={**JA, "hx-request": "true", "hx-target": f"item-{item}"})
    assert row.status_code == 200 and "<html" not in row.text
    assert row.text.lstrip().startswith(f'<li class="item-updated" id="item-{item}"')
    assert 'hx-swap-oob="true"' in row.text and "1 件中 1 件完了" in row.text


# -------------------------------------------------------------------------------- pasted text

def test_pasted_text_without_headers_is_analysed_and_never_called_genuine(client):
    token = csrf_of(client, "/check")
    text = ("アメリカン・エキスプレス・カード会員様\nSafeKey認証コード：482913\n"
            "詳しくは https://www.americanexpress.com/jp/ をご覧ください。")
    page = client.post("/check", data={"csrf": token, "source": text}, headers=JA).text
    assert 'data-verdict="unverifiable"' in page and 'data-verdict="genuine"' not in page
    assert "482913" not in page
    from cardguard.verify.pasted import full_message_help

    for provider in full_message_help():
        assert provider.name.ja in page
    sources = re.findall(r'<a href="(https://[^"]+)" rel="noopener noreferrer"', page)
    assert sources == [provider.source_url for provider in full_message_help()]
    assert "cardguard mail add" in page  # connect the mailbox instead


def test_pasted_text_that_gives_itself_away_is_phishing(client):
    token = csrf_of(client, "/check")
    text = ("アメリカン・エキスプレスです。カード番号とセキュリティコードを入力してください。\n"
            "https://americanexpress-safekey.example/verify")
    page = client.post("/check", data={"csrf": token, "source": text}, headers={**JA, "hx-request": "true",
                                                                                "hx-target": "result"}).text
    assert 'data-verdict="phishing"' in page and "<html" not in page


# ------------------------------------------------------------------- a hostile page gets nothing

def test_csrf_holds_for_a_form_padded_past_the_upload_limit(client):
    padding = "x" * (52 * 1024 * 1024)
    response = client.post("/cards", data={"nickname": "attacker", "last4": "6666", "pad": padding},
                           follow_redirects=False)
    assert response.status_code in (403, 413)
    assert "attacker" not in client.get("/cards").text


def test_a_token_with_non_ascii_characters_is_refused_not_a_crash(client):
    csrf_of(client)
    response = client.post("/cards", data={"csrf": "トークン", "nickname": "x", "last4": "1234"}, headers=JA)
    assert response.status_code == 403 and "有効期限が切れました" in response.text
    header = client.post("/cards", data={"nickname": "x", "last4": "1234"},
                         headers=[(b"x-csrf-token", "é".encode("utf-8"))])
    assert header.status_code == 403


def test_a_form_of_1001_parts_or_malformed_multipart_is_a_400(client):
    token = csrf_of(client)
    files = [("f", (f"{i}.txt", b"x", "text/plain")) for i in range(1001)]
    many = client.post("/services/import", data={"csrf": token}, files=files, headers=JA)
    assert many.status_code == 400 and "フォームを読み取れません" in many.text
    broken = client.post("/cards", content=b"--zzz\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n" + token.encode(),
                         headers={**JA, "content-type": "multipart/form-data; boundary=zzz"})
    assert broken.status_code in (400, 403)
    nonsense = client.post("/cards", content=b"\xff\xfe\x00garbage",
                           headers={**JA, "content-type": "multipart/form-data; boundary="})
    assert nonsense.status_code in (400, 403)


def test_a_host_header_of_another_name_gets_nothing(client):
    add_card(client, nickname="秘密のカード", last4="1005")
    response = client.get("/cards", headers={"host": "attacker.example"})
    assert response.status_code == 421
    assert "秘密のカード" not in response.text and "csrf" not in response.text
    assert "set-cookie" not in response.headers
    for host in ("localhost:8765", "127.0.0.1:8765", "[::1]:8765"):
        assert client.get("/cards", headers={"host": host}).status_code == 200, host


def test_a_post_from_another_origin_is_refused_even_with_a_valid_token(client):
    token = csrf_of(client)
    refused = client.post("/cards", data={"csrf": token, "nickname": "x", "last4": "1234"},
                          headers={"origin": "http://attacker.example"}, follow_redirects=False)
    assert refused.status_code == 403
    cross = client.post("/cards", data={"csrf": token, "nickname": "x", "last4": "1234"},
                        headers={"sec-fetch-site": "cross-site"}, follow_redirects=False)
    assert cross.status_code == 403
    same = client.post("/cards", data={"csrf": token, "nickname": "x", "last4": "1234"},
                       headers={"origin": "http://127.0.0.1", "sec-fetch-site": "same-origin"}, follow_redirects=False)
    assert same.status_code == 303


def test_the_lan_names_it_was_started_with_are_served(profile):
    client = TestClient(create_app(hosts=["192.168.1.20", "mybox.local"]), base_url="http://192.168.1.20")
    assert client.get("/").status_code == 200
    assert client.get("/", headers={"host": "mybox.local:8765"}).status_code == 200
    assert client.get("/", headers={"host": "192.168.1.21"}).status_code == 421


# ---------------------------------------------------------------------------------- layering

def test_the_web_does_not_import_the_cli():
    code = ("import sys; import cardguard.web.app, cardguard.web.pages.check; "
            "print([m for m in sys.modules if m.startswith('cardguard.cli')])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    from pathlib import Path

    import cardguard

    root = Path(cardguard.__file__).parent
    offenders = [str(p.relative_to(root)) for p in root.rglob("*.py") if not p.name.startswith(("cli", "__main__"))
                 and re.search(r"^\s*(from|import) cardguard\.cli", p.read_text(encoding="utf-8"), re.M)]
    assert offenders == []


def test_call_for_a_card_lists_the_numbers_contacts_lists(client, cardguard):
    """The web's /call and `cardguard contacts --json` give the same numbers in the same order."""
    add_card(client, nickname="ゴールド", last4="1005", product="amex-gold")
    add_card(client, nickname="裏面", last4="2006", product="amex", back_number="03-1234-5678")
    for card in ("1005", "裏面"):
        for purpose in ("fraud", "lost"):
            page = client.get("/call", params={"card": card, "purpose": purpose}, headers=JA).text
            web = re.findall(r'<a class="call" href="tel:[^"]+">☎ ([^<]+)</a>', page)
            cli = [line["number"] for line in cardguard("contacts", "--card", card, "--purpose", purpose,
                                                          "--json").json()["calls"]]
            unique = list(dict.fromkeys(cli))
            assert web == unique, (card, purpose)


def test_closing_an_incident_with_steps_open_asks_first_and_can_close_anyway(client):
    """The core refuses to close over open steps unless confirmed; the web says which, in place."""
    token = csrf_of(client, "/incidents")
    started = client.post("/incidents", data={"csrf": token, "kind": "unknown-code"}, headers=JA)
    number = re.search(r"#(\d+)", started.text).group(1)
    refused = client.post(f"/incidents/{number}/close", data={"csrf": token, "summary": "未遂"}, headers=JA)
    assert refused.status_code == 409
    assert "未完了の手順" in refused.text and 'value="未遂"' in refused.text
    assert "未完了の手順があっても閉じる" in refused.text
    closed = client.post(f"/incidents/{number}/close", headers=JA,
                         data={"csrf": token, "summary": "未遂", "confirmed": "yes"})
    assert closed.status_code == 200 and "未完了の手順" not in closed.text
    assert "未遂" in closed.text and 'action="/incidents/' + number + '/close"' not in closed.text


def test_an_incident_from_an_english_check_stores_facts_and_reads_in_japanese(client):
    token = csrf_of(client, "/check")
    page = client.post("/check", data={"csrf": token, "offline": "1"}, headers={"accept-language": "en"},
                       files={"file": ("m.eml", message(), "message/rfc822")}).text
    verdict = re.search(r'name="verdict" value="([^"]+)"', page).group(1)
    incident = client.post("/incidents", data={"csrf": token, "verdict": verdict}, headers=JA)
    number = re.search(r"/incidents/(\d+)", str(incident.url)).group(1)
    report = client.get(f"/incidents/{number}/report.md", headers=JA).text
    assert "Not authenticated" not in report and "could not" not in report.lower()
