"""DMARC (RFC 7489): does an authenticated identity align with the From domain a person reads,
and what does that domain ask receivers to do when none does.

Policy discovery follows §6.6.3: the record at the From domain, and only when there is no record
there at all, the one at its organizational domain; several records at a level end discovery with
no policy (never a fall-through to the parent); a record whose p= is missing or not a policy counts
as p=none when it names a valid report address (rua), and otherwise as no policy.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from cardguard.values import record
from cardguard.verify.domains import organizational_domain, registered_domain, to_ascii
from cardguard.verify.model import DkimResult, DmarcResult, Finding, finding

if TYPE_CHECKING:
    from cardguard.verify.resolver import Resolver

POLICIES = ("none", "quarantine", "reject")
# RFC 7489 §6.4: the version tag comes first and its value is exactly "DMARC1" (the tag name, an
# ABNF literal, is case-insensitive; the value is not).
_VERSION = re.compile(r"^[vV][ \t]*=[ \t]*DMARC1[ \t]*(;|$)")
_URI = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s,!]+(![0-9]+[kmgt]?)?$")


@record
class Policy:
    tags: dict[str, str]
    at_org: bool  # found at the organizational domain, not at the From domain itself
    policy: str | None  # what applies to this From domain; None when the record sets no valid policy
    as_none: bool = False  # p= was not valid, a valid rua= made it p=none (§6.6.3)


@record
class Discovery:
    policy: Policy | None
    outcome: str  # "found", "none", "multiple", "invalid"
    where: str  # the domain whose _dmarc record decided the outcome


def parse_record(record: bytes) -> dict[str, str] | None:
    """The tags of a DMARC record (names lower-cased, WSP around "=" allowed), or None when the
    record is not a DMARC1 record."""
    text = record.decode("ascii", "replace")
    if not _VERSION.match(text):
        return None
    tags: dict[str, str] = {}
    for part in text.split(";"):
        key, sep, value = part.partition("=")
        key = key.strip().lower()
        if sep and key and key not in tags:
            tags[key] = value.strip()
    return tags


def _valid_rua(value: str | None) -> bool:
    return bool(value) and any(_URI.match(uri.strip()) for uri in value.split(","))


def _records(name: str, resolver: Resolver) -> list[dict[str, str]]:
    found = []
    for text in resolver.txt(f"_dmarc.{name}"):
        tags = parse_record(text)
        if tags is not None:
            found.append(tags)
    return found


def discover(domain: str, resolver: Resolver) -> Discovery:
    """Raises DnsUnavailable (a temporary failure: no answer) and DnsBadName (the From domain
    cannot exist in DNS)."""
    domain = to_ascii(domain)
    org = organizational_domain(domain)
    levels = [(domain, False)] + ([(org, True)] if org and org != domain else [])
    for name, at_org in levels:
        records = _records(name, resolver)
        if len(records) > 1:
            return Discovery(None, "multiple", name)
        if not records:
            continue
        tags = records[0]
        p = tags.get("p", "").lower()
        sp = tags.get("sp", "").lower() if "sp" in tags else None
        if p not in POLICIES or (sp is not None and sp not in POLICIES):
            if _valid_rua(tags.get("rua")):
                return Discovery(Policy(tags, at_org, "none", as_none=True), "found", name)
            return Discovery(None, "invalid", name)
        policy = sp if at_org and sp is not None else p
        return Discovery(Policy(tags, at_org, policy), "found", name)
    return Discovery(None, "none", domain)


def aligned(identity: str, from_domain: str, mode: str) -> bool:
    identity, from_domain = to_ascii(identity.strip().rstrip(".")), to_ascii(from_domain.strip().rstrip("."))
    if not identity or not from_domain:
        return False
    if mode == "s":
        return identity == from_domain
    return registered_domain(identity) == registered_domain(from_domain)


def check_dmarc(from_domain: str, dkim_results: list[DkimResult], spf_result: str, spf_domain: str | None,
                resolver: Resolver) -> tuple[DmarcResult, list[Finding]]:
    from cardguard.verify.resolver import (  # dnspython: only when checking online
        DnsBadName,
        DnsUnavailable,
    )

    if not from_domain:
        return DmarcResult("none", None, False), [finding("dmarc.no_from_domain", "warn")]
    try:
        found = discover(from_domain, resolver)
    except DnsBadName:
        return DmarcResult("permerror", None, False, from_domain), [
            finding("dmarc.invalid_domain", "bad", from_domain, domain=from_domain)]
    except DnsUnavailable:
        return DmarcResult("temperror", None, False, from_domain), [
            finding("dmarc.dns_unavailable", "warn", from_domain, domain=from_domain)]
    tags = found.policy.tags if found.policy else {}
    adkim = "s" if tags.get("adkim", "r").lower() == "s" else "r"
    aspf = "s" if tags.get("aspf", "r").lower() == "s" else "r"
    by_dkim = [r.domain for r in dkim_results if r.result == "pass" and aligned(r.domain, from_domain, adkim)]
    by_spf = spf_result == "pass" and spf_domain is not None and aligned(spf_domain, from_domain, aspf)
    is_aligned = bool(by_dkim or by_spf)
    via = by_dkim[0] if by_dkim else (spf_domain or "")
    findings: list[Finding] = []
    if found.outcome == "multiple":
        findings.append(finding("dmarc.multiple_records", "warn", found.where, domain=found.where))
    elif found.outcome == "invalid":
        findings.append(finding("dmarc.policy_invalid", "warn", found.where, domain=found.where))
    if found.policy is None:
        findings.append(finding("dmarc.no_policy_aligned" if is_aligned else "dmarc.no_policy",
                                "info" if is_aligned else "warn", from_domain, domain=from_domain, via=via))
        return DmarcResult("none", None, is_aligned, from_domain), findings
    policy = found.policy.policy or "none"
    if found.policy.as_none:
        findings.append(finding("dmarc.policy_as_none", "info", found.where, domain=found.where))
    if is_aligned:
        findings.append(finding("dmarc.pass", "good", f"{from_domain} p={policy}", domain=from_domain, via=via,
                                policy=policy))
        return DmarcResult("pass", policy, True, from_domain), findings
    findings.append(finding("dmarc.fail", "bad", f"{from_domain} p={policy}", domain=from_domain, policy=policy))
    return DmarcResult("fail", policy, False, from_domain), findings
