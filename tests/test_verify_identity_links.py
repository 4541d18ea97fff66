"""Lookalike domains and links: what a card holder cannot see on a phone, cardguard spells out."""

from __future__ import annotations

import pytest

from cardguard.directory import load_directory
from cardguard.verify import CheckOptions, check_message
from cardguard.verify.identity import lookalike
from cardguard.verify.links import RawLink, analyse, unwrap
from mailkit import message


@pytest.fixture(scope="module")
def amex():
    return load_directory(with_user_files=False).issuer("amex-jp")


@pytest.mark.parametrize("host, kind", [
    ("americanexpress-safekey.com", "brand_in_domain"),
    ("americanexpress.co.jp.example.xyz", "brand_in_domain"),
    ("americanexpress-japan.example.com", "brand_in_domain"),
    ("americanexpress.account-login.example.com", "brand_in_domain"),
    ("ameriicanexpresi.com", "typo"),
    ("amerlcanexpress.me", "typo"),
    ("americanexpres.com", "typo"),
    ("american-express.com", "hyphenated"),
    ("americanexpress.net", "tld_swap"),
    ("americanexpress.co.jp", "not_official"),
    ("\u0430mericanexpress.com", "homoglyph"),  # Cyrillic а
    ("xn--mericanexpress-utl.com", "punycode"),  # the same, as it travels in DNS
    ("amex-jp-secure.example", "brand_in_domain"),
    ("safekey-verify.example.com", "brand_in_domain"),
])
def test_lookalikes(amex, host, kind):
    found = lookalike(amex, host)
    assert found is not None and found[0] == kind


@pytest.mark.parametrize("host", ["americanexpress.com", "www.americanexpress.com", "welcome.americanexpress.com",
                                  "aexp.com", "example.com", "gmail.com", "mail.rakuten-card.co.jp", "examexample.com"])
def test_not_lookalikes(amex, host):
    assert lookalike(amex, host) is None


@pytest.mark.parametrize("wrapped, inner, wrapper", [
    ("https://apc01.safelinks.protection.outlook.com/?url=https%3A%2F%2Fevil.example%2Flogin&data=x", "https://evil.example/login", "SafeLinks"),
    ("https://urldefense.proofpoint.com/v2/url?u=https-3A__evil.example_login&d=x", "https://evil.example/login", "Proofpoint"),
    ("https://urldefense.com/v3/__https://evil.example/login__;!!abc", "https://evil.example/login", "Proofpoint"),
    ("https://www.google.com/url?q=https://evil.example/&sa=D", "https://evil.example/", "Google"),
])
def test_protective_wrappers_are_unwrapped(wrapped, inner, wrapper):
    assert unwrap(wrapped) == (inner, wrapper)


def codes_for(amex, url, text=None, kind="anchor"):
    _, findings = analyse([RawLink(url, text, kind)], amex)
    return {f.code for f in findings}


def test_link_checks(amex):
    assert "link.official" in codes_for(amex, "https://www.americanexpress.com/ja-jp/")
    assert "link.text_mismatch" in codes_for(amex, "https://evil.example/", "www.americanexpress.com/jp")
    assert "link.shortener" in codes_for(amex, "https://cutt.ly/abc")
    assert "link.ip_literal" in codes_for(amex, "http://203.0.113.7/login")
    assert "link.script_url" in codes_for(amex, "javascript:alert(1)")
    assert "link.script_url" in codes_for(amex, "data:text/html;base64,PHNjcmlwdD4=")
    assert "link.userinfo" in codes_for(amex, "https://www.americanexpress.com@evil.example/")
    assert "link.redirector" in codes_for(amex, "https://track.example.com/r?u=https%3A%2F%2Fevil.example%2F")
    assert "link.form" in codes_for(amex, "https://collect.example/post", kind="form")
    assert "link.lookalike" in codes_for(amex, "https://americanexpress.co.jp.example.xyz/login")


def test_workers_dev_subdomain_is_its_own_site(amex):
    infos, _ = analyse([RawLink("https://amex-login.someone.workers.dev/", None, "anchor")], amex)
    assert infos[0].registered_domain == "someone.workers.dev" and not infos[0].official


def html_mail(html: str, **kw) -> bytes:
    return message(html=html, **kw)


