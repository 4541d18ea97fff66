"""DKIM: every signature checked on its own, each failure named for what it means.

A signature "counts" (result ``pass``) only when it proves what the reader sees: it covers From,
Subject and To, every occurrence of the headers a mail app shows, and the whole body, with an
algorithm and a key RFC 8301 accepts, from a key not in testing mode. A signature that verifies but
does not prove that gets the RFC 8601 result ``policy``: it is reported, and DMARC does not count it.

The work a mail can cause is bounded: at most MAX_SIGNATURES signatures are tried, and RSA keys
outside 1024-4096 bits are refused before any verification (dkimpy verifies in pure Python, and the
sender chooses the key).
"""

from __future__ import annotations

import logging

import dkim
from dkim.canonicalization import CanonicalizationPolicy

from cardguard.verify.model import DkimResult, Finding, finding
from cardguard.verify.resolver import DnsBadName, DnsUnavailable, Resolver

MAX_SIGNATURES = 5
MIN_KEY_BITS = 1024  # RFC 8301 §3.2: smaller keys must not be accepted
MAX_KEY_BITS = 4096  # RFC 8301 §3.2: verifiers must be able to validate up to 4096 bits; larger costs seconds
MAX_EXPONENT_BITS = 32
# What the reader sees of the headers: each must be signed as often as it occurs.
SHOWN_HEADERS = (b"from", b"to", b"cc", b"subject", b"reply-to", b"sender", b"date", b"content-type",
                 b"content-transfer-encoding", b"mime-version")
# What a signature must cover to vouch for the message a holder reads.
REQUIRED_HEADERS = (b"subject", b"to")
# Reasons a signature did not count that say nothing about forgery: the check could not be made,
# or the signer's own setup falls short of what cardguard asks. An official sender whose DMARC fails
# only for these reasons is "not established", not caught forging.
from cardguard.verify.auth_codes import UNVERIFIABLE_DKIM as UNVERIFIABLE  # noqa: E402,F401  (one list, no DNS import)

_QUIET = logging.getLogger("cardguard.dkim")
_QUIET.addHandler(logging.NullHandler())
_QUIET.propagate = False


def _text(value: bytes) -> str:
    return value.decode("ascii", "replace")


def check_dkim(raw: bytes, resolver: Resolver) -> tuple[list[DkimResult], list[Finding]]:
    try:
        signer = dkim.DKIM(raw, logger=_QUIET, minkey=MIN_KEY_BITS, timeout=resolver.timeout)
    except Exception:  # noqa: BLE001 - a message dkimpy cannot even split into header and body
        return [], [finding("dkim.unreadable", "warn")]
    count = sum(1 for name, _ in signer.headers if name.lower() == b"dkim-signature")
    if count == 0:
        return [], [finding("dkim.none", "warn")]
    results: list[DkimResult] = []
    findings: list[Finding] = []
    for index in range(min(count, MAX_SIGNATURES)):
        result, found = _one(signer, index, resolver)
        results.append(result)
        findings.append(found)
    if count > MAX_SIGNATURES:
        findings.append(finding("dkim.too_many", "warn", str(count), count=count, limit=MAX_SIGNATURES))
    return results, findings


def _result(domain: str, selector: str, result: str, found: Finding) -> tuple[DkimResult, Finding]:
    return DkimResult(domain, selector, result, found.code), found


