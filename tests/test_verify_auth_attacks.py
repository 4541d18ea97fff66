"""Ways a crafted mail was called genuine, or crashed `check`, each tried in several variants
against a real DNS server on loopback with messages signed by dkimpy (issues 10, 11 and 12).

`authenticated_domain` is the single fact facts_of() builds `genuine` on: every test here asserts
what it is, and what the holder is told.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from authkit import HostileZone, fake_rsa_key_txt, free_udp_port, sign, silent_dns
from cardguard.directory import load_directory
from cardguard.verify import CheckOptions, check_message
from mailkit import Key, Zone, dns_server, message

ALIAS = "amex.7f3k@icloud.com"
NIGHT = datetime(2025, 11, 21, 14, 30, tzinfo=timezone.utc)
AMEX = "welcome.americanexpress.com"
RECEIVED = ("Received: from mta.welcome.americanexpress.com (mta.welcome.americanexpress.com [{ip}])\r\n"
            " by mx.icloud.com (Postfix) with ESMTPS id 4Xy; Fri, 21 Nov 2025 23:28:01 +0900\r\n")
ENVELOPE = "Return-Path: <bounce@americanexpress.com>\r\n"


@pytest.fixture(scope="module")
def keys():
    return {"amex": Key(2048), "other": Key(1024)}


@pytest.fixture(scope="module")
def directory():
    return load_directory(with_user_files=False)


@pytest.fixture(scope="module")
def world(keys):
    zone = HostileZone()
    zone.add_txt(f"s1._domainkey.{AMEX}", keys["amex"].txt)
    zone.add_txt(f"testing._domainkey.{AMEX}", keys["amex"].txt + "; t=y")
    zone.add_txt("_dmarc.americanexpress.com", "v=DMARC1; p=reject; rua=mailto:dmarc@americanexpress.com")
    zone.add_txt("americanexpress.com", "v=spf1 ip4:192.0.2.0/24 -all")
    zone.add_txt("s1._domainkey.evil.example", keys["other"].txt)
    zone.add_txt("_dmarc.evil.example", "v=DMARC1; p=none")
    with dns_server(zone) as address:
        yield zone, address


def verify(raw: bytes, address, directory, **options):
    options.setdefault("aliases", [ALIAS])
    options.setdefault("dns_timeout", 5)
    return check_message(raw, directory, CheckOptions(resolver=address, now=NIGHT, **options))


def codes(verdict) -> set[str]:
    return {f.code for f in verdict.findings}


def rendered(verdict) -> None:
    """Every finding's message renders in both languages (what a crash looked like before)."""
    for lang in ("ja", "en"):
        doc = verdict.as_json(lang)
        assert all(f["message"] for f in doc["findings"])


def genuine(keys, **kwargs) -> bytes:
    return sign(message(**kwargs), keys["amex"], AMEX)


def test_the_genuine_mail_these_attacks_start_from(world, keys, directory):
    verdict = verify(genuine(keys), world[1], directory)
    assert verdict.verdict == "genuine" and verdict.authentication.authenticated_domain == AMEX