def test_hostile_html_is_read_not_run(amex):
    html = ('<script>fetch("https://evil.example/x")</script><img src="https://tracker.example/p.gif">'
            '<div style="background:url(https://css.example/a.png)" onclick="steal()">見てください</div>'
            '<form action="https://collect.example/card"><input name="card"></form>'
            '<a href="https://evil.example/login">https://www.americanexpress.com/</a>')
    verdict = check_message(html_mail(html), load_directory(with_user_files=False), CheckOptions(offline=True))
    codes = {f.code for f in verdict.findings}
    assert verdict.verdict == "phishing"
    assert {"content.html_script", "content.remote_content", "link.form", "link.text_mismatch"} <= codes


def test_unrelated_mail_with_a_disguised_link_is_still_phishing():
    raw = message(sender="notice@parcel.example", display="Parcel Service", subject="Delivery failed",
                  body="Your parcel is waiting.",
                  html='<a href="https://pay-fee.example/x">https://www.japanpost.jp/</a>')
    verdict = check_message(raw, load_directory(with_user_files=False), CheckOptions(offline=True))
    assert verdict.issuer is None and verdict.verdict == "phishing"


def test_plain_unrelated_mail():
    raw = message(sender="friend@example.org", display="A friend", subject="Dinner on Saturday?",
                  body="See you at 7.")
    verdict = check_message(raw, load_directory(with_user_files=False), CheckOptions(offline=True))
    assert verdict.verdict == "unrelated" and verdict.issuer is None


def test_credential_request_with_a_foreign_link_is_phishing():
    body = ("【アメリカン・エキスプレス】ご利用確認のお願い\n至急、以下のURLからカード番号と有効期限、セキュリティコードを"
            "ご入力ください。24時間以内にご確認いただけない場合、カードのご利用を停止します。\nhttps://amex-kakunin.example.top/jp\n")
    raw = message(sender="info@americanexpress.com", to="someone@example.jp", subject="ご利用確認のお願い", body=body)
    verdict = check_message(raw, load_directory(with_user_files=False), CheckOptions(offline=True))
    codes = {f.code for f in verdict.findings}
    assert verdict.verdict == "phishing"
    assert {"content.asks_card_number", "content.asks_security_code", "content.urgency"} <= codes


def test_genuine_onetime_password_wording_is_not_a_password_request():
    body = "ワンタイムパスワード：123456\nこのワンタイムパスワードをご利用中のサイトで入力してください。"
    verdict = check_message(message(body=body), load_directory(with_user_files=False), CheckOptions(offline=True))
    codes = {f.code for f in verdict.findings}
    assert "content.asks_password" not in codes and verdict.otp.code == "12****"


def test_risky_attachments():
    import email
    import email.policy

    msg = email.message_from_bytes(message(sender="billing@example.org", display="Billing", subject="Invoice",
                                           body="See attached."), policy=email.policy.default)
    msg.add_attachment(b"MZ\x90\x00", maintype="application", subtype="octet-stream", filename="invoice.pdf.exe")
    msg.add_attachment(b"PK\x03\x04", maintype="application", subtype="zip", filename="details.zip")
    verdict = check_message(msg.as_bytes(), load_directory(with_user_files=False), CheckOptions(offline=True))
    codes = {f.code for f in verdict.findings}
    assert {"attachment.dangerous", "attachment.double_extension", "attachment.archive"} <= codes
    assert verdict.verdict == "phishing"


def test_forged_sender_with_a_link_is_phishing_whoever_it_imitates():
    directory = load_directory(with_user_files=False)
    no_tld = message(sender="alerta@bradesco", display="Bradesco", subject="Atualize seus dados",
                     body="Acesse https://atualiza-dados.example.com/ agora.")
    verdict = check_message(no_tld, directory, CheckOptions(offline=True))
    assert verdict.issuer is None and verdict.verdict == "phishing" and "from.no_tld" in verdict.decisive
    disguised = message(sender="x@mailer.example", display="security@microsoft.com", subject="Sign-in", body="Hi")
    verdict = check_message(disguised, directory, CheckOptions(offline=True))
    assert verdict.verdict == "phishing" and "from.display_address" in verdict.decisive
    no_link = message(sender="alerta@bradesco", display="Bradesco", subject="Olá", body="Sem links aqui.")
    assert check_message(no_link, directory, CheckOptions(offline=True)).verdict == "unrelated"
