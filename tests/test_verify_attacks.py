"""Crafted mails that try to be called genuine, as an attacker would build them (issue 11, classes 3,
5, 6): each starts from a mail validly signed by the issuer's own key on the test DNS server (a
replay, or a compromised sender), then hides a way off the issuer's domains, wraps it, or makes two
mail apps read it differently. None may be genuine; the plain signed mail stays genuine.
"""

from __future__ import annotations

import email
import email.policy
import zlib
from email.message import EmailMessage

import pytest

from cardguard.directory import load_directory
from cardguard.verify import CheckOptions, check_message
from mailkit import SAFEKEY_BODY, Key, Zone, dns_server, message, sign

ALIAS = "amex.7f3k@icloud.com"
OFFICIAL_URL = "https://www.americanexpress.com/ja-jp/account/login"


@pytest.fixture(scope="module")
def keys():
    return {"amex": Key(2048), "attacker": Key(1024)}


@pytest.fixture(scope="module")
def directory():
    return load_directory(with_user_files=False)


@pytest.fixture(scope="module")
def address(keys):
    zone = Zone()
    zone.add_txt("s1._domainkey.welcome.americanexpress.com", keys["amex"].txt)
    zone.add_txt("_dmarc.americanexpress.com", "v=DMARC1; p=reject")
    zone.add_txt("s1._domainkey.mailer.example.net", keys["attacker"].txt)
    zone.add_txt("_dmarc.mailer.example.net", "v=DMARC1; p=none")
    with dns_server(zone) as where:
        yield where


def check(raw: bytes, address, directory, **options):
    options.setdefault("aliases", [ALIAS])
    return check_message(raw, directory, CheckOptions(resolver=address, dns_timeout=5, **options))


def codes(verdict) -> set[str]:
    return {f.code for f in verdict.findings}


def signed(keys, **kw) -> bytes:
    """A mail the issuer's key really signed, with whatever body the attacker got it to carry."""
    return sign(message(**kw), keys["amex"], "welcome.americanexpress.com")


OFFICIAL_HTML = (f'<p>SafeKey認証コード：482913</p><a href="{OFFICIAL_URL}">ログイン</a>'
                 '<img src="https://www.americanexpress.com/content/dam/amex/jp/logo.png" alt="logo">'
                 '<!--[if mso]><a href="https://www.americanexpress.com/jp/">Outlook</a><![endif]-->'
                 '<div style="background:url(https://www.americanexpress.com/bg.png)">American Express</div>')


def test_signed_issuer_mail_with_only_official_links_images_and_comments_is_genuine(keys, address, directory):
    plain = check(signed(keys), address, directory)
    assert plain.verdict == "genuine", plain.as_json("en")["findings"]
    rich = check(signed(keys, html=OFFICIAL_HTML), address, directory)
    assert rich.verdict == "genuine", rich.as_json("en")["findings"]
    assert {link.kind for link in rich.links} >= {"anchor", "remote"}
    assert all(link.official and link.resolved for link in rich.links)


# --- class 5: links the check never saw, or saw wrongly -----------------------------------------

REDIRECTS = [
    "https://www.americanexpress.com/redirect?url=https://evil.example/login",
    "https://www.americanexpress.com/redirect?url=https%3A%2F%2Fevil.example%2Flogin",
    "https://www.americanexpress.com/redirect?url=https%253A%252F%252Fevil.example%252Flogin",
    "https://www.americanexpress.com/r/https://evil.example/login",
    "https://www.americanexpress.com/r/https%3A%2F%2Fevil.example%2Flogin",
    "https://www.americanexpress.com/r?to=//evil.example/login",
    "https://www.americanexpress.com/r?to=www.evil.example",
    "https://www.americanexpress.com/jp/#https://evil.example/login",
]


@pytest.mark.parametrize("href", REDIRECTS)
def test_open_redirect_on_an_official_host_is_judged_by_its_target(keys, address, directory, href):
    verdict = check(signed(keys, html=f'<a href="{href}">ログイン</a>'), address, directory)
    assert verdict.verdict == "suspicious"
    assert {"link.redirector", "link.foreign", "link.not_confirmed"} <= verdict.decisive
    lured = next(link for link in verdict.links if link.url == href)
    # The holder is shown where the tap really goes, never a tick for the official host it starts on.
    assert not lured.official and lured.registered_domain.endswith("evil.example")
    assert "evil.example" in lured.goes_to
    assert not [f for f in verdict.findings if f.code == "link.official" and "evil" in f.evidence]