class TestDnsUnreachable:
    """Issue 10 item 1: no DNS (airplane mode, hotel Wi-Fi) used to crash with a KeyError."""

    def _assert_unchecked(self, verdict):
        assert verdict.verdict != "genuine"
        assert verdict.authentication.authenticated_domain is None
        assert "auth.dns_unreachable" in codes(verdict) or "auth.out_of_time" in codes(verdict)
        assert verdict.authentication.dmarc.result == "temperror"
        rendered(verdict)
        doc = verdict.as_json("en")
        assert any("could not be looked up" in f["message"] for f in doc["findings"])

    def test_nothing_listens_on_the_resolver_port(self, keys, directory):
        verdict = verify(genuine(keys), ("127.0.0.1", free_udp_port()), directory, dns_timeout=1)
        self._assert_unchecked(verdict)

    def test_the_resolver_never_answers(self, keys, directory):
        with silent_dns() as address:
            verdict = verify(genuine(keys), address, directory, dns_timeout=0.3)
        self._assert_unchecked(verdict)

    @pytest.mark.parametrize("how", ["servfail", "refused"])
    def test_the_resolver_fails_every_query(self, keys, directory, how):
        zone = HostileZone()
        zone.misbehave("*", how)
        with dns_server(zone) as address:
            verdict = verify(genuine(keys), address, directory)
        self._assert_unchecked(verdict)

    def test_only_the_dmarc_lookup_fails(self, world, keys, directory):
        zone = HostileZone()
        zone.add_txt(f"s1._domainkey.{AMEX}", keys["amex"].txt)
        zone.misbehave("_dmarc.welcome.americanexpress.com", "servfail")
        with dns_server(zone) as address:
            verdict = verify(genuine(keys), address, directory)
        assert verdict.authentication.dkim[0].result == "pass"
        assert verdict.authentication.dmarc.result == "temperror" and "dmarc.dns_unavailable" in codes(verdict)
        assert verdict.authentication.authenticated_domain is None and verdict.verdict == "suspicious"
        rendered(verdict)

    @pytest.fixture(scope="class")
    @classmethod
    def refusing(cls):
        """A resolver that refuses every query at once (the closed port costs one timeout per run)."""
        zone = HostileZone()
        zone.misbehave("*", "refused")
        with dns_server(zone) as (host, port):
            yield f"{host}:{port}"

    def test_check_command_says_dns_was_unreachable(self, keys, cardguard, tmp_path, refusing):
        path = tmp_path / "safekey.eml"
        path.write_bytes(genuine(keys))
        # The issue's own reproduction: nothing listens where the resolver should be.
        run = cardguard("check", str(path), "--resolver", f"127.0.0.1:{free_udp_port()}", "--alias", ALIAS, "--json")
        assert run.code == 0, run.err
        doc = run.json()
        assert doc["verdict"] == "suspicious" and doc["authentication"]["authenticated_domain"] is None
        assert any(f["code"] == "auth.dns_unreachable" for f in doc["findings"])
        for lang, phrase in (("en", "DNS could not be reached"), ("ja", "DNS に接続できなかった")):
            text = cardguard("check", str(path), "--resolver", refusing, "--lang", lang)
            assert text.code == 0 and "Traceback" not in text.err and phrase in text.out

    def test_incident_from_mail_without_dns(self, keys, cardguard, tmp_path, refusing):
        path = tmp_path / "safekey.eml"
        path.write_bytes(genuine(keys))
        run = cardguard("incident", "start", "--from-mail", str(path), "--resolver", refusing, "--json")
        assert run.code == 0, run.err
        assert "genuine" not in run.json()["timeline"][0]["text"]

    def test_web_check_without_dns(self, keys, profile, refusing):
        import re

        from fastapi.testclient import TestClient

        from cardguard.web.app import create_app

        (profile / "config" / "config.toml").write_text(f'[check]\nresolver = "{refusing}"\n')
        client = TestClient(create_app(), base_url="http://127.0.0.1")
        page = client.get("/check")
        token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        response = client.post("/check", data={"csrf": token},
                               files={"file": ("safekey.eml", genuine(keys), "message/rfc822")})
        assert response.status_code == 200
        assert "DNS could not be reached" in response.text or "DNS に接続できなかった" in response.text


