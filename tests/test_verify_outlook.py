"""Outlook .msg files: read, checked as fairly as the file allows, never a crash.

The files are written by libgsf (`gsf createole`), an OLE writer independent of cardguard's reader.
"""

from __future__ import annotations

import email
import email.policy
import re
from datetime import datetime, timezone

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cardguard.directory import load_directory
from cardguard.errors import UserError
from cardguard.verify import CheckOptions, check_message
from cardguard.verify.message import read_mail
from cardguard.web.app import create_app
from mailkit import Key, Zone, dns_server, message, sign
from msgkit import outlook_msg, saved_by_outlook

ALIAS = "amex.7f3k@icloud.com"
NIGHT = datetime(2025, 11, 21, 14, 30, tzinfo=timezone.utc)
PHISHING = message(sender="safekey@americanexpress-safekey.com", to="shop.9qz@icloud.com")
TRUSTED_RECEIVED = ("Received: from mta.welcome.americanexpress.com (mta.welcome.americanexpress.com [{ip}])\r\n"
                    " by mx.icloud.com (Postfix) with ESMTPS id 4Xy; Fri, 21 Nov 2025 23:28:01 +0900\r\n")


@pytest.fixture(scope="module")
def key():
    return Key(2048)


@pytest.fixture(scope="module")
def dns(key):
    zone = Zone()
    zone.add_txt("s1._domainkey.welcome.americanexpress.com", key.txt)
    zone.add_txt("_dmarc.americanexpress.com", "v=DMARC1; p=reject")
    zone.add_txt("americanexpress.com", "v=spf1 ip4:192.0.2.0/24 -all")
    with dns_server(zone) as address:
        yield address


@pytest.fixture(scope="module")
def directory():
    return load_directory(with_user_files=False)


def verify(raw: bytes, directory, address=None, **options):
    options.setdefault("aliases", [ALIAS])
    return check_message(raw, directory, CheckOptions(resolver=address, now=NIGHT, dns_timeout=5, **options))


def codes(verdict) -> set[str]:
    return {f.code for f in verdict.findings}


def test_phishing_saved_from_outlook_through_the_cli(cardguard, tmp_path):
    path = tmp_path / "SafeKey.msg"
    path.write_bytes(saved_by_outlook(PHISHING))
    run = cardguard("check", str(path), "--offline", "--json")
    assert run.code == 0, run.err
    doc = run.json()
    assert doc["verdict"] == "phishing"
    assert doc["from"]["domain"] == "americanexpress-safekey.com"
    assert doc["otp"]["detected"] and doc["otp"]["code"] == "48****"
    assert {f["code"] for f in doc["findings"]} >= {"message.outlook", "from.lookalike"}
    assert [link["registered_domain"] for link in doc["links"]] == ["americanexpress.com"]
    text = cardguard("check", str(path), "--offline", "--lang", "ja")
    assert "フィッシング" in text.out and "Outlook の .msg から読み取りました" in text.out
    # Nothing entered yet: what to do comes first; the fraud line is for whoever already entered something.
    assert text.out.index("今すべきこと") < text.out.index("リンクを開いた・何か入力した場合は今すぐ電話")


def test_a_genuine_mail_saved_by_outlook_is_not_called_forged(directory, key, dns):
    signed = sign(message(), key, "welcome.americanexpress.com")
    assert verify(signed, directory, dns).verdict == "genuine"  # the same mail as .eml
    verdict = verify(saved_by_outlook(signed), directory, dns)
    # Outlook re-stored the body: the signature cannot be re-checked, which is not a forgery.
    assert verdict.verdict == "suspicious"
    assert verdict.authentication.dkim == ()
    assert verdict.authentication.dmarc.result == "not_checked"
    assert {"message.outlook", "dmarc.unverifiable"} <= codes(verdict)
    assert "dmarc.fail" not in codes(verdict)
    assert "message.outlook" in verdict.decisive
    assert "content.otp_unverified" in codes(verdict)


