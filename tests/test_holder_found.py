"""What a new holder found on a fresh profile (besides services): where the old number is still
stored after a reissue, English inside Japanese output, the web dropping the CLI's warnings, and an
incident that judged a mail otherwise than the check that led to it."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cardguard.directory.countries import countries
from mailkit import message

JA = {"accept-language": "ja-JP,ja;q=0.9"}
ENGLISH_WORDS = re.compile(r"\b(the|and|points|lapse|statement|password|call|card|such|file|directory)\b",
                           re.IGNORECASE)


def ja(cardguard, *args, **kwargs):
    return cardguard(*args, "--lang", "ja", **kwargs)


@pytest.fixture
def with_card(cardguard):
    assert cardguard("cards", "add", "--nickname", "メインのアメックス", "--product", "amex", "--last4", "1005",
                     "--alias", "amex.7f3k@icloud.com").code == 0
    return cardguard


# ------------------------------------------------------------------ B: where the old number is stored

def test_review_and_checklist_list_every_service_still_on_a_replaced_or_closed_card(with_card):
    cg = with_card
    assert cg("services", "add", "Netflix", "--card", "1005", "--next-charge", "2026-12-05").code == 0
    assert cg("reissue", "メインのアメックス", "--last4", "2008").code == 0
    # Recorded on the old card after the reissue (a spreadsheet naming the old number, say).
    assert cg("services", "add", "Amazonプライム", "--card", "1005", "--next-charge", "2027-03-01",
              "--url", "https://www.amazon.co.jp/").code == 0

    review = ja(cg, "cards", "review")
    assert review.code == 0
    assert "古い番号が残っています" in review.out
    assert re.search(r"Netflix\s+\*\*\*\*1005 \(再発行済み\)", review.out)
    assert re.search(r"Amazonプライム\s+\*\*\*\*1005 \(再発行済み\)\s+次回請求 2027-03-01", review.out)
    old = ja(cg, "cards", "review", "--json").json()["still_on_old_cards"]
    assert sorted(s["name"] for s in old) == ["Amazonプライム", "Netflix"]

    status = ja(cg, "reissue", "status")
    assert re.search(r"☐ \[\d+\] Amazonプライム — 未対応", status.out)
    assert "支払い設定ページを開く：https://www.amazon.co.jp/" in status.out

    # Closing the new card: its closing checklist (the latest) still says where the old number is.
    closed = ja(cg, "cards", "close", "2008", "--yes")
    assert closed.code == 0
    for shown in (closed.out, ja(cg, "reissue", "status").out):
        assert "古い番号が残っています" in shown and "Amazonプライム" in shown and "Netflix" in shown
    assert "古い番号が残っています" in ja(cg, "cards", "review").out


def test_the_closing_checklist_is_in_the_readers_language(with_card):
    for lang in ("ja", "en"):
        if lang == "en":
            assert with_card("cards", "reopen", "1005").code == 0
        closed = with_card("cards", "close", "1005", "--yes", "--lang", lang)
        assert closed.code == 0
        items = [line for line in closed.out.splitlines() if line.lstrip().startswith("☐")]
        assert len(items) == 8
        if lang == "ja":
            assert "メンバーシップ・リワード" in closed.out and not any(ENGLISH_WORDS.search(i) for i in items)
            status = with_card("reissue", "status", "--lang", "ja").out
            assert "Membership Rewards points lapse" not in status and "メンバーシップ・リワード" in status
        else:
            assert "Membership Rewards points lapse" in closed.out


# -------------------------------------------------------------------------- C: one language at a time

def test_the_country_is_named_in_the_readers_language(cardguard):
    assert "現在地：タイ。" in ja(cardguard, "contacts", "--card", "amex", "--country", "TH").out
    assert "You are in Thailand" in cardguard("contacts", "--card", "amex", "--country", "TH", "--lang", "en").out
    assert ja(cardguard, "contacts", "--card", "amex", "--country", "TH", "--json").json()["country_name"] == "タイ"
    # And a country is understood as the reader names it.
    assert ja(cardguard, "contacts", "--card", "amex", "--country", "タイ", "--json").json()["country"] == "TH"


def test_an_unknown_step_lists_the_steps_in_the_readers_language(cardguard):
    assert cardguard("incident", "start", "--kind", "phishing-opened").code == 0
    wrong = ja(cardguard, "incident", "step", "1", "foo")
    assert wrong.code != 0 and "foo" in wrong.err
    listed = wrong.err.splitlines()[1:]
    assert listed and all(not ENGLISH_WORDS.search(line.split(None, 1)[1]) for line in listed), listed
    english = cardguard("incident", "step", "1", "foo", "--lang", "en", "--json").json()["error"]["details"]
    assert any("password" in line for line in english)


def test_card_show_labels_the_alias_in_japanese(with_card):
    shown = ja(with_card, "cards", "show", "1").out
    assert "alias:" not in shown and "このカード会社専用のメールアドレス: amex.7f3k@icloud.com" in shown


def test_file_errors_give_the_reason_in_the_readers_language(cardguard, tmp_path):
    missing = ja(cardguard, "services", "import", str(tmp_path / "nonexistent.csv"))
    assert missing.code != 0 and "そのファイルやフォルダーはありません" in missing.err
    assert "No such file" not in missing.err
    folder = ja(cardguard, "services", "import", str(tmp_path))
    assert "ファイルではなくフォルダーです" in folder.err
    assert "is a folder" in cardguard("services", "import", str(tmp_path), "--lang", "en").err
    unwritable = ja(cardguard, "services", "export", "-o", str(tmp_path / "no" / "such" / "dir.csv"))
    assert unwritable.code != 0 and "No such file" not in unwritable.err


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\n\n", b"\r\n,,\r\nNetflix,1490\r\n"])
def test_a_file_without_a_header_row_says_so(cardguard, tmp_path, content):
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    run = ja(cardguard, "services", "import", str(path))
    assert run.code != 0 and "見つかった列：。" not in run.err
    assert "ファイルが空です" in run.err or "1行目に列名がありません" in run.err


def test_a_broken_csv_is_explained_in_japanese(cardguard, tmp_path):
    path = tmp_path / "broken.csv"
    path.write_text('サービス名,金額\n"Netflix,1490\n', "utf-8")
    run = ja(cardguard, "services", "import", str(path))
    assert run.code != 0 and "引用符" in run.err and "unexpected" not in run.err


@pytest.fixture
def client(profile):
    from cardguard.web.app import create_app

    return TestClient(create_app(), base_url="http://127.0.0.1", raise_server_exceptions=False)


def test_the_web_import_gives_web_advice_for_a_missing_name_column(client):
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/cards", headers=JA).text).group(1)
    refused = client.post("/services/import", data={"csrf": token}, headers=JA,
                          files={"file": ("s.csv", "料金,メモ\n1490,x\n".encode(), "text/csv")})
    assert refused.status_code == 400
    assert "サービス名の列が見つかりません" in refused.text and "--map" not in refused.text
    assert "もう一度選んでください" in refused.text


# ------------------------------------------------------------------ D: the web shows what the CLI says

def test_the_call_page_shows_every_caveat_the_core_gives(client, cardguard):
    answer = cardguard("contacts", "--card", "amex", "--country", "TH", "--purpose", "fraud", "--json",
                       "--lang", "ja").json()
    caveats = {c["message"] for call in answer["calls"] for c in call["caveats"]}
    assert any("海外からはかけられません" in c for c in caveats) and any("対象に含まれていません" in c for c in caveats)
    page = client.get("/call?card=amex&purpose=fraud&country=TH", headers=JA).text
    for caveat in caveats:
        assert f"⚠ {caveat}" in page


def test_the_call_page_offers_every_country_the_core_can_place_in_the_readers_language(client):
    page = client.get("/call", headers=JA).text
    offered = set(re.findall(r'<option value="([A-Z0-9]{2})"', page))
    assert offered == set(countries()) - {"JP"}
    assert '<option value="TH" >タイ</option>' in page or re.search(r'value="TH"[^>]*>タイ<', page)
    chosen = client.get("/call?country=TH", headers=JA).text
    assert re.search(r'value="TH" selected>タイ<', chosen)


def test_home_on_an_empty_profile_says_a_general_line_is_one(client):
    page = client.get("/", headers=JA).text
    for number in ("0120-941760", "0120-941780"):
        block = page[page.index(number):][:1500]
        assert "総合案内" in block.split("☎")[1] if block.count("☎") > 1 else "総合案内" in block


# ------------------------------------------------------------- E: the incident judges as the check did

def _genuine_code_mail(tmp_path: Path) -> Path:
    """The seed's SafeKey mail as iCloud received it and stamped it (offline, only that stamp can
    authenticate it); sent, by its Date header, a year before the check."""
    stamp = (b"Authentication-Results: mx.icloud.com; dkim=pass header.d=welcome.americanexpress.com; "
             b"spf=pass smtp.mailfrom=welcome.americanexpress.com; dmarc=pass header.from=welcome.americanexpress.com\r\n"
             b"Received: from mta.welcome.americanexpress.com (mta.welcome.americanexpress.com [192.0.2.25])\r\n"
             b" by mx.icloud.com with ESMTPS; Fri, 21 Nov 2025 23:27:40 +0900\r\n")
    path = tmp_path / "safekey mail.eml"
    path.write_bytes(stamp + message())
    return path


def test_the_checks_advice_carries_its_options_and_the_incident_agrees(cardguard, tmp_path):
    mail = _genuine_code_mail(tmp_path)
    options = ["--offline", "--trust-authserv", "mx.icloud.com"]
    checked = cardguard("check", str(mail), *options, "--json").json()
    assert checked["verdict"] == "genuine"
    command = checked["incident_command"]
    assert shlex.split(command)[:5] == ["cardguard", "incident", "start", "--from-mail", str(mail)]
    assert "--offline" in command and "--trust-authserv mx.icloud.com" in command
    text = ja(cardguard, "check", str(mail), *options).out
    assert command in text and "この確認と同じ条件で判定します" in text

    started = cardguard(*shlex.split(command)[1:], "--json")
    assert started.code == 0, started.err
    assert started.json()["verdict"]["verdict"] == "genuine"
    verdicts = [e for e in started.json()["timeline"] if e["kind"] == "verdict"]
    # The check ran now: its entry is not stamped with the mail's Date (2025-11-21).
    assert verdicts and not verdicts[0]["at_iso"].startswith("2025-11-2"), verdicts[0]["at_iso"]
    verify = next(step for step in started.json()["steps"] if step["id"] == "verify-mail")
    assert verify["status"] != "todo" and not str(verify.get("done_at") or "").startswith("2025-11-2")


def test_incident_from_mail_honours_the_trusted_receiver_in_config(cardguard, profile, tmp_path):
    (profile / "config" / "config.toml").write_text('[check]\ntrust_authserv = ["mx.icloud.com"]\n', "utf-8")
    mail = _genuine_code_mail(tmp_path)
    checked = cardguard("check", str(mail), "--offline", "--json").json()
    assert checked["verdict"] == "genuine"
    started = cardguard("incident", "start", "--from-mail", str(mail), "--offline", "--json").json()
    assert started["verdict"]["verdict"] == "genuine"


# ----------------------------------------------------------------------------------- F: smaller ones

def test_a_day_the_source_does_not_cover_is_not_also_called_closed(cardguard):
    at = "2025-12-30T10:00+09:00"
    (line,) = cardguard("contacts", "--card", "amex", "--purpose", "general", "--at", at, "--json",
                        "--lang", "ja").json()["calls"]
    assert line["not_covered_today"] is True
    assert "本日つながるかは不明" in line["status_text"] and "受付時間外" not in line["status_text"]
    assert "確実につながるのは2026年1月5日(月) 9:00から" in line["status_text"]
    (english,) = cardguard("contacts", "--card", "amex", "--purpose", "general", "--at", at, "--json",
                           "--lang", "en").json()["calls"]
    assert "CLOSED" not in english["status_text"] and "for certain" in english["status_text"]


APPLICATION_ITEM = "審査結果は電話では案内されません"
NOT_ARRIVED_ITEM = "申し込み後にカードが届かない場合"


def test_the_call_preparation_lists_only_the_items_for_the_purpose(client, cardguard):
    fraud = client.get("/call?card=amex&purpose=fraud", headers=JA).text
    assert APPLICATION_ITEM not in fraud and NOT_ARRIVED_ITEM not in fraud
    assert "カード裏面に記載された番号にかけましょう" in fraud
    assert NOT_ARRIVED_ITEM in client.get("/call?card=amex&purpose=not-arrived", headers=JA).text
    assert APPLICATION_ITEM in client.get("/call?card=amex&purpose=apply", headers=JA).text
    prepared = ja(cardguard, "contacts", "--prepare", "--purpose", "fraud").out
    assert APPLICATION_ITEM not in prepared and "カード裏面" in prepared
    assert APPLICATION_ITEM in ja(cardguard, "contacts", "--prepare").out  # no purpose: everything

    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/cards", headers=JA).text).group(1)
    client.post("/cards", data={"csrf": token, "nickname": "アメックス", "last4": "1005", "product": "amex"}, headers=JA)
    started = client.post("/incidents", data={"csrf": token, "kind": "phishing-opened", "card": "1005"}, headers=JA)
    assert started.status_code == 200 and "カード裏面に記載された番号にかけましょう" in started.text
    assert APPLICATION_ITEM not in started.text and NOT_ARRIVED_ITEM not in started.text


def test_the_cards_page_on_an_empty_profile_gives_web_actions_not_commands(client):
    page = client.get("/cards", headers=JA).text
    assert "下の欄から登録できます" in page and "cardguard cards" not in page
    english = re.sub(r"<[^>]+>", " ", client.get("/cards", headers={"accept-language": "en"}).text)
    assert "cardguard contacts" not in english and not re.search(r"(?<![\w-])--[a-z]", english)