class TestAuthenticationResultsAttacks:
    """Issue 11 class 1: only the trusted receiver's own, topmost, single header counts."""

    @pytest.mark.parametrize("mail_from", [
        '"x;dkim=pass header.d=welcome.americanexpress.com;"@relay.evil.example',
        '"x;dmarc=pass header.from=welcome.americanexpress.com;"@relay.evil.example',
        '"x;dkim=pass header.d=americanexpress.com"@relay.evil.example',
        '"x; dkim=pass (ok) header.d=welcome.americanexpress.com; y"@relay.evil.example',
    ])
    def test_quoted_mail_from_smuggles_no_pass(self, world, keys, directory, mail_from):
        # The receiver's own header, honestly quoting the attacker's MAIL FROM.
        stamped = f"Authentication-Results: mx.icloud.com; spf=pass smtp.mailfrom={mail_from}; dkim=none\r\n"
        for offline in (True, False):
            options = {"trust_authserv": ["mx.icloud.com"], "offline": offline}
            verdict = verify(stamped.encode() + message(), world[1], directory, **options)
            assert verdict.authentication.authenticated_domain is None and verdict.verdict != "genuine"
            assert "authres.trusted_pass" not in codes(verdict)

    def test_a_pass_inside_a_comment_is_no_pass(self, world, directory):
        forged = (b"Authentication-Results: mx.icloud.com; dkim=none (dkim=pass header.d=americanexpress.com; "
                  b"dmarc=pass header.from=welcome.americanexpress.com)\r\n")
        verdict = verify(forged + message(), world[1], directory, trust_authserv=["mx.icloud.com"], offline=True)
        assert verdict.authentication.authenticated_domain is None and verdict.verdict != "genuine"

    def test_second_header_with_the_trusted_id_is_tampering(self, world, keys, directory):
        own = b"Authentication-Results: mx.icloud.com; dkim=none; dmarc=none\r\n"
        forged = (b"Authentication-Results: mx.icloud.com; dkim=pass header.d=welcome.americanexpress.com; "
                  b"dmarc=pass header.from=welcome.americanexpress.com\r\n")
        for raw in (own + forged + message(), forged + own + message()):
            verdict = verify(raw, world[1], directory, trust_authserv=["mx.icloud.com"], offline=True)
            assert verdict.verdict == "phishing" and "authres.tampered_duplicate" in verdict.decisive
            assert verdict.authentication.trusted_results is None
            rendered(verdict)

    def test_header_below_the_receivers_block_is_the_senders(self, world, directory):
        entry = RECEIVED.format(ip="203.0.113.9").encode()
        forged = (b"Authentication-Results: mx.icloud.com; dmarc=pass header.from=welcome.americanexpress.com\r\n")
        # The sender's own headers start with a Received from its relay; the forged header sits below.
        relay = b"Received: from laptop by relay.evil.example; Fri, 21 Nov 2025 23:27:00 +0900\r\n"
        for raw in (entry + relay + forged + message(), entry + message(headers={"X-Mailer": "x"}).replace(
                b"\r\n\r\n", b"\r\n" + forged.rstrip(b"\r\n") + b"\r\n\r\n", 1)):
            verdict = verify(raw, world[1], directory, trust_authserv=["mx.icloud.com"], offline=True)
            assert verdict.authentication.authenticated_domain is None
            assert "authres.tampered_below" in codes(verdict) and verdict.verdict == "phishing"

    def test_the_receivers_own_header_above_its_received_line_counts(self, world, keys, directory):
        stamped = (b"Authentication-Results: mx.icloud.com; dkim=pass header.d=welcome.americanexpress.com; "
                   b"dmarc=pass (p=REJECT) header.from=welcome.americanexpress.com\r\n")
        entry = RECEIVED.format(ip="192.0.2.25").encode()
        verdict = verify(stamped + entry + genuine(keys), world[1], directory, trust_authserv=["mx.icloud.com"],
                         offline=True)
        assert verdict.verdict == "genuine" and verdict.authentication.authenticated_domain == AMEX
        # Just below its Received line is where the received mail's own first header sits: a sender can
        # put a stamp there, so it is never the receiver's.
        verdict = verify(entry + stamped + genuine(keys), world[1], directory, trust_authserv=["mx.icloud.com"],
                         offline=True)
        assert verdict.verdict != "genuine" and verdict.authentication.authenticated_domain is None

    def test_trusted_pass_never_outranks_a_live_failure(self, world, keys, directory):
        stamped = (b"Authentication-Results: mx.icloud.com; dkim=pass header.d=welcome.americanexpress.com; "
                   b"dmarc=pass header.from=welcome.americanexpress.com\r\n")
        signed = genuine(keys)
        changed = signed[:-8] + b"XXXX" + signed[-4:]  # the body changed after the receiver checked it
        verdict = verify(stamped + changed, world[1], directory, trust_authserv=["mx.icloud.com"])
        assert verdict.authentication.authenticated_domain is None and verdict.verdict == "phishing"
        assert "authres.trusted_refuted" in codes(verdict)
        # A key rotated away since delivery only means the live check cannot verify: the receiver counts.
        rotated = sign(message(), keys["amex"], AMEX, selector="rotated")
        kept = verify(stamped + rotated, world[1], directory, trust_authserv=["mx.icloud.com"])
        assert kept.authentication.dkim[0].reason == "dkim.key_missing"
        assert kept.verdict == "genuine" and kept.authentication.authenticated_domain == AMEX

    def test_unparseable_header_with_the_trusted_id_trusts_nothing(self, world, directory):
        broken = b"Authentication-Results: mx.icloud.com; dkim\r\n"
        verdict = verify(broken + message(), world[1], directory, trust_authserv=["mx.icloud.com"], offline=True)
        assert "authres.tampered_unreadable" in codes(verdict) and verdict.verdict != "genuine"
        rendered(verdict)


