"""ARC (RFC 8617): the chain of custody that forwarders add. Informative only: it never makes mail
genuine. A broken chain is reported with the reason the validator gave."""

from __future__ import annotations

import re

import dkim

from cardguard.verify.dkim_check import _QUIET
from cardguard.verify.model import Finding, finding
from cardguard.verify.resolver import Resolver

# RFC 8617 §4.2.1 allows 50 sets; each costs DNS look-ups and a verification, and no real chain
# of forwarders is that long.
MAX_ARC_SETS = 10
_SEAL = re.compile(rb"^arc-seal\s*:", re.IGNORECASE | re.MULTILINE)


def check_arc(raw: bytes, resolver: Resolver) -> tuple[str, list[Finding]]:
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    seals = len(_SEAL.findall(head))
    if not seals:
        return "none", []
    if seals > MAX_ARC_SETS:
        reason = f"{seals} ARC sets, more than the {MAX_ARC_SETS} checked"
        return "fail", [finding("arc.fail", "warn", reason, reason=reason)]
    try:
        cv, _results, comment = dkim.arc_verify(raw, logger=_QUIET, dnsfunc=resolver.dkim_txt, timeout=resolver.timeout)
    except Exception as exc:  # noqa: BLE001 - malformed ARC sets
        reason = str(exc)[:160] or type(exc).__name__
        return "fail", [finding("arc.fail", "warn", reason, reason=reason)]
    result = cv.decode() if isinstance(cv, bytes) else ("fail" if cv is None else str(cv))
    if result == "pass":
        return "pass", [finding("arc.pass", "info")]
    if result == "none":
        return "none", []
    reason = (comment.decode("utf-8", "replace") if isinstance(comment, bytes) else str(comment or ""))[:160]
    reason = reason or "the chain did not validate"
    return "fail", [finding("arc.fail", "warn", reason, reason=reason)]
