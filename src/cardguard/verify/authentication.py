"""Whether the sender of a mail is authenticated: DKIM, ARC, SPF and DMARC checked live, or the
trusted receiver's own Authentication-Results offline, combined into one fact that facts_of() builds
`genuine` on: ``Authentication.authenticated_domain``."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from cardguard.verify import authres
from cardguard.verify.auth_codes import UNVERIFIABLE_DKIM
from cardguard.verify.dmarc import aligned
from cardguard.verify.domains import to_ascii
from cardguard.verify.message import Mail, addresses_of
from cardguard.verify.model import Authentication, DmarcResult, Finding, finding

if TYPE_CHECKING:
    from cardguard.verify.check import CheckOptions


def _from_addresses(headers: list[tuple[str, str]]) -> list[str]:
    """Every address on every From line, as a mail app may show any of them."""
    values = [value for name, value in headers if name.lower() == "from"]
    try:
        found = addresses_of(values)
    except Exception:  # noqa: BLE001 - hostile header text
        return []
    out: list[str] = []
    for _, address in found:
        address = address.strip().lower()
        if "@" in address and address not in out:
            out.append(address)
    return out


def _trusted_verdict(trusted: authres.Results, from_domain: str) -> tuple[bool, bool]:
    """(pass, fail) as the trusted receiver's own header states them for this From domain."""
    passed = failed = False
    for result, props in trusted.all("dmarc"):
        header_from = props.get("header.from") or from_domain
        if not from_domain or to_ascii(header_from) != to_ascii(from_domain):
            continue
        passed |= result == "pass"
        failed |= result == "fail"
    for result, props in trusted.all("dkim"):
        if result != "pass":
            continue
        signer = props.get("header.d") or props.get("header.i", "").rsplit("@", 1)[-1]
        if signer and from_domain and aligned(signer, from_domain, "r"):
            passed = True
    return passed and not failed, failed


def authenticate(mail: Mail, options: CheckOptions) -> tuple[Authentication, list[Finding]]:
    """Whether DMARC-aligned authentication of the From domain is positively established.

    ``authenticated_domain`` is set only then: by a live check whose signature covers what the reader
    sees (dkim_check.py), or by the trusted receiver's own header (authres.py) when no live check
    refutes it. Everything that leaves it unset says why in a finding."""
    findings: list[Finding] = []
    started = time.monotonic()
    reading = authres.read(mail.headers, options.trust_authserv)
    senders = _from_addresses(mail.headers)
    ambiguous_from = len(senders) > 1
    if ambiguous_from:
        findings.append(finding("auth.from_ambiguous", "bad", ", ".join(senders)[:200], count=len(senders),
                                addresses=", ".join(senders)[:200]))
    trusted_pass = trusted_fail = False
    summary = None
    if reading.tampered:
        findings.append(finding(f"authres.tampered_{reading.tampered}",
                                "warn" if reading.tampered == "unplaced" else "bad", reading.receiver or "",
                                receiver=reading.receiver or ""))
    elif reading.trusted:
        trusted = reading.trusted
        trusted_pass, trusted_fail = _trusted_verdict(trusted, mail.from_domain)
        summary = "; ".join(f"{m}={r}" for m, r, _ in trusted.methods)
        if trusted_pass:
            findings.append(finding("authres.trusted_pass", "good", summary, receiver=trusted.authserv_id))
        elif trusted_fail:
            findings.append(finding("authres.trusted_fail", "bad", summary, receiver=trusted.authserv_id))
        else:
            findings.append(finding("authres.trusted_none", "warn", summary, receiver=trusted.authserv_id))
    if reading.ignored:
        findings.append(finding("authres.ignored", "info", str(reading.ignored), count=reading.ignored))

    if options.offline:
        if not reading.trusted:
            findings.append(finding("auth.offline", "warn"))
        established = trusted_pass and not ambiguous_from
        auth = Authentication(mode="offline", trusted_results=summary,
                              authenticated_domain=mail.from_domain if established else None,
                              dmarc=DmarcResult("pass" if trusted_pass else ("fail" if trusted_fail else "not_checked"),
                                                None, trusted_pass, mail.from_domain or None))
        return auth, findings

    # dkimpy, pyspf and dnspython (~90 ms to import) load only when DNS is actually asked.
    from cardguard.verify.arc_check import check_arc
    from cardguard.verify.dkim_check import check_dkim
    from cardguard.verify.dmarc import check_dmarc
    from cardguard.verify.resolver import Resolver
    from cardguard.verify.spf_check import check_spf

    resolver = Resolver(options.resolver, options.dns_timeout, budget=options.dns_budget,
                        max_lookups=options.dns_max_lookups)
    if mail.outlook:
        # Outlook re-stored the body: a signature over the original bytes can only fail here.
        dkim_results, dkim_findings, arc, arc_findings = [], [], "none", []
    else:
        dkim_results, dkim_findings = check_dkim(mail.raw, resolver)
        arc, arc_findings = check_arc(mail.raw, resolver)
    spf_result, spf_domain, spf_findings = check_spf(mail.headers, options.trust_authserv, resolver)
    dmarc, dmarc_findings = check_dmarc(mail.from_domain, dkim_results, spf_result, spf_domain, resolver)
    # Every other sender on the From line is judged too: any one of them is what a reader may see.
    for other in sorted({a.rsplit("@", 1)[1] for a in senders} - {mail.from_domain})[:3]:
        dmarc_findings += check_dmarc(other, dkim_results, spf_result, spf_domain, resolver)[1]
    if mail.outlook and dmarc.result == "fail":
        # With no signature left to check, a failure says nothing about who sent it.
        dmarc = DmarcResult("not_checked", dmarc.policy, False, dmarc.domain)
        dmarc_findings = [finding("dmarc.unverifiable", "warn", f"{dmarc.domain} p={dmarc.policy}",
                                  domain=dmarc.domain, policy=dmarc.policy)]
    findings = dkim_findings + arc_findings + spf_findings + dmarc_findings + findings
    elapsed = time.monotonic() - started
    out_of_time = resolver.out_of_time or elapsed > options.dns_budget
    if out_of_time:
        findings.append(finding("auth.out_of_time", "warn", f"{elapsed:.1f} s", budget=f"{options.dns_budget:g}"))
    if resolver.unanswered and not out_of_time:
        findings.append(finding("auth.dns_unreachable", "warn", str(resolver.unanswered)))
    if resolver.too_many:
        findings.append(finding("auth.too_many_lookups", "warn", str(resolver.max_lookups),
                                limit=resolver.max_lookups))
    # A trusted pass is believed over a live failure only when the live check merely could not verify.
    refuted = dmarc.result == "fail" and (
        spf_result == "fail" or any(r.result != "pass" and r.reason not in UNVERIFIABLE_DKIM for r in dkim_results))
    if trusted_pass and refuted:
        findings.append(finding("authres.trusted_refuted", "bad", summary or "",
                                receiver=reading.trusted.authserv_id if reading.trusted else ""))
    live = dmarc.aligned and dmarc.result in ("pass", "none")
    established = (live or (trusted_pass and not refuted)) and not ambiguous_from and not out_of_time \
        and not resolver.too_many
    return Authentication(
        mode="dns", dkim=tuple(dkim_results), arc=arc, spf=spf_result, spf_domain=spf_domain, dmarc=dmarc,
        trusted_results=summary, authenticated_domain=mail.from_domain if established else None,
    ), findings