def test_an_official_looking_text_over_a_redirect_is_phishing(keys, address, directory):
    href = REDIRECTS[1]
    verdict = check(signed(keys, html=f'<a href="{href}">https://www.americanexpress.com/jp/</a>'), address,
                    directory)
    assert verdict.verdict == "phishing" and "link.text_mismatch" in verdict.decisive
    mismatch = next(f for f in verdict.findings if f.code == "link.text_mismatch")
    assert "evil.example" in mismatch.message("en")


@pytest.mark.parametrize("html, expected", [
    ('<base href="https://evil.example/"><a href="login">ログイン</a>', "link.foreign"),
    ('<base href="https://evil.example/jp/"><a href="/account/login">ログイン</a>', "link.foreign"),
    ('<a href="https:evil.example/login">ログイン</a>', "link.foreign"),
    ('<a href="https:\\\\evil.example/login">ログイン</a>', "link.foreign"),
    ('<a href="HTTPS:/\\evil.example/login">ログイン</a>', "link.foreign"),
    ('<a href=" https://evil.example/login ">ログイン</a>', "link.foreign"),
    ('<base href="https://www.americanexpress.com/jp/"><a href="https:evil.example">ログイン</a>', "link.foreign"),
    ('<form><button formaction="https://evil.example/collect">送信</button></form>', "link.form"),
    ('<input type="image" src="https://www.americanexpress.com/b.png" formaction="https://evil.example/c">',
     "link.form"),
    ('<svg><a xlink:href="https://evil.example/login"><text>ログイン</text></a></svg>', "link.foreign"),
    ('<svg><image href="https://evil.example/qr.png"/></svg>', "link.foreign"),
    ('<!--[if mso]><a href="https://evil.example/login">ログイン</a><![endif]-->', "link.foreign"),
    ('<iframe src="https://evil.example/frame"></iframe>', "link.foreign"),
    ('<img src="https://evil.example/qr-code.png" alt="QR">', "link.foreign"),
    ('<img srcset="https://www.americanexpress.com/a.png 1x, https://evil.example/qr.png 2x">', "link.foreign"),
    ('<div style="background-image: url(\'https://evil.example/qr.png\')">スキャン</div>', "link.foreign"),
    ('<style>.qr { background: URL(https://evil.example/qr.png) }</style><p class="qr">スキャン</p>', "link.foreign"),
    ('<noscript><a href="https://evil.example/login">ログイン</a></noscript>', "link.foreign"),
    ('<p>ログインはこちら：evil.example/login</p>', "link.foreign"),
    ('<a href="/account/login">ログイン</a>', "link.unresolved"),
    ('<a href="https://bit.ly/3abcdef">ログイン</a>', "link.unresolved"),
    ('<a href="intent://login#Intent;scheme=https;package=evil;end">アプリで開く</a>', "link.unresolved"),
])
def test_hidden_or_misread_links_keep_a_signed_mail_from_genuine(keys, address, directory, html, expected):
    verdict = check(signed(keys, html=f"<p>SafeKey</p>{html}"), address, directory)
    assert verdict.verdict != "genuine", html
    assert expected in codes(verdict), html
    assert verdict.authentication.authenticated_domain  # only the link stands between it and genuine


@pytest.mark.parametrize("text", [
    "ログインはこちら evil.example/login から",
    "詳しくは secure-login.example.com をご覧ください",
    "ログインはこちらevil.example/loginから",
    "ログイン：https:evil.example/login",
])
def test_a_bare_address_in_the_text_is_a_link_mail_apps_make(keys, address, directory, text):
    verdict = check(signed(keys, body=SAFEKEY_BODY + text + "\n"), address, directory)
    assert verdict.verdict == "suspicious" and "link.foreign" in verdict.decisive


def test_words_with_dots_that_are_no_address_stay_genuine(keys, address, directory):
    body = SAFEKEY_BODY + "バージョン 3.5.1 をご利用ください。report.pdf を参照。連絡先 info@americanexpress.com\n"
    verdict = check(signed(keys, body=body), address, directory)
    assert verdict.verdict == "genuine", verdict.as_json("en")["findings"]


def with_attachment(raw: bytes, data: bytes, maintype: str, subtype: str, filename: str) -> bytes:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg.as_bytes()


