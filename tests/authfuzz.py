"""Hostile DNS and mutated authentication headers for fuzzing `check` on its live path (issue 12).

Shared by the suite's Hypothesis test (tests/test_fuzz_auth_live.py, CI-sized) and the deeper run
in benchmarks (`python3 tasks.py bench fuzz-auth N`): both pick mutations through a Chooser, one
backed by Hypothesis, one by a seeded random.Random.

A crash is a traceback (any exception but a UserError), a message that does not render in both
languages, `genuine` without established authentication, or a check slower than its time budget.
"""

from __future__ import annotations

import base64
import random
import time
from typing import Protocol, Sequence

from authkit import HostileZone, fake_rsa_key_txt, sign
from cardguard.errors import UserError
from cardguard.verify import CheckOptions, check_message
from mailkit import Key, message

AMEX = "welcome.americanexpress.com"
HOSTILE = "h.example"
TRUSTED = "mx.icloud.com"
# Per-query timeout and per-mail budget for the fuzz: small, so a hostile answer costs little.
TIMEOUT = 0.25
BUDGET = 1.5
# A check may overrun its DNS budget by the CPU work after the last look-up; more than this is a stall.
SLACK = 2.0

SELECTORS = ["s1", "servfail", "refused", "empty", "drop", "slow", "bigtxt", "badb64", "huge", "many", "trunc",
             "testing", "revoked", "ed", "nothing"]
DOMAINS = [AMEX, "americanexpress.com", HOSTILE, "evil.example", "", ".", "a..b", "x" * 70 + ".com",
           "ドメイン.jp", "xn--eckwd4c7c.jp", "-bad-.example", "loop.example", "many.example", "void.example",
           "servfail.example", "drop.example", "localhost", "192.0.2.1", "[192.0.2.1]"]
IPS = ["192.0.2.25", "203.0.113.9", "2001:db8::1", "999.1.1.1", "IPv6:::1", "", "0.0.0.0", "::ffff:192.0.2.25"]
JUNK = ["", ";", "=", "\"", "(", ")", "((x)", "\\", "\x00", "\u202e", "=?utf-8?b?44OJ?=", "a" * 300, "; ;;", "\t"]


_SIGNING_KEY: Key | None = None  # the issuer's key, for real signatures that send the check to a hostile key


class Chooser(Protocol):
    def choice(self, options: Sequence): ...
    def integer(self, low: int, high: int) -> int: ...


class RandomChooser:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def choice(self, options: Sequence):
        return options[self.rng.randrange(len(options))]

    def integer(self, low: int, high: int) -> int:
        return self.rng.randint(low, high)


