"""DKIM: every signature checked on its own, each failure named for what it means."""

from __future__ import annotations

import logging

import dkim

from cardguard.verify.model import DkimResult, Finding, finding
from cardguard.verify.resolver import DnsUnavailable, Resolver

MAX_SIGNATURES = 10
_QUIET = logging.getLogger("cardguard.dkim")
_QUIET.addHandler(logging.NullHandler())
_QUIET.propagate = False


def _text(value: bytes) -> str:
    return value.decode("ascii", "replace")


def check_dkim(raw: bytes, resolver: Resolver) -> tuple[list[DkimResult], list[Finding]]:
    try:
        signer = dkim.DKIM(raw, logger=_QUIET, minkey=1024, timeout=resolver.timeout)
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
        findings.append(finding("dkim.too_many", "warn", str(count), count=count))
    return results, findings


def _one(signer: dkim.DKIM, index: int, resolver: Resolver) -> tuple[DkimResult, Finding]:
    domain = selector = "?"

    def done(result: str, code: str, severity: str, **values) -> tuple[DkimResult, Finding]:
        evidence = f"d={domain} s={selector}"
        return DkimResult(domain, selector, result, code), finding(code, severity, evidence, domain=domain, **values)

    try:
        prepared = signer.verify_headerprep(index)
    except dkim.ValidationError as exc:
        try:
            fields = dkim.util.parse_tag_value(
                [v for n, v in signer.headers if n.lower() == b"dkim-signature"][index])
            domain, selector = _text(fields.get(b"d", b"?")), _text(fields.get(b"s", b"?"))
        except Exception:  # noqa: BLE001 - malformed tag list
            pass
        if "x= value is past" in str(exc):
            return done("fail", "dkim.expired", "bad")
        if "in the future" in str(exc):
            return done("fail", "dkim.future", "warn")
        return done("permerror", "dkim.malformed", "warn", detail=str(exc)[:120])
    except (dkim.DKIMException, Exception) as exc:  # noqa: BLE001 - hostile header content
        return done("permerror", "dkim.malformed", "warn", detail=str(exc)[:120])
    if not prepared:
        return done("permerror", "dkim.malformed", "warn", detail="no signature")
    sig, include_headers, sigheaders = prepared
    domain, selector = _text(sig[b"d"]).lower(), _text(sig[b"s"])
    name = f"{selector}._domainkey.{domain}."
    try:
        records = resolver.txt(name)
    except DnsUnavailable:
        return done("temperror", "dkim.dns_unavailable", "warn")
    if not records:
        return done("fail", "dkim.key_missing", "bad")
    try:
        signer.pk, signer.keysize, signer.ktag, signer.seqtlsrpt = dkim.evaluate_pk(name.encode(), records[0])
    except dkim.KeyFormatError as exc:
        if "missing public key" in str(exc):
            return done("fail", "dkim.key_revoked", "bad")
        return done("permerror", "dkim.key_invalid", "bad", detail=str(exc)[:120])
    except Exception as exc:  # noqa: BLE001 - a key record that does not parse
        return done("permerror", "dkim.key_invalid", "bad", detail=str(exc)[:120])
    try:
        ok = signer.verify_sig_process(sig, include_headers, sigheaders[index], resolver.dkim_txt)
    except dkim.ValidationError as exc:
        if "body hash mismatch" in str(exc):
            return done("fail", "dkim.body_changed", "bad")
        return done("permerror", "dkim.malformed", "warn", detail=str(exc)[:120])
    except dkim.KeyFormatError as exc:
        if "too small" in str(exc):
            return done("fail", "dkim.key_too_short", "bad", bits=signer.keysize)
        return done("permerror", "dkim.key_invalid", "bad", detail=str(exc)[:120])
    except Exception as exc:  # noqa: BLE001
        return done("permerror", "dkim.malformed", "warn", detail=str(exc)[:120])
    if not ok:
        return done("fail", "dkim.signature_mismatch", "bad")
    if b"l" in sig:
        # A length limit leaves room for text added after signing.
        return done("pass", "dkim.pass_partial_body", "warn")
    return done("pass", "dkim.pass", "good")