def pdf_with_link(url: str, *, compressed: bool) -> bytes:
    annotation = f"<< /Type /Annot /Subtype /Link /A << /S /URI /URI ({url}) >> >>".encode()
    if compressed:
        body = zlib.compress(annotation)
        return (b"%PDF-1.5\n1 0 obj << /Type /ObjStm /Filter /FlateDecode /Length " + str(len(body)).encode()
                + b" >>\nstream\n" + body + b"\nendstream\nendobj\n%%EOF\n")
    return b"%PDF-1.4\n1 0 obj " + annotation + b" endobj\n%%EOF\n"


@pytest.mark.parametrize("data, maintype, subtype, filename", [
    (pdf_with_link("https://evil.example/pay", compressed=False), "application", "pdf", "明細.pdf"),
    (pdf_with_link("https://evil.example/pay", compressed=True), "application", "pdf", "明細.pdf"),
    ("ご確認はこちら https://evil.example/pay".encode(), "text", "plain", "案内.txt"),
    (b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nURL:https://evil.example/pay\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
     "text", "calendar", "invite.ics"),
])
def test_links_in_attachments_count(keys, address, directory, data, maintype, subtype, filename):
    # Signed after the attachment is added: the issuer's key covers it, so only the link can decide.
    msg = email.message_from_bytes(message(), policy=email.policy.default)
    msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    raw = sign(msg.as_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"), keys["amex"],
               "welcome.americanexpress.com")
    verdict = check(raw, address, directory)
    assert verdict.authentication.authenticated_domain
    assert verdict.verdict == "suspicious" and "link.foreign" in verdict.decisive
    assert any(link.kind == "attachment" and link.registered_domain == "evil.example" for link in verdict.links)


# --- class 3: forwards ------------------------------------------------------------------------

def forward(outer_from: str, attached: bytes, *, text: str = "転送します。", display: str = "",
            subject: str = "Fwd: [American Express] SafeKey認証コードをお送りします", html: str | None = None) -> bytes:
    msg = EmailMessage(policy=email.policy.default)
    msg["From"] = f"{display} <{outer_from}>" if display else outer_from
    msg["To"] = ALIAS
    msg["Subject"] = subject
    msg["Date"] = "Fri, 21 Nov 2025 23:40:00 +0900"
    msg["Message-ID"] = "<fwd-1@example.net>"
    msg.set_content(text)
    if html:
        msg.add_alternative(html, subtype="html")
    msg.add_attachment(email.message_from_bytes(attached, policy=email.policy.compat32))
    return msg.as_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def test_a_genuine_signed_issuer_mail_attached_lends_nothing(keys, address, directory):
    lure = forward("support@mailer.example.net", signed(keys),
                   text="カードが停止されました。こちらから確認してください https://evil.example/verify")
    verdict = check(lure, address, directory)
    assert verdict.verdict != "genuine"
    assert verdict.from_address == "support@mailer.example.net"  # the mail that arrived is judged
    assert {"message.forward", "message.attached_signed", "link.foreign"} <= codes(verdict)
    said = next(f for f in verdict.findings if f.code == "message.attached_signed").message("en")
    assert "once sent it to someone" in said


def test_the_attacker_s_own_signature_on_the_outer_mail_does_not_help(keys, address, directory):
    outer = sign(forward("support@mailer.example.net", signed(keys), text="ご確認ください https://evil.example/v"),
                 keys["attacker"], "mailer.example.net")
    verdict = check(outer, address, directory)
    assert verdict.verdict != "genuine" and "from.forwarder" in verdict.decisive


def test_an_outer_mail_dressed_as_the_issuer_is_phishing(keys, address, directory):
    verdict = check(forward("support@mailer.example.net", signed(keys), display="American Express"), address,
                    directory)
    assert verdict.verdict == "phishing" and "from.display_name_spoof" in verdict.decisive


def test_forged_results_inside_the_attached_original_are_not_believed(keys, address, directory):
    forged = (b"Authentication-Results: mx.icloud.com; dkim=pass header.d=welcome.americanexpress.com; "
              b"dmarc=pass header.from=welcome.americanexpress.com\r\n"
              b"Received: from mta.welcome.americanexpress.com ([192.0.2.25]) by mx.icloud.com; "
              b"Fri, 21 Nov 2025 23:27:40 +0900\r\n") + message()
    lure = forward("me@mailer.example.net", forged)
    for offline in (False, True):
        verdict = check(lure, address, directory, offline=offline, trust_authserv=["mx.icloud.com"])
        assert verdict.verdict != "genuine"
        assert "message.attached_signed" not in codes(verdict)