class TestReceivedAttacks:
    """Issue 11 class 2: the connecting IP comes only from the receiver's own entry line at the top."""

    def _spf(self, raw, world, directory):
        return verify(raw, world[1], directory, trust_authserv=["mx.icloud.com"])

    def test_fake_received_below_the_receivers_own(self, world, directory):
        real = RECEIVED.format(ip="203.0.113.9").encode()
        fake = RECEIVED.format(ip="192.0.2.25").encode()
        verdict = self._spf(ENVELOPE.encode() + real + fake + message(), world, directory)
        assert verdict.authentication.spf == "fail" and verdict.verdict != "genuine"

    def test_receivers_line_without_an_ip_does_not_fall_through(self, world, directory):
        real = (b"Received: from unknown by mx.icloud.com with ESMTPS; Fri, 21 Nov 2025 23:28:01 +0900\r\n")
        fake = RECEIVED.format(ip="192.0.2.25").encode()
        verdict = self._spf(ENVELOPE.encode() + real + fake + message(), world, directory)
        assert verdict.authentication.spf == "not_checked" and verdict.authentication.authenticated_domain is None

    def test_a_foreign_hop_on_top_hides_the_receiver(self, world, directory):
        top = b"Received: from mx.icloud.com (mx.icloud.com [198.51.100.7]) by relay.evil.example; Fri, 21 Nov 2025\r\n"
        fake = RECEIVED.format(ip="192.0.2.25").encode()
        verdict = self._spf(top + ENVELOPE.encode() + fake + message(), world, directory)
        assert verdict.authentication.spf == "not_checked" and verdict.verdict != "genuine"

    def test_envelope_sender_from_the_senders_headers_is_not_used(self, world, directory):
        entry = RECEIVED.format(ip="192.0.2.25").encode()
        raw = entry + message(headers={"Return-Path": "<bounce@americanexpress.com>"})
        verdict = self._spf(raw, world, directory)
        assert verdict.authentication.spf == "not_checked" and "spf.no_envelope" in codes(verdict)
        assert verdict.verdict != "genuine"
        rendered(verdict)

    def test_internal_hops_above_the_entry_are_the_receivers(self, world, directory):
        internal = b"Received: by 2002:a05:6f02:1234 with SMTP id x; Fri, 21 Nov 2025 23:28:02 +0900\r\n"
        relay = b"Received: from mx01.mx.icloud.com (mx01.mx.icloud.com [17.0.0.1]) by mx02.mx.icloud.com; Fri\r\n"
        raw = ENVELOPE.encode() + internal + relay + RECEIVED.format(ip="192.0.2.25").encode() + message()
        verdict = self._spf(raw, world, directory)
        assert verdict.authentication.spf == "pass" and verdict.verdict == "genuine"