def world(keys: dict[str, Key]) -> HostileZone:
    """A zone with honest records for the issuer and every kind of hostile answer around them."""
    global _SIGNING_KEY
    _SIGNING_KEY = keys["amex"]
    zone = HostileZone()
    zone.delay = 0.1
    amex = keys["amex"].txt
    for domain in (AMEX, HOSTILE):
        zone.add_txt(f"s1._domainkey.{domain}", amex)
        zone.add_txt(f"testing._domainkey.{domain}", amex + "; t=y")
        zone.add_txt(f"slow._domainkey.{domain}", amex)
        zone.add_txt(f"bigtxt._domainkey.{domain}", "v=DKIM1; p=" + "A" * 20000)
        zone.add_txt(f"badb64._domainkey.{domain}", "v=DKIM1; k=rsa; p=!!!not*base64===")
        zone.add_txt(f"huge._domainkey.{domain}", fake_rsa_key_txt(16384))
        zone.add_txt(f"trunc._domainkey.{domain}", amex[: len(amex) // 2])
        zone.add_txt(f"revoked._domainkey.{domain}", "v=DKIM1; k=rsa; p=")
        zone.add_txt(f"ed._domainkey.{domain}", "v=DKIM1; k=ed25519; p=" + base64.b64encode(b"x" * 31).decode())
        for i in range(30):
            zone.add_txt(f"many._domainkey.{domain}", f"v=DKIM1; k=rsa; p=junk{i}")
        for how in ("servfail", "refused", "empty", "drop"):
            zone.misbehave(f"{how}._domainkey.{domain}", how)
        zone.misbehave(f"slow._domainkey.{domain}", "slow")
    zone.add_txt("_dmarc.americanexpress.com", "v=DMARC1; p=reject; rua=mailto:d@americanexpress.com")
    zone.add_txt("americanexpress.com", "v=spf1 ip4:192.0.2.0/24 -all")
    zone.add_txt(f"_dmarc.{HOSTILE}", "v=DMARC1; p=reject")
    zone.add_txt(f"_dmarc.{HOSTILE}", "v=DMARC1; p=none")
    zone.add_txt("_dmarc.evil.example", "v=DMARC1; p=" + "x" * 3000)
    zone.add_txt("loop.example", "v=spf1 include:loop.example -all")
    zone.add_txt("many.example", "v=spf1 " + " ".join(f"a:h{i}.many.example" for i in range(15)) + " -all")
    zone.add_txt("void.example", "v=spf1 a:n1.void.example a:n2.void.example a:n3.void.example ~all")
    for i in range(40):
        zone.add_txt("many.example", f"junk record {i} " + "y" * 200)
    for how in ("servfail", "drop"):
        zone.misbehave(f"{how}.example", how)
        zone.misbehave(f"_dmarc.{how}.example", how)
    return zone


def _b64(c: Chooser) -> str:
    return c.choice(["", "!!!", base64.b64encode(bytes(c.integer(0, 300))).decode(), "AAAA" * c.integer(0, 200),
                     "dGVzdA==", " = ", "Zm9v\r\n\tYmFy"])


def _dkim_signature(c: Chooser) -> str:
    tags = [
        ("v", c.choice(["1", "1", "1", "2", "", "1; v=1"])),
        ("a", c.choice(["rsa-sha256", "rsa-sha256", "rsa-sha1", "ed25519-sha256", "hmac-md5", ""])),
        ("c", c.choice(["relaxed/relaxed", "simple/simple", "relaxed", "bogus/x", ""])),
        ("d", c.choice(DOMAINS)),
        ("s", c.choice(SELECTORS + ["", "a.b", "x" * 80])),
        ("h", c.choice(["from:to:subject:date:message-id", "to:subject", "from", "from:from:to:subject:subject",
                        "", "x" * 300, "From : To : Subject", "dkim-signature:from"])),
        ("l", c.choice([None, "0", "10", "99999999999999999999", "-5", "abc", "1" * 80])),
        ("t", c.choice([None, "0", "1", "99999999999", "x"])),
        ("x", c.choice([None, "0", "1", "99999999999", "x"])),
        ("i", c.choice([None, "@" + AMEX, "x@evil.example", "@"])),
        ("bh", _b64(c)),
        ("b", _b64(c)),
    ]
    parts = [f"{k}={v}" for k, v in tags if v is not None and c.integer(0, 19) > 0]
    if c.integer(0, 4) == 0:
        parts.insert(c.integer(0, len(parts)), c.choice(JUNK))
    return "DKIM-Signature: " + c.choice(["; ", ";", " ;\r\n\t"]).join(parts)


def _authentication_results(c: Chooser) -> str:
    ident = c.choice([TRUSTED, "mx.other.example", "", f"(comment) {TRUSTED}", '"quoted"', f"{TRUSTED} 1",
                      f"{TRUSTED}.evil.example"])
    methods = []
    for _ in range(c.integer(0, 4)):
        method = c.choice(["dkim", "spf", "dmarc", "arc", "auth", "x-junk", "dkim-adsp", ""])
        result = c.choice(["pass", "fail", "none", "neutral", "garbage", "PASS", ""])
        props = " ".join(c.choice([
            f"header.d={c.choice(DOMAINS)}", f"header.from={c.choice(DOMAINS)}", f"header.i=@{c.choice(DOMAINS)}",
            f'smtp.mailfrom="x;dkim=pass header.d={AMEX}"@relay', "policy.dmarc=reject", "(nested (comment))",
            "(unbalanced", "reason=\"x\"", c.choice(JUNK)]) for _ in range(c.integer(0, 3)))
        methods.append(f"{method}={result} {props}".strip())
    return f"Authentication-Results: {ident}; " + "; ".join(methods or ["none"])


def _arc(c: Chooser) -> list[str]:
    i = c.choice(["1", "2", "0", "50", "51", "x", ""])
    d, s = c.choice(DOMAINS), c.choice(SELECTORS)
    headers = [
        f"ARC-Seal: i={i}; a=rsa-sha256; cv={c.choice(['none', 'pass', 'fail', 'junk'])}; d={d}; s={s}; "
        f"t=12345; b={_b64(c)}",
        f"ARC-Message-Signature: i={i}; a=rsa-sha256; c=relaxed/relaxed; d={d}; s={s}; "
        f"h={c.choice(['from:to:subject', 'arc-seal:from', ''])}; bh={_b64(c)}; b={_b64(c)}",
        f"ARC-Authentication-Results: i={i}; {c.choice([TRUSTED, 'x'])}; dkim=pass header.d={AMEX}",
    ]
    return [h for h in headers if c.integer(0, 5) > 0]


def _received(c: Chooser) -> str:
    host = c.choice(DOMAINS + [TRUSTED, "mx01.mx.icloud.com"])
    return (f"Received: from {host} ({host} [{c.choice(IPS)}])\r\n by {c.choice([TRUSTED, 'mx02.mx.icloud.com', 'relay.evil.example', ''])}"
            f" with ESMTPS id x; Fri, 21 Nov 2025 23:28:01 +0900")


def _from(c: Chooser) -> str:
    return "From: " + c.choice([
        f"American Express <Americanexpress@{AMEX}>", f"a@{AMEX}, b@evil.example", f"x@{c.choice(DOMAINS)}",
        "undisclosed-recipients:;", "", "<>", f"=?utf-8?b?{base64.b64encode('アメックス'.encode()).decode()}?= <a@{AMEX}>",
        "a@b@c", f"\"x@{AMEX}\" <a@evil.example>", "x" * 2000, f"a@{AMEX}" + ", " * 50 + "b@c.example",
    ])


def _return_path(c: Chooser) -> str:
    return f"Return-Path: <{c.choice(['', 'x@'])}{c.choice(DOMAINS)}>"


def mutate(raw: bytes, c: Chooser) -> bytes:
    head, sep, body = raw.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    for _ in range(c.integer(1, 5)):
        kind = c.integer(0, 8)
        if kind == 8 and _SIGNING_KEY is not None:
            # A real signature, so that the check goes on to fetch a (hostile) key and verify.
            current = b"\r\n".join(lines) + sep + body
            try:
                signed = sign(current, _SIGNING_KEY, c.choice([AMEX, HOSTILE]), c.choice(SELECTORS),
                              headers=c.choice([None, [b"from"], [b"from", b"to", b"subject", b"reply-to"]]),
                              algorithm=c.choice([b"rsa-sha256", b"rsa-sha256", b"rsa-sha1"]),
                              length=c.choice([False, True]), without_from=c.choice([False, False, True]))
            except Exception:  # noqa: BLE001 - dkimpy refusing to sign a mutated message is no finding
                continue
            head, sep, body = signed.partition(b"\r\n\r\n")
            lines = head.split(b"\r\n")
            continue
        if kind == 0:
            new = [_dkim_signature(c)]
        elif kind == 1:
            new = [_authentication_results(c)]
        elif kind == 2:
            new = _arc(c)
        elif kind == 3:
            new = [_received(c)]
        elif kind == 4:
            lines = [line for line in lines if not line.lower().startswith(b"from:")]
            new = [_from(c)]
        elif kind == 5:
            new = [_return_path(c)]
        elif kind == 6:
            # A copy of a header already there (duplicated To, Subject, From...).
            new = [c.choice(lines).decode("utf-8", "replace")] if lines else []
        else:
            body = body + c.choice([b"\r\nappended text\r\n", b"", b"\r\n--x--\r\n", b"\r\n" * 3])
            continue
        at = c.choice([0, 0, c.integer(0, len(lines))])  # mostly on top, where a receiver's headers go
        lines[at:at] = [h.encode("utf-8", "surrogatepass") for h in new]
    return b"\r\n".join(lines) + sep + body


def base_mails(keys: dict[str, Key]) -> list[bytes]:
    """Genuine mails to start from: signed by the issuer, and as the trusted receiver delivered it."""
    signed = sign(message(), keys["amex"], AMEX)
    received = ("Return-Path: <bounce@americanexpress.com>\r\n"
                f"Authentication-Results: {TRUSTED}; dkim=pass header.d={AMEX}; dmarc=pass header.from={AMEX}\r\n"
                f"Received: from mta.{AMEX} (mta.{AMEX} [192.0.2.25])\r\n by {TRUSTED} with ESMTPS; Fri, 21 Nov 2025\r\n")
    return [signed, received.encode() + signed]


def options(address) -> CheckOptions:
    return CheckOptions(resolver=address, trust_authserv=[TRUSTED], aliases=["amex.7f3k@icloud.com"],
                        dns_timeout=TIMEOUT, dns_budget=BUDGET)


def run_one(raw: bytes, directory, address) -> str | None:
    """None when `check` answered properly; otherwise what went wrong."""
    started = time.monotonic()
    try:
        verdict = check_message(raw, directory, options(address))
    except UserError:
        return None
    except Exception as exc:  # noqa: BLE001 - exactly what the fuzz looks for
        return f"{type(exc).__name__}: {exc}"[:300]
    elapsed = time.monotonic() - started
    try:
        for lang in ("ja", "en"):
            verdict.as_json(lang)
    except Exception as exc:  # noqa: BLE001
        return f"rendering: {type(exc).__name__}: {exc}"[:300]
    if verdict.verdict == "genuine" and not verdict.authentication.authenticated_domain:
        return "genuine without established authentication"
    if elapsed > BUDGET + SLACK:
        return f"slow: {elapsed:.1f} s for a budget of {BUDGET} s"
    return None