def issuer_mail_carrying(keys, carried: bytes) -> bytes:
    outer = EmailMessage(policy=email.policy.default)
    for name, value in (("From", "American Express <Americanexpress@welcome.americanexpress.com>"),
                        ("To", ALIAS), ("Subject", "[American Express] お知らせ"),
                        ("Date", "Fri, 21 Nov 2025 23:28:00 +0900"), ("Message-ID", "<n-1@welcome.americanexpress.com>")):
        outer[name] = value
    outer.set_content(f"添付のメールをご確認ください。{OFFICIAL_URL}")
    outer.add_attachment(email.message_from_bytes(carried, policy=email.policy.compat32))
    return sign(outer.as_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"), keys["amex"],
                "welcome.americanexpress.com")


def test_a_signed_issuer_mail_carrying_a_message_is_judged_with_what_it_carries(keys, address, directory):
    carried = message(sender="someone@example.org", display="Someone", subject="hello",
                      body="Look: https://evil.example/login")
    verdict = check(issuer_mail_carrying(keys, carried), address, directory)
    assert verdict.authentication.authenticated_domain == "welcome.americanexpress.com"
    assert verdict.from_address == "Americanexpress@welcome.americanexpress.com"
    assert verdict.verdict == "suspicious" and "link.foreign" in verdict.decisive
    # Carrying official links only, the outer mail's own authentication decides.
    clean = message(sender="someone@example.org", display="Someone", subject="hello", body=f"See {OFFICIAL_URL}")
    verdict = check(issuer_mail_carrying(keys, clean), address, directory)
    assert verdict.verdict == "genuine", verdict.as_json("en")["findings"]
    assert "message.forward" in codes(verdict)


def test_a_friend_forwarding_a_genuine_mail_is_not_called_phishing(keys, address, directory):
    verdict = check(forward("friend@mailer.example.net", signed(keys)), address, directory)
    assert verdict.verdict == "suspicious" and verdict.issuer == "amex-jp"
    assert "from.forwarder" in verdict.decisive and "from.foreign" not in codes(verdict)


# --- class 6: MIME that two readers read differently ------------------------------------------

def add_header_above(raw: bytes, line: bytes) -> bytes:
    """A header the attacker adds above the signed ones: DKIM does not cover it."""
    return line + b"\r\n" + raw


def replace_once(raw: bytes, old: bytes, new: bytes) -> bytes:
    assert old in raw
    return raw.replace(old, new, 1)


def ambiguous(keys, name: str) -> bytes:
    base = signed(keys, html=OFFICIAL_HTML)
    boundary = email.message_from_bytes(base, policy=email.policy.compat32).get_boundary().encode()
    quoted = b'boundary="' + boundary + b'"'
    make = {
        "two Content-Type headers": lambda: add_header_above(base, b"Content-Type: text/plain; charset=utf-8"),
        "two boundary parameters": lambda: replace_once(base, quoted, quoted + b'; boundary="other-part"'),
        "two Content-Transfer-Encoding in a part": lambda: replace_once(
            base, b"Content-Transfer-Encoding: base64", b"Content-Transfer-Encoding: base64\r\n"
                                                        b"Content-Transfer-Encoding: 8bit"),
        "two charsets": lambda: replace_once(base, b'charset="utf-8"', b'charset="utf-8"; charset="iso-2022-jp"'),
        "an unsigned second Subject": lambda: add_header_above(base, "Subject: 【重要】カードを停止しました".encode()),
        "an unsigned second To": lambda: add_header_above(base, b"To: victim@example.com"),
        "a boundary that is never used": lambda: replace_once(base, quoted, b'boundary="missing"'),
        "HTML nested deeper than browsers build": lambda: signed(
            keys, html="<div>" * 1200 + OFFICIAL_HTML + "</div>" * 1200),
    }
    return make[name]()


@pytest.mark.parametrize("name", ["two Content-Type headers", "two boundary parameters",
                                  "two Content-Transfer-Encoding in a part", "two charsets",
                                  "an unsigned second Subject", "an unsigned second To",
                                  "a boundary that is never used", "HTML nested deeper than browsers build"])