def test_outlook_mail_authenticated_by_what_survives(directory, dns):
    unsigned = message()
    # SPF needs only the headers: the trusted receiver's Received line names the connecting server,
    # and the Return-Path its delivery wrote above it names the envelope sender.
    envelope = b"Return-Path: <bounce@americanexpress.com>\r\n"
    from_amex = envelope + TRUSTED_RECEIVED.format(ip="192.0.2.25").encode() + unsigned
    good = verify(saved_by_outlook(from_amex), directory, dns, trust_authserv=["mx.icloud.com"])
    assert good.authentication.spf == "pass" and good.verdict == "genuine"
    elsewhere = envelope + TRUSTED_RECEIVED.format(ip="203.0.113.9").encode() + unsigned
    bad = verify(saved_by_outlook(elsewhere), directory, dns, trust_authserv=["mx.icloud.com"])
    assert bad.authentication.spf == "fail" and bad.verdict == "suspicious"
    # The receiver's own Authentication-Results, when the user trusts it, work offline as for .eml.
    stamped = (b"Authentication-Results: mx.icloud.com; dkim=pass header.d=welcome.americanexpress.com; "
               b"dmarc=pass header.from=welcome.americanexpress.com\r\n") + unsigned
    offline = verify(saved_by_outlook(stamped), directory, offline=True, trust_authserv=["mx.icloud.com"])
    assert offline.verdict == "genuine" and "authres.trusted_pass" in offline.decisive


def test_outlook_without_internet_headers_japanese_8bit(directory):
    data = outlook_msg(
        subject="【重要】ご利用確認のお願い", body="カード番号とセキュリティコードを入力してください。\r\nhttp://amex-check.example/login\r\n",
        sender=("アメリカン・エキスプレス", "info@amex-check.example"),
        recipients=[(1, "私", "me@example.jp"), (2, "家族", "family@example.jp")],
        attachments=[("明細.html", "text/html", b"<p>x</p>"), ("readme.txt", "text/plain", b"hello")],
        received=datetime(2025, 11, 21, 14, 27, tzinfo=timezone.utc), codepage=932, codec="cp932")
    mail = read_mail(data)
    assert mail.outlook == "properties"
    assert (mail.from_display, mail.from_address) == ("アメリカン・エキスプレス", "info@amex-check.example")
    assert mail.subject == "【重要】ご利用確認のお願い"
    assert mail.recipients == ["me@example.jp", "family@example.jp"]
    assert [(a.filename, a.content_type) for a in mail.attachments] == \
        [("明細.html", "text/html"), ("readme.txt", "text/plain")]
    assert dict(mail.headers)["Date"] == "Fri, 21 Nov 2025 14:27:00 +0000"
    verdict = verify(data, directory, offline=True)
    assert verdict.verdict == "phishing"
    assert {"message.outlook_no_headers", "attachment.dangerous"} <= codes(verdict)


def test_damaged_or_foreign_office_files_are_clear_errors(cardguard, tmp_path):
    whole = saved_by_outlook(PHISHING)
    cut = tmp_path / "cut.msg"
    cut.write_bytes(whole[:1500])
    for lang, words in (("en", "damaged"), ("ja", "壊れていて読めません")):
        run = cardguard("check", str(cut), "--lang", lang)
        assert run.code != 0 and words in run.err and "Traceback" not in run.err + run.out
    doc = cardguard("check", str(cut), "--json")
    assert doc.code != 0 and doc.json()["error"]["code"] == "error.outlook_unreadable"
    not_mail = tmp_path / "report.doc"
    not_mail.write_bytes(_ole_without_a_message(tmp_path))
    run = cardguard("check", str(not_mail), "--lang", "en")
    assert run.code != 0 and "not an Outlook message" in run.err


def _ole_without_a_message(tmp_path) -> bytes:
    import subprocess

    folder = tmp_path / "doc"
    folder.mkdir()
    (folder / "WordDocument").write_bytes(b"\0" * 600)
    subprocess.run(["gsf", "createole", str(tmp_path / "x.doc"), "WordDocument"], cwd=folder, check=True,
                   capture_output=True)
    return (tmp_path / "x.doc").read_bytes()


