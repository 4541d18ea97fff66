"""Authentication checked live against a real DNS server on loopback, with messages signed by dkimpy.

The seed's scenario both ways: a genuine SafeKey code to the holder's Amex alias, and a
SafeKey-styled phishing mail from a lookalike domain to another alias.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone

import pytest

from cardguard.directory import load_directory
from cardguard.verify import CheckOptions, check_message
from mailkit import Key, Zone, dns_server, message, sign

ALIAS = "amex.7f3k@icloud.com"
NIGHT = datetime(2025, 11, 21, 14, 30, tzinfo=timezone.utc)  # 23:30 in Tokyo


@pytest.fixture(scope="module")
def keys():
    return {"amex": Key(2048), "other": Key(1024), "short": Key(512)}


@pytest.fixture(scope="module")
def directory():
    return load_directory(with_user_files=False)


@pytest.fixture(scope="module")
def world(keys):
    zone = Zone()
    zone.add_txt("s1._domainkey.welcome.americanexpress.com", keys["amex"].txt)
    zone.add_txt("_dmarc.americanexpress.com", "v=DMARC1; p=reject; rua=mailto:dmarc@americanexpress.com")
    zone.add_txt("americanexpress.com", "v=spf1 ip4:192.0.2.0/24 -all")
    zone.add_txt("s1._domainkey.americanexpress-safekey.com", keys["other"].txt)
    zone.add_txt("_dmarc.americanexpress-safekey.com", "v=DMARC1; p=none")
    zone.add_txt("short._domainkey.welcome.americanexpress.com", keys["short"].txt)
    with dns_server(zone) as address:
        yield zone, address


def verify(raw: bytes, address, directory, **options):
    options.setdefault("aliases", [ALIAS])
    return check_message(raw, directory, CheckOptions(resolver=address, now=NIGHT, dns_timeout=5, **options))


def codes(verdict) -> set[str]:
    return {f.code for f in verdict.findings}


def genuine_mail(keys) -> bytes:
    return sign(message(), keys["amex"], "welcome.americanexpress.com")


def test_genuine_safekey_code_to_the_alias(world, keys, directory):
    _, address = world
    verdict = verify(genuine_mail(keys), address, directory)
    assert verdict.verdict == "genuine", verdict.as_json("en")["findings"]
    assert verdict.issuer == "amex-jp"
    assert [(d.domain, d.selector, d.result) for d in verdict.authentication.dkim] == \
        [("welcome.americanexpress.com", "s1", "pass")]
    assert (verdict.authentication.dmarc.result, verdict.authentication.dmarc.policy,
            verdict.authentication.dmarc.aligned) == ("pass", "reject", True)
    assert {"recipient.alias_match", "dmarc.pass", "content.otp_unrequested"} <= codes(verdict)
    assert verdict.otp.detected and verdict.otp.code == "48****"
    assert verdict.otp.merchant == "EXAMPLE ONLINE STORE" and verdict.otp.amount == "39,800円"
    # A genuine code nobody asked for: call the 24-hour line now, and it is open at 23:30 on Friday.
    doc = verdict.as_json("en")
    assert doc["calls"][0]["number"] == "0120-020120" and doc["calls"][0]["open_now"] is True
    assert any("somebody has your card number" in step for step in doc["next_steps"])
    assert any("incident start --from-mail" in step for step in doc["next_steps"])
    assert all(link["official"] for link in doc["links"])


def test_one_changed_byte_in_the_body_is_not_genuine(world, keys, directory):
    _, address = world
    raw = bytearray(genuine_mail(keys))
    body_start = raw.index(b"\r\n\r\n") + 4
    raw[body_start + 10] = ord("A") if raw[body_start + 10] != ord("A") else ord("B")
    raw = bytes(raw)
    verdict = verify(raw, address, directory)
    assert verdict.verdict == "phishing"
    assert verdict.authentication.dkim[0].reason == "dkim.body_changed"
    assert {"dkim.body_changed", "dmarc.fail"} <= verdict.decisive


def test_lookalike_sender_even_when_validly_signed(world, keys, directory):
    _, address = world
    raw = sign(message(sender="safekey@americanexpress-safekey.com", to="shop.9qz@icloud.com"), keys["other"],
               "americanexpress-safekey.com")
    verdict = verify(raw, address, directory)
    assert verdict.verdict == "phishing"
    assert verdict.authentication.dkim[0].result == "pass"  # signed by its own domain: proves nothing
    assert {"from.lookalike", "from.display_name_spoof"} <= verdict.decisive
    assert "recipient.other_address" in codes(verdict)
    # Its code is bait, not a sign that somebody holds the card number.
    assert "content.otp_bait" in codes(verdict) and "content.otp_unrequested" not in codes(verdict)
    doc = verdict.as_json("ja")
    assert doc["verdict_label"] == "フィッシング"
    assert any("リンクをクリック" in step for step in doc["next_steps"])
    assert any(route["address"] == "info@antiphishing.jp" for route in doc["report_to"])


def test_link_to_a_foreign_domain_is_never_genuine(world, keys, directory):
    _, address = world
    from mailkit import SAFEKEY_BODY

    body = SAFEKEY_BODY.replace("https://www.americanexpress.com/ja-jp/account/login", "https://login.example.net/ja-jp")
    verdict = verify(sign(message(body=body), keys["amex"], "welcome.americanexpress.com"), address, directory)
    assert verdict.verdict != "genuine"
    assert verdict.verdict == "suspicious" and "link.foreign" in verdict.decisive


def test_html_link_text_shows_the_official_site_but_goes_elsewhere(world, keys, directory):
    _, address = world
    html = '<p>SafeKey</p><a href="https://secure-check.example.org/login">https://www.americanexpress.com/jp/</a>'
    raw = sign(message(html=html), keys["amex"], "welcome.americanexpress.com")
    verdict = verify(raw, address, directory)
    assert verdict.verdict == "phishing"
    assert "link.text_mismatch" in verdict.decisive


def test_forged_authentication_results_are_ignored(world, keys, directory):
    _, address = world
    forged = (b"Authentication-Results: mx.icloud.com; dkim=pass header.d=americanexpress.com; "
              b"dmarc=pass header.from=welcome.americanexpress.com\r\n")
    raw = forged + message()  # unsigned: only the header claims authentication
    offline = check_message(raw, directory, CheckOptions(offline=True, aliases=[ALIAS], now=NIGHT))
    assert offline.verdict == "suspicious"
    assert "authres.ignored" in codes(offline)
    online = verify(raw, address, directory)
    assert online.verdict != "genuine"


def test_trusted_receiver_results_authenticate_offline(keys, directory):
    stamped = (b"Authentication-Results: mx.icloud.com; dkim=pass header.d=welcome.americanexpress.com; "
               b"spf=pass smtp.mailfrom=welcome.americanexpress.com; dmarc=pass (p=REJECT) "
               b"header.from=welcome.americanexpress.com\r\n")
    verdict = check_message(stamped + genuine_mail(keys), directory,
                            CheckOptions(offline=True, trust_authserv=["mx.icloud.com"], aliases=[ALIAS], now=NIGHT))
    assert verdict.verdict == "genuine"
    assert "authres.trusted_pass" in verdict.decisive
    # The same header from a receiver the user never named counts for nothing.
    untrusted = check_message(stamped + genuine_mail(keys), directory,
                              CheckOptions(offline=True, trust_authserv=["mx.other.example"], now=NIGHT))
    assert untrusted.verdict == "suspicious"


def test_expired_signature(world, keys, directory):
    _, address = world
    past = int(time.time()) - 30 * 86400
    raw = sign(message(), keys["amex"], "welcome.americanexpress.com", signed_at=past - 86400, expires=past)
    verdict = verify(raw, address, directory)
    assert verdict.verdict != "genuine"
    assert verdict.authentication.dkim[0].reason == "dkim.expired"


def test_key_gone_from_dns(world, keys, directory):
    _, address = world
    raw = sign(message(), keys["amex"], "welcome.americanexpress.com", selector="gone")
    verdict = verify(raw, address, directory)
    assert verdict.verdict == "suspicious"
    assert verdict.authentication.dkim[0].reason == "dkim.key_missing"


def test_key_too_short(world, keys, directory):
    _, address = world
    raw = sign(message(), keys["short"], "welcome.americanexpress.com", selector="short")
    verdict = verify(raw, address, directory)
    assert verdict.verdict != "genuine"
    assert verdict.authentication.dkim[0].reason == "dkim.key_too_short"


def test_every_signature_is_checked(world, keys, directory):
    _, address = world
    raw = sign(genuine_mail(keys), keys["other"], "unrelated-esp.example", selector="esp")
    verdict = verify(raw, address, directory)
    assert [(d.domain, d.result) for d in verdict.authentication.dkim] == \
        [("unrelated-esp.example", "fail"), ("welcome.americanexpress.com", "pass")]
    assert verdict.verdict == "genuine"


def test_mail_to_another_alias_is_not_genuine(world, keys, directory):
    _, address = world
    raw = sign(message(to="netflix.a1b2@icloud.com"), keys["amex"], "welcome.americanexpress.com")
    verdict = verify(raw, address, directory)
    assert verdict.verdict == "suspicious"
    assert "recipient.other_address" in verdict.decisive


def test_spf_from_a_trusted_received_header(world, keys, directory):
    _, address = world
    # The delivery agent records the envelope sender on top, above the receiver's entry line.
    received = ("Return-Path: <bounce@americanexpress.com>\r\n"
                "Received: from mta.welcome.americanexpress.com (mta.welcome.americanexpress.com [{ip}])\r\n"
                " by mx.icloud.com (Postfix) with ESMTPS id 4Xy; Fri, 21 Nov 2025 23:28:01 +0900\r\n")
    unsigned = message()
    good = verify(received.format(ip="192.0.2.25").encode() + unsigned, address, directory,
                  trust_authserv=["mx.icloud.com"])
    assert good.authentication.spf == "pass" and good.verdict == "genuine"
    bad = verify(received.format(ip="203.0.113.9").encode() + unsigned, address, directory,
                 trust_authserv=["mx.icloud.com"])
    assert bad.authentication.spf == "fail" and bad.verdict == "phishing"
    untrusted = verify(received.format(ip="192.0.2.25").encode() + unsigned, address, directory)
    assert untrusted.authentication.spf == "not_checked" and untrusted.verdict != "genuine"


def test_check_command_against_the_test_dns(world, keys, cardguard, tmp_path):
    _, (host, port) = world
    path = tmp_path / "safekey.eml"
    path.write_bytes(genuine_mail(keys))
    run = cardguard("check", str(path), "--resolver", f"{host}:{port}", "--alias", ALIAS, "--json")
    assert run.code == 0, run.err
    doc = run.json()
    assert doc["verdict"] == "genuine"
    assert set(doc) >= {"verdict", "issuer", "from", "authentication", "findings", "links", "otp", "next_steps"}
    assert doc["from"] == {"address": "Americanexpress@welcome.americanexpress.com",
                           "domain": "welcome.americanexpress.com", "display_name": "American Express"}
    assert doc["authentication"]["dkim"][0]["result"] == "pass"
    assert doc["otp"] == {"detected": True, "code": "48****", "merchant": "EXAMPLE ONLINE STORE", "amount": "39,800円"}
    text = cardguard("check", str(path), "--resolver", f"{host}:{port}", "--alias", ALIAS, "--lang", "ja")
    assert "本物" in text.out and "0120-020120" in text.out
    # A genuine code nobody asked for: the call comes before everything else.
    assert text.out.index("今すぐ電話（24時間・年中無休）") < text.out.index("今すべきこと")


def test_arc_chain_from_a_forwarder(world, keys, directory):
    import dkim

    zone, address = world
    zone.add_txt("arc._domainkey.forwarder.example", keys["other"].txt)
    signed = genuine_mail(keys)
    stamped = (b"Authentication-Results: mx.forwarder.example; dkim=pass header.d=welcome.americanexpress.com; "
               b"dmarc=pass header.from=welcome.americanexpress.com\r\n") + signed
    seal = dkim.arc_sign(stamped, b"arc", b"forwarder.example", keys["other"].pem, b"mx.forwarder.example",
                         include_headers=[b"from", b"to", b"subject", b"date"])
    sealed = b"".join(seal) + stamped
    verdict = verify(sealed, address, directory)
    assert verdict.authentication.arc == "pass"
    assert "arc.pass" in codes(verdict) and verdict.verdict == "genuine"
    # A subject changed after sealing breaks the seal (and the DKIM signature with it).
    broken = verify(sealed.replace(b"\r\nSubject: ", b"\r\nSubject: RE: ", 1), address, directory)
    assert broken.authentication.arc == "fail" and broken.verdict == "phishing"