def test_mime_two_readers_read_differently_is_never_genuine(keys, address, directory, name):
    verdict = check(ambiguous(keys, name), address, directory)
    assert verdict.verdict != "genuine", name
    assert "message.ambiguous" in codes(verdict), name
    detail = next(f for f in verdict.findings if f.code == "message.ambiguous")
    assert detail.message("ja") and detail.message("en")


def test_rfc2231_continuations_are_one_parameter(keys, address, directory):
    msg = email.message_from_bytes(message(), policy=email.policy.default)
    msg.add_attachment(b"%PDF-1.4\n%%EOF\n", maintype="application", subtype="pdf",
                       filename="ご利用明細のご案内_2025年11月分_アメリカン・エキスプレス.pdf")
    raw = msg.as_bytes()
    assert b"filename*" in raw or b"filename=" in raw
    raw = sign(raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"), keys["amex"], "welcome.americanexpress.com")
    verdict = check(raw, address, directory)
    assert "message.ambiguous" not in codes(verdict) and verdict.verdict == "genuine"


# --- what the holder reads (issue 10 "minor but visible", issue 14) -----------------------------

def test_the_verdict_names_the_real_target_and_the_domain_a_lookalike_resembles_most(keys, address, directory):
    from cardguard.verify.identity import lookalike

    amex = directory.issuer("amex-jp")
    assert lookalike(amex, "amerlcanexpress-login.com") == ("typo", "americanexpress.com")
    assert lookalike(amex, "aexpfeedbak.com") == ("typo", "aexpfeedback.com")
    assert lookalike(amex, "aexp-secure.com")[1] == "aexp.com"
    assert lookalike(amex, "safekey-verify.example.com")[1] == "americanexpress.com"
    html = '<a href="https://amerlcanexpress-login.com/jp">ログイン</a>'
    verdict = check(signed(keys, html=html), address, directory)
    said = next(f for f in verdict.findings if f.code == "link.lookalike").message("en")
    assert "imitates americanexpress.com" in said


def test_remote_content_count_reads_right_in_both_languages(keys, address, directory):
    from cardguard.verify.model import finding

    for count in (1, 3):
        item = finding("content.remote_content", "info", str(count), count=count)
        assert f": {count}." in item.message("en") and f"{count} 件" in item.message("ja")
        assert "1 remote images" not in item.message("en")


def test_the_cli_shows_where_a_redirect_really_goes(keys, address, cardguard, tmp_path):
    path = tmp_path / "redirect.eml"
    path.write_bytes(signed(keys, html=f'<a href="{REDIRECTS[0]}">ログイン</a>'))
    run = cardguard("check", str(path), "--resolver", f"{address[0]}:{address[1]}", "--alias", ALIAS, "--lang", "en")
    assert "→ https://evil.example/login" in run.out
    assert "evil.example  (NOT official)" in run.out


def test_one_time_codes_are_masked_wherever_the_verdict_shows_the_message_s_words():
    from cardguard.verify.content import mask_codes

    text = "認証コード：482913\nご利用金額：39,800円（2025年11月21日）\nコード 482913 は10分間有効。全角：４８２９１３"
    masked = mask_codes(text)
    assert "482913" not in masked and "４８２９１３" not in masked
    assert masked.count("48****") == 2 and "４８****" in masked
    assert "39,800円" in masked and "2025年11月21日" in masked
    assert mask_codes("no code 123456 here") == "no code 123456 here"
    verdict = check_message(message(subject="認証コード 482913 をお送りします"), load_directory(with_user_files=False),
                            CheckOptions(offline=True))
    assert verdict.as_json("ja")["subject"] == "認証コード 48**** をお送りします"


@pytest.mark.parametrize("extra", [b", security@evil.example", b", <support@americanexpress.com>",
                                   b", \"American Express\" <help@evil.example>"])
def test_a_from_line_with_two_addresses_is_never_genuine(keys, address, directory, extra):
    base = message()
    line = next(line for line in base.split(b"\r\n") if line.startswith(b"From: "))
    # Signed as it stands: the issuer's key covers both addresses, DMARC passes for the first.
    raw = sign(base.replace(line, line + extra, 1), keys["amex"], "welcome.americanexpress.com")
    verdict = check(raw, address, directory)
    assert verdict.verdict != "genuine"
    assert "message.ambiguous" in verdict.decisive or "from.multiple" in verdict.decisive