def test_incident_from_an_outlook_mail_keeps_the_received_time(cardguard, tmp_path):
    path = tmp_path / "phish.msg"
    received = TRUSTED_RECEIVED.format(ip="203.0.113.9").encode()
    path.write_bytes(saved_by_outlook(received + PHISHING))
    started = cardguard("incident", "start", "--from-mail", str(path), "--offline", "--json",
                        env={"CARDGUARD_TZ": "Asia/Tokyo"})
    assert started.code == 0, started.err
    doc = started.json()
    assert doc["kind"] == "phishing-received"
    # The mail's received time is kept with its verdict; the check itself is stamped when it was made.
    assert doc["verdict"]["received_at_iso"] == "2025-11-21T23:28:01+09:00"
    report = cardguard("incident", "export", "--format", "md", "--lang", "ja", env={"CARDGUARD_TZ": "Asia/Tokyo"})
    assert "メールの受信日時: 2025-11-21 23:28" in report.out, report.out[-1500:]


def test_the_web_page_takes_an_outlook_file(profile):
    client = TestClient(create_app(), base_url="http://127.0.0.1")
    page = client.get("/check", headers={"accept-language": "ja"})
    assert ".msg" in re.search(r'<input type="file"[^>]*>', page.text).group(0)
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    response = client.post("/check", data={"csrf": token, "offline": "1"}, headers={"accept-language": "ja"},
                           files={"file": ("SafeKey.msg", saved_by_outlook(PHISHING), "application/vnd.ms-outlook")})
    assert response.status_code == 200
    assert 'data-verdict="phishing"' in response.text and "Outlook の .msg から読み取りました" in response.text


@pytest.fixture(scope="module")
def saved():
    return saved_by_outlook(PHISHING)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_mangled_outlook_files_get_a_verdict_or_a_clear_error(directory, saved, data):
    raw = bytearray(saved)
    for _ in range(data.draw(st.integers(1, 12))):
        raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    raw = bytes(raw[: data.draw(st.integers(8, len(raw)))])
    try:
        verdict = check_message(raw, directory, CheckOptions(offline=True, now=NIGHT))
    except UserError as error:
        assert error.key.startswith("error.")
    else:
        assert verdict.verdict in ("genuine", "suspicious", "phishing", "unrelated")
        assert verdict.verdict != "genuine"


STAMPED = (b"Authentication-Results: mx.icloud.com; dkim=pass header.d=welcome.americanexpress.com; "
           b"dmarc=pass header.from=welcome.americanexpress.com\r\n")
OFFICIAL_HTML = ('<p>SafeKey code: 482913</p>'
                 '<a href="https://www.americanexpress.com/ja-jp/account/login">Log in</a>')


def outlook_in(codepage: int, codec: str, html: str = OFFICIAL_HTML) -> bytes:
    """The stamped Amex mail as Outlook keeps it, its HTML stored in ``codec`` and said to be in ``codepage``."""
    raw = STAMPED + message()
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    return outlook_msg(transport=raw.split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n", subject=str(parsed["Subject"]),
                       body=parsed.get_body(("plain",)).get_content(), html=html.encode(codec), codepage=codepage)


@pytest.mark.parametrize("codepage, codec", [(65001, "utf-8"), (932, "cp932"), (1252, "cp1252"), (20127, "ascii")])
def test_an_outlook_file_in_a_code_page_mail_apps_read_can_be_genuine(directory, codepage, codec):
    verdict = verify(outlook_in(codepage, codec), directory, offline=True, trust_authserv=["mx.icloud.com"])
    assert verdict.verdict == "genuine", verdict.as_json("en")["findings"]
    assert any(link.official for link in verdict.links)


# Code pages by Microsoft's identifiers (verify/data/codepages.txt): EBCDIC 037, 500 and 1140, and
# UTF-7, which no browser reads; 99999 and -5 are no code page at all.
@pytest.mark.parametrize("codepage, codec", [(37, "cp037"), (500, "cp500"), (1140, "cp1140"), (65000, "utf-7"),
                                             (99999, "utf-8"), (-5, "utf-8")])
def test_an_outlook_file_in_a_code_page_no_mail_app_reads_is_never_genuine(directory, codepage, codec):
    verdict = verify(outlook_in(codepage, codec), directory, offline=True, trust_authserv=["mx.icloud.com"])
    assert verdict.verdict == "suspicious" and "message.ambiguous" in verdict.decisive
    said = next(f for f in verdict.findings if f.code == "message.ambiguous")
    assert f"code page {codepage} unknown to mail apps" in said.evidence
    assert said.message("ja") and said.message("en")