class TestSignatureCoverage:
    """Issue 11 class 4: what the reader sees must be what was signed."""

    def _check(self, raw, world, directory):
        verdict = verify(raw, world[1], directory)
        rendered(verdict)
        return verdict

    def test_signature_without_from_is_ignored(self, world, keys, directory):
        raw = sign(message(), keys["amex"], AMEX, without_from=True)
        verdict = self._check(raw, world, directory)
        assert verdict.authentication.dkim[0].reason == "dkim.from_unsigned"
        assert verdict.authentication.authenticated_domain is None and verdict.verdict == "phishing"
        # Riding along with a signature by the attacker's own domain changes nothing.
        both = sign(raw, keys["other"], "evil.example")
        assert self._check(both, world, directory).verdict == "phishing"

    def test_rsa_sha1_is_not_accepted(self, world, keys, directory):
        raw = sign(message(), keys["amex"], AMEX, algorithm=b"rsa-sha1")
        verdict = self._check(raw, world, directory)
        assert verdict.authentication.dkim[0].reason == "dkim.sha1_refused"
        assert verdict.authentication.authenticated_domain is None and verdict.verdict != "genuine"

    def test_key_in_testing_mode_does_not_count(self, world, keys, directory):
        raw = sign(message(), keys["amex"], AMEX, selector="testing")
        verdict = self._check(raw, world, directory)
        assert verdict.authentication.dkim[0].reason == "dkim.key_testing"
        assert verdict.authentication.authenticated_domain is None and verdict.verdict != "genuine"

    @pytest.mark.parametrize("added", [
        "\r\n偽のお知らせ：https://www.americanexpress.com/ の代わりに 0570-000-000 へお電話ください。\r\n",
        "\r\n--extra\r\nContent-Type: text/html\r\n\r\n<a href='https://evil.example/'>login</a>\r\n",
    ])
    def test_text_after_the_signed_length(self, world, keys, directory, added):
        raw = sign(message(), keys["amex"], AMEX, length=True) + added.encode()
        verdict = self._check(raw, world, directory)
        assert verdict.authentication.dkim[0].reason == "dkim.body_extended"
        assert verdict.authentication.authenticated_domain is None and verdict.verdict == "phishing"
        # l= covering exactly the body proves the whole body.
        whole = self._check(sign(message(), keys["amex"], AMEX, length=True), world, directory)
        assert whole.verdict == "genuine"

    @pytest.mark.parametrize("header", [
        "To: netflix.a1b2@icloud.com", "To: amex.7f3k@icloud.com", "Subject: 【重要】カードを再登録してください",
        "Reply-To: support@evil.example", "Content-Type: text/html; charset=utf-8",
        "From: American Express <Americanexpress@welcome.americanexpress.com>",
    ])
    def test_unsigned_header_above_the_signed_one(self, world, keys, directory, header):
        signed = sign(message(headers={"Reply-To": "help@welcome.americanexpress.com"}), keys["amex"], AMEX,
                      headers=[b"from", b"to", b"subject", b"reply-to", b"content-type", b"date"])
        raw = header.encode() + b"\r\n" + signed  # on top, where a mail app looks first
        verdict = self._check(raw, world, directory)
        assert verdict.authentication.authenticated_domain is None and verdict.verdict != "genuine"
        assert verdict.authentication.dkim[0].reason in ("dkim.unsigned_header", "dkim.signature_mismatch")

    def test_subject_or_to_not_signed(self, world, keys, directory):
        for covered in ([b"from", b"to", b"date"], [b"from", b"subject", b"date"]):
            verdict = self._check(sign(message(), keys["amex"], AMEX, headers=covered), world, directory)
            assert verdict.authentication.dkim[0].reason == "dkim.headers_uncovered"
            assert verdict.authentication.authenticated_domain is None and verdict.verdict != "genuine"


