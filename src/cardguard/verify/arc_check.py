"""ARC: the chain of custody that forwarders add. Informative only: it never makes mail genuine."""

from __future__ import annotations

import dkim

from cardguard.verify.dkim_check import _QUIET
from cardguard.verify.model import Finding, finding
from cardguard.verify.resolver import Resolver


def check_arc(raw: bytes, resolver: Resolver) -> tuple[str, list[Finding]]:
    if b"arc-seal" not in raw[:200_000].lower():
        return "none", []
    try:
        cv, _results, comment = dkim.arc_verify(raw, logger=_QUIET, dnsfunc=resolver.dkim_txt, timeout=resolver.timeout)
    except Exception as exc:  # noqa: BLE001 - malformed ARC sets
        return "fail", [finding("arc.fail", "warn", str(exc)[:120])]
    result = cv.decode() if isinstance(cv, bytes) else str(cv)
    if result == "pass":
        return "pass", [finding("arc.pass", "info")]
    if result == "none":
        return "none", []
    return result, [finding("arc.fail", "warn", str(comment)[:120])]
