"""DMARC (RFC 7489): does an authenticated identity align with the From domain a person reads,
and what does that domain ask receivers to do when none does."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cardguard.verify.domains import registered_domain
from cardguard.verify.model import DkimResult, DmarcResult, Finding, finding

if TYPE_CHECKING:
    from cardguard.verify.resolver import Resolver


def _tags(record: bytes) -> dict[str, str]:
    tags = {}
    for part in record.decode("ascii", "replace").split(";"):
        key, sep, value = part.partition("=")
        if sep:
            tags[key.strip().lower()] = value.strip().lower()
    return tags


def policy_record(domain: str, resolver: Resolver) -> tuple[dict[str, str] | None, bool]:
    """The DMARC record for ``domain`` or, failing that, its organizational domain; and whether it
    was found at the organizational domain."""
    org = registered_domain(domain)
    for name, at_org in ((domain, False), (org, True)):
        if at_org and org == domain:
            break
        records = [r for r in resolver.txt(f"_dmarc.{name}") if r.strip().lower().startswith(b"v=dmarc1")]
        if len(records) == 1:
            return _tags(records[0]), at_org and org != domain
    return None, False


def aligned(identity: str, from_domain: str, mode: str) -> bool:
    identity, from_domain = identity.lower().rstrip("."), from_domain.lower().rstrip(".")
    if mode == "s":
        return identity == from_domain
    return registered_domain(identity) == registered_domain(from_domain)


def check_dmarc(from_domain: str, dkim_results: list[DkimResult], spf_result: str, spf_domain: str | None,
                resolver: Resolver) -> tuple[DmarcResult, list[Finding]]:
    from cardguard.verify.resolver import DnsUnavailable

    if not from_domain:
        return DmarcResult("none", None, False), [finding("dmarc.no_from_domain", "warn")]
    try:
        tags, at_org = policy_record(from_domain, resolver)
    except DnsUnavailable:
        return DmarcResult("temperror", None, False, from_domain), [finding("dmarc.dns_unavailable", "warn")]
    adkim = (tags or {}).get("adkim", "r")
    aspf = (tags or {}).get("aspf", "r")
    by_dkim = [r.domain for r in dkim_results if r.result == "pass" and aligned(r.domain, from_domain, adkim)]
    by_spf = spf_result == "pass" and spf_domain is not None and aligned(spf_domain, from_domain, aspf)
    is_aligned = bool(by_dkim or by_spf)
    via = by_dkim[0] if by_dkim else (spf_domain or "")
    if tags is None:
        code = "dmarc.no_policy_aligned" if is_aligned else "dmarc.no_policy"
        return DmarcResult("none", None, is_aligned, from_domain), [
            finding(code, "info" if is_aligned else "warn", from_domain, domain=from_domain, via=via)]
    policy = tags.get("sp", tags.get("p")) if at_org else tags.get("p")
    policy = policy if policy in ("none", "quarantine", "reject") else "none"
    if is_aligned:
        return DmarcResult("pass", policy, True, from_domain), [
            finding("dmarc.pass", "good", f"{from_domain} p={policy}", domain=from_domain, via=via, policy=policy)]
    return DmarcResult("fail", policy, False, from_domain), [
        finding("dmarc.fail", "bad", f"{from_domain} p={policy}", domain=from_domain, policy=policy)]