class TestDmarcEdges:
    """Issue 11 class 7 and issue 12 class 2, through the whole check."""

    @staticmethod
    def utf8_from(address: str) -> bytes:
        """A From line in UTF-8 as RFC 6532 mail carries it (the email package would encode it wrongly)."""
        return message(sender="info@example.jp", display="Shop").replace(
            b"From: Shop <info@example.jp>", f"From: Shop <{address}>".encode())

    @pytest.fixture(scope="class")
    @classmethod
    def idn(cls, keys):
        zone = Zone()
        zone.add_txt("s1._domainkey.xn--eckwd4c7c.jp", keys["other"].txt)
        zone.add_txt("_dmarc.xn--eckwd4c7c.jp", "v = DMARC1 ; p = reject ; adkim = s")
        zone.add_txt("s1._domainkey.mail.xn--eckwd4c7c.jp", keys["other"].txt)
        with dns_server(zone) as address:
            yield address

    def test_unicode_from_domain_matches_punycode_d(self, idn, keys, directory):
        raw = sign(self.utf8_from("info@ドメイン.jp"), keys["other"], "xn--eckwd4c7c.jp")
        verdict = verify(raw, idn, directory)
        assert verdict.authentication.dmarc.result == "pass" and verdict.authentication.authenticated_domain

    def test_spaces_around_equals_keep_strict_alignment(self, idn, keys, directory):
        raw = sign(self.utf8_from("info@ドメイン.jp"), keys["other"], "mail.xn--eckwd4c7c.jp")
        verdict = verify(raw, idn, directory)
        assert verdict.authentication.dmarc.result == "fail" and verdict.authentication.dmarc.policy == "reject"
        assert verdict.authentication.authenticated_domain is None

    @pytest.mark.parametrize("sender", ["x@.americanexpress.com", "x@welcome..americanexpress.com",
                                        "x@" + "a" * 64 + ".americanexpress.com"])
    def test_from_domain_that_is_no_dns_name(self, world, keys, directory, sender):
        raw = sign(message(sender=sender), keys["amex"], AMEX)
        verdict = verify(raw, world[1], directory)
        rendered(verdict)
        assert verdict.verdict != "genuine"
        assert "dmarc.invalid_domain" in codes(verdict) and verdict.authentication.authenticated_domain is None

    @pytest.mark.parametrize("from_line", [
        "American Express <Americanexpress@welcome.americanexpress.com>, Support <help@evil.example>",
        "help@evil.example, Americanexpress@welcome.americanexpress.com",
        "Americanexpress@welcome.americanexpress.com, other@welcome.americanexpress.com",
    ])
    def test_from_line_with_two_addresses(self, world, keys, directory, from_line):
        raw = message().replace(b"From: American Express <Americanexpress@welcome.americanexpress.com>",
                                f"From: {from_line}".encode())
        verdict = verify(sign(raw, keys["amex"], AMEX), world[1], directory)
        assert "auth.from_ambiguous" in codes(verdict)
        assert verdict.authentication.authenticated_domain is None and verdict.verdict != "genuine"
        rendered(verdict)

    def test_failing_arc_chain_gives_a_reason(self, world, keys, directory):
        import dkim

        zone, address = world
        zone.add_txt("arc._domainkey.forwarder.example", keys["other"].txt)
        stamped = b"Authentication-Results: mx.forwarder.example; dkim=pass header.d=welcome.americanexpress.com\r\n"
        stamped += genuine(keys)
        sealed = b"".join(dkim.arc_sign(stamped, b"arc", b"forwarder.example", keys["other"].pem,
                                        b"mx.forwarder.example", include_headers=[b"from", b"to", b"subject"]))
        broken = (sealed + stamped).replace(b"\r\nSubject: ", b"\r\nSubject: RE: ", 1)
        verdict = verify(broken, address, directory)
        arc = next(f for f in verdict.as_json("en")["findings"] if f["code"] == "arc.fail")
        assert "None" not in arc["message"] and arc["message"].split(": ", 1)[1].strip()