def _one(signer: dkim.DKIM, index: int, resolver: Resolver) -> tuple[DkimResult, Finding]:
    domain = selector = "?"
    try:
        prepared = signer.verify_headerprep(index)
    except Exception as exc:  # noqa: BLE001 - dkimpy's ValidationError and others on hostile tag lists
        try:
            fields = dkim.util.parse_tag_value(
                [v for n, v in signer.headers if n.lower() == b"dkim-signature"][index])
            domain, selector = _text(fields.get(b"d", b"?")), _text(fields.get(b"s", b"?"))
        except Exception:  # noqa: BLE001 - malformed tag list
            pass
        ev = f"d={domain} s={selector}"
        if "x= value is past" in str(exc):
            return _result(domain, selector, "fail", finding("dkim.expired", "bad", ev, domain=domain))
        if "in the future" in str(exc):
            return _result(domain, selector, "fail", finding("dkim.future", "warn", ev, domain=domain))
        return _result(domain, selector, "permerror",
                       finding("dkim.malformed", "warn", ev, domain=domain, detail=str(exc)[:120]))
    if not prepared:
        return _result(domain, selector, "permerror",
                       finding("dkim.malformed", "warn", "", domain=domain, detail="no signature"))
    sig, include_headers, sigheaders = prepared
    domain, selector = _text(sig[b"d"]).lower(), _text(sig[b"s"])
    ev = f"d={domain} s={selector}"
    signed = list(include_headers)  # dkimpy appends to its own list while verifying

    # RFC 6376 §5.4 and §6.1.1: a signature that does not cover From must be ignored.
    if b"from" not in signed:
        return _result(domain, selector, "permerror", finding("dkim.from_unsigned", "bad", ev, domain=domain))
    # RFC 8301 §3.1: verifiers must not consider rsa-sha1 signatures valid.
    if sig.get(b"a", b"").lower() == b"rsa-sha1":
        return _result(domain, selector, "policy", finding("dkim.sha1_refused", "warn", ev, domain=domain))

    name = f"{selector}._domainkey.{domain}"
    try:
        records = resolver.txt(name)
    except DnsUnavailable:
        return _result(domain, selector, "temperror", finding("dkim.dns_unavailable", "warn", ev, domain=domain))
    except DnsBadName:
        return _result(domain, selector, "permerror", finding(
            "dkim.malformed", "warn", ev, domain=domain, detail="d= and s= make no valid DNS name"))
    if not records:
        return _result(domain, selector, "fail", finding("dkim.key_missing", "bad", ev, domain=domain))
    try:
        signer.pk, signer.keysize, signer.ktag, signer.seqtlsrpt = dkim.evaluate_pk(name.encode(), records[0])
        key_tags = dkim.util.parse_tag_value(records[0])
    except dkim.KeyFormatError as exc:
        if "missing public key" in str(exc):
            return _result(domain, selector, "fail", finding("dkim.key_revoked", "bad", ev, domain=domain))
        return _result(domain, selector, "permerror",
                       finding("dkim.key_invalid", "bad", ev, domain=domain, detail=str(exc)[:120]))
    except Exception as exc:  # noqa: BLE001 - a key record that does not parse
        return _result(domain, selector, "permerror",
                       finding("dkim.key_invalid", "bad", ev, domain=domain, detail=str(exc)[:120]))
    if signer.ktag == b"rsa":
        bits = signer.keysize or 0
        if bits < MIN_KEY_BITS:
            return _result(domain, selector, "fail", finding("dkim.key_too_short", "bad", ev, domain=domain, bits=bits))
        if bits > MAX_KEY_BITS:
            return _result(domain, selector, "policy", finding(
                "dkim.key_too_large", "warn", ev, domain=domain, bits=bits, limit=MAX_KEY_BITS))
        if int(signer.pk.get("publicExponent", 0)).bit_length() > MAX_EXPONENT_BITS:
            return _result(domain, selector, "permerror", finding(
                "dkim.key_invalid", "bad", ev, domain=domain, detail="public exponent too large"))
    try:
        ok = signer.verify_sig_process(sig, include_headers, sigheaders[index], resolver.dkim_txt)
    except dkim.ValidationError as exc:
        if "body hash mismatch" in str(exc):
            return _result(domain, selector, "fail", finding("dkim.body_changed", "bad", ev, domain=domain))
        return _result(domain, selector, "permerror",
                       finding("dkim.malformed", "warn", ev, domain=domain, detail=str(exc)[:120]))
    except dkim.KeyFormatError as exc:
        if "too small" in str(exc):
            return _result(domain, selector, "fail",
                           finding("dkim.key_too_short", "bad", ev, domain=domain, bits=signer.keysize))
        return _result(domain, selector, "permerror",
                       finding("dkim.key_invalid", "bad", ev, domain=domain, detail=str(exc)[:120]))
    except Exception as exc:  # noqa: BLE001
        return _result(domain, selector, "permerror",
                       finding("dkim.malformed", "warn", ev, domain=domain, detail=str(exc)[:120]))
    if not ok:
        return _result(domain, selector, "fail", finding("dkim.signature_mismatch", "bad", ev, domain=domain))

    # Valid. Now: does it vouch for what the reader sees?
    if b"l" in sig:
        try:
            canon = CanonicalizationPolicy.from_c_value(sig.get(b"c", b"simple/simple"))
            body_length = len(canon.canonicalize_body(signer.body))
        except Exception:  # noqa: BLE001 - the signature verified, so this parsed once already
            body_length = -1
        if body_length != int(sig[b"l"]):
            return _result(domain, selector, "policy", finding(
                "dkim.body_extended", "bad", ev, domain=domain, signed=int(sig[b"l"]), length=body_length))
    present = [name.lower() for name, _ in signer.headers]
    for header in SHOWN_HEADERS:
        if present.count(header) > signed.count(header) >= 1 or (header == b"from" and present.count(header) > 1):
            return _result(domain, selector, "policy", finding(
                "dkim.unsigned_header", "bad", ev, domain=domain, header=_text(header).title()))
    missing = [_text(h).title() for h in REQUIRED_HEADERS if h not in signed]
    if missing:
        return _result(domain, selector, "policy", finding(
            "dkim.headers_uncovered", "warn", ev, domain=domain, headers=", ".join(missing)))
    flags = {f.strip() for f in key_tags.get(b"t", b"").split(b":")}
    if b"y" in flags:
        return _result(domain, selector, "policy", finding("dkim.key_testing", "warn", ev, domain=domain))
    return _result(domain, selector, "pass", finding("dkim.pass", "good", ev, domain=domain))