class TestLimits:
    """Issue 12 class 1: the work one mail can cause is bounded, and out of bounds is never genuine."""

    @pytest.fixture(scope="class")
    @classmethod
    def big(cls, keys):
        zone = HostileZone()
        zone.add_txt(f"huge._domainkey.{AMEX}", fake_rsa_key_txt(16384))
        zone.add_txt(f"e._domainkey.{AMEX}", fake_rsa_key_txt(4096, exponent=(1 << 3000) + 1))
        zone.add_txt(f"s1._domainkey.{AMEX}", keys["amex"].txt)
        zone.add_txt("_dmarc.americanexpress.com", "v=DMARC1; p=reject")
        for i in range(12):
            zone.add_txt(f"s{i}._domainkey.evil.example", keys["other"].txt)
        zone.add_txt("_dmarc.slow.example", "v=DMARC1; p=none")
        zone.misbehave("_dmarc.slow.example", "slow")
        zone.misbehave(f"slow._domainkey.{AMEX}", "slow")
        with dns_server(zone) as address:
            yield zone, address

    def test_huge_keys_are_refused_before_verifying(self, big, keys, directory):
        raw = genuine(keys)
        for selector in ("huge", "huge", "huge", "huge"):
            raw = sign(raw, keys["amex"], AMEX, selector=selector)
        verdict = verify(raw, big[1], directory)
        assert [d.reason for d in verdict.authentication.dkim[:4]] == ["dkim.key_too_large"] * 4
        assert verdict.authentication.dkim[4].reason == "dkim.pass"  # the real one still counts
        rendered(verdict)
        alone = verify(sign(message(), keys["amex"], AMEX, selector="huge"), big[1], directory)
        assert alone.authentication.authenticated_domain is None and alone.verdict != "genuine"

    def test_huge_public_exponent_is_refused(self, big, keys, directory):
        verdict = verify(sign(message(), keys["amex"], AMEX, selector="e"), big[1], directory)
        assert verdict.authentication.dkim[0].reason == "dkim.key_invalid" and verdict.verdict != "genuine"

    def test_signatures_tried_are_capped(self, big, keys, directory):
        raw = message()
        for i in range(8):
            raw = sign(raw, keys["other"], "evil.example", selector=f"s{i}")
        raw = sign(raw, keys["amex"], AMEX)  # on top: tried first
        verdict = verify(raw, big[1], directory)
        assert len(verdict.authentication.dkim) == 5 and "dkim.too_many" in codes(verdict)
        rendered(verdict)

    def test_lookups_per_mail_are_capped(self, world, keys, directory):
        raw = genuine(keys)
        for i in range(4):
            raw = sign(raw, keys["other"], "evil.example", selector=f"s{i}")
        verdict = verify(raw, world[1], directory, dns_max_lookups=3)
        assert "auth.too_many_lookups" in codes(verdict)
        assert verdict.authentication.authenticated_domain is None and verdict.verdict != "genuine"
        rendered(verdict)

    def test_time_budget(self, big, keys, directory):
        raw = sign(message(), keys["amex"], AMEX, selector="slow")
        raw = sign(raw, keys["amex"], AMEX)
        verdict = verify(raw, big[1], directory, dns_budget=0.3, dns_timeout=2)
        assert "auth.out_of_time" in codes(verdict)
        assert verdict.authentication.authenticated_domain is None and verdict.verdict != "genuine"
        rendered(verdict)

    def test_spf_lookup_limits_of_rfc7208(self, directory):
        zone = Zone()
        # An include loop, and a chain of eleven DNS-querying terms: both permerror, never a hang.
        zone.add_txt("loop.example", "v=spf1 include:loop.example -all")
        zone.add_txt("many.example", "v=spf1 " + " ".join(f"a:h{i}.many.example" for i in range(11)) + " -all")
        zone.add_txt("void.example", "v=spf1 a:n1.void.example a:n2.void.example a:n3.void.example -all")
        with dns_server(zone) as address:
            for domain in ("loop.example", "many.example", "void.example"):
                raw = (f"Return-Path: <x@{domain}>\r\n" + RECEIVED.format(ip="192.0.2.25")).encode() + message(
                    sender=f"x@{domain}", display="")
                verdict = verify(raw, address, directory, trust_authserv=["mx.icloud.com"])
                assert verdict.authentication.spf == "permerror", domain
                rendered(verdict)
