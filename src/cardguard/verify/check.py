"""An email in, a verdict out.

The rules, strongest evidence first:
- `genuine` only when DMARC-aligned authentication passed for an official sending domain of the
  issuer the message claims, and no link leaves that issuer's official domains.
- `phishing` when a claimed issuer's mail comes from a foreign or lookalike domain, fails DMARC for
  an official domain, asks for card data next to a foreign link, or disguises where a link goes.
- `unrelated` when no card issuer is claimed, unless it is plainly phishing anyway.
- `suspicious` for everything in between: the holder should verify through a channel they trust.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from cardguard.directory.load import Directory, Issuer
from cardguard.directory.lookup import find_lines
from cardguard.verify import authres, content, links
from cardguard.verify.dmarc import aligned
from cardguard.verify.identity import claimed_issuer, from_findings, is_official_sender
from cardguard.verify.message import Mail, read_mail
from cardguard.verify.model import Authentication, DmarcResult, Finding, Verdict, finding
from cardguard.verify.recipient import recipient_findings

IDENTITY_BAD = {"from.lookalike", "from.foreign", "from.display_name_spoof", "from.no_tld", "from.display_address",
                "from.multiple"}
LINK_DECEPTIVE = {"link.lookalike", "link.text_mismatch", "link.script_url", "link.ip_literal", "link.userinfo",
                  "link.form"}
UNVERIFIABLE_DKIM = {"dkim.key_missing", "dkim.dns_unavailable"}


@dataclass
class CheckOptions:
    offline: bool = False
    resolver: tuple[str, int] | None = None
    trust_authserv: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    card: str | None = None
    alias_cards: dict[str, str] = field(default_factory=dict)  # registered alias -> card product id
    now: datetime | None = None
    dns_timeout: float = 5.0


def authenticate(mail: Mail, options: CheckOptions) -> tuple[Authentication, list[Finding]]:
    findings: list[Finding] = []
    trusted = authres.trusted(mail.headers, options.trust_authserv)
    ignored = authres.untrusted_count(mail.headers, options.trust_authserv)
    trusted_pass = trusted_fail = False
    summary = None
    if trusted:
        dmarc_ar = trusted.first("dmarc")
        header_from = (dmarc_ar[1].get("header.from") if dmarc_ar else None) or mail.from_domain
        if dmarc_ar and dmarc_ar[0] == "pass" and header_from == mail.from_domain:
            trusted_pass = True
        for props in trusted.passing("dkim"):
            signer = props.get("header.d") or props.get("header.i", "").rsplit("@", 1)[-1]
            if signer and mail.from_domain and aligned(signer, mail.from_domain, "r"):
                trusted_pass = True
        trusted_fail = bool(dmarc_ar and dmarc_ar[0] == "fail")
        summary = "; ".join(f"{m}={r}" for m, r, _ in trusted.methods)
        code, severity = ("authres.trusted_pass", "good") if trusted_pass else \
            (("authres.trusted_fail", "bad") if trusted_fail else ("authres.trusted_none", "warn"))
        findings.append(finding(code, severity, summary, receiver=trusted.authserv_id))
    if ignored:
        findings.append(finding("authres.ignored", "info", str(ignored), count=ignored))

    if options.offline:
        if not trusted:
            findings.append(finding("auth.offline", "warn"))
        auth = Authentication(mode="offline", trusted_results=summary,
                              authenticated_domain=mail.from_domain if trusted_pass else None,
                              dmarc=DmarcResult("pass" if trusted_pass else ("fail" if trusted_fail else "not_checked"),
                                                None, trusted_pass, mail.from_domain or None))
        return auth, findings

    # dkimpy, pyspf and dnspython (~90 ms to import) load only when DNS is actually asked.
    from cardguard.verify.arc_check import check_arc
    from cardguard.verify.dkim_check import check_dkim
    from cardguard.verify.dmarc import check_dmarc
    from cardguard.verify.resolver import Resolver
    from cardguard.verify.spf_check import check_spf

    resolver = Resolver(options.resolver, options.dns_timeout)
    if mail.outlook:
        # Outlook re-stored the body: a signature over the original bytes can only fail here.
        dkim_results, dkim_findings, arc, arc_findings = [], [], "none", []
    else:
        dkim_results, dkim_findings = check_dkim(mail.raw, resolver)
        arc, arc_findings = check_arc(mail.raw, resolver)
    spf_result, spf_domain, spf_findings = check_spf(mail.headers, mail.return_path, mail.from_domain,
                                                     options.trust_authserv, resolver)
    dmarc, dmarc_findings = check_dmarc(mail.from_domain, dkim_results, spf_result, spf_domain, resolver)
    if mail.outlook and dmarc.result == "fail":
        # With no signature left to check, a failure says nothing about who sent it.
        dmarc = DmarcResult("not_checked", dmarc.policy, False, dmarc.domain)
        dmarc_findings = [finding("dmarc.unverifiable", "warn", f"{dmarc.domain} p={dmarc.policy}",
                                  domain=dmarc.domain, policy=dmarc.policy)]
    findings = dkim_findings + arc_findings + spf_findings + dmarc_findings + findings
    authenticated = dmarc.aligned and dmarc.result in ("pass", "none") or trusted_pass
    return Authentication(
        mode="dns", dkim=tuple(dkim_results), arc=arc, spf=spf_result, spf_domain=spf_domain, dmarc=dmarc,
        trusted_results=summary, authenticated_domain=mail.from_domain if authenticated else None,
    ), findings


def _html_findings(mail: Mail) -> list[Finding]:
    out = []
    scripts = sum(h.scripts + h.event_handlers for h in mail.html)
    if scripts:
        out.append(finding("content.html_script", "warn", str(scripts), count=scripts))
    remote = sum(len(h.remote) for h in mail.html)
    if remote:
        out.append(finding("content.remote_content", "info", str(remote), count=remote))
    return out


def decide(issuer: Issuer | None, mail: Mail, auth: Authentication, findings: list[Finding],
           link_infos: list, offline: bool) -> tuple[str, set[str]]:
    codes = {f.code for f in findings}
    has = lambda group: codes & group  # noqa: E731
    credential = {c for c in codes if c.startswith("content.asks_")}
    foreign = [link for link in link_infos if not link.official]
    dangerous = has({"attachment.dangerous", "attachment.double_extension"})
    if issuer is None:
        if has(LINK_DECEPTIVE) or dangerous:
            return "phishing", has(LINK_DECEPTIVE) | dangerous
        # A sender that shows one address and is another, or whose domain cannot exist on the
        # internet, is forged whoever it imitates; with a link to follow, that is phishing.
        if has({"from.display_address", "from.multiple"}):
            return "phishing", has({"from.display_address", "from.multiple"})
        if "from.no_tld" in codes and link_infos:
            return "phishing", {"from.no_tld"}
        if credential and link_infos:
            return "phishing", credential | {"link.foreign"}
        return "unrelated", set()
    official_from = is_official_sender(issuer, mail.from_domain)
    if has(IDENTITY_BAD):
        return "phishing", has(IDENTITY_BAD)
    if "authres.trusted_fail" in codes and official_from:
        return "phishing", {"authres.trusted_fail"}
    if not offline and official_from and auth.dmarc.result == "fail" and not auth.authenticated_domain:
        reasons = {r.reason for r in auth.dkim}
        if not reasons or not reasons <= UNVERIFIABLE_DKIM:
            return "phishing", {"dmarc.fail"} | {r for r in reasons if r.startswith("dkim.") and r != "dkim.pass"}
    if has(LINK_DECEPTIVE):
        return "phishing", has(LINK_DECEPTIVE)
    if credential and foreign:
        return "phishing", credential | {"link.foreign"}
    if dangerous:
        return "phishing", dangerous
    blockers = set()
    if not auth.authenticated_domain:
        blockers |= codes & {"auth.offline", "dmarc.fail", "dmarc.no_policy", "dmarc.dns_unavailable",
                             "authres.trusted_none", "dkim.none", "dkim.key_missing", "dkim.dns_unavailable",
                             "message.outlook", "message.outlook_no_headers", "dmarc.unverifiable"}
        blockers.add("auth.not_authenticated")
    if foreign:
        blockers |= codes & {"link.foreign", "link.shortener", "link.redirector"}
    blockers |= codes & {"recipient.other_address"}
    if blockers:
        return "suspicious", blockers
    return "genuine", codes & {"dmarc.pass", "dmarc.no_policy_aligned", "authres.trusted_pass", "from.official",
                               "recipient.alias_match", "link.official"}


def _calls(directory: Directory, issuer: Issuer, card: str | None, now: datetime) -> list[tuple]:
    """The issuer's 24-hour fraud lines, one entry per number with the cards it serves."""
    out: dict[str, tuple] = {}
    for line in find_lines(directory, issuer=issuer.id, card=card, purpose="fraud", at=now):
        entry = out.setdefault(line.number, (line, []))
        if line.card:
            entry[1].append(line.card)
    return list(out.values())


def next_steps(verdict: str, otp: bool, issuer: Issuer | None) -> list[str]:
    """The message keys of what to do, in order."""
    if verdict == "phishing":
        steps = ["dont_click", "report", "delete", "if_entered"]
    elif verdict == "genuine" and otp:
        steps = ["otp_call_now", "otp_never_share", "otp_incident", "review_charges"]
    elif verdict == "genuine":
        steps = ["genuine_still_careful"]
    elif verdict == "suspicious":
        steps = ["dont_click", "verify_independently"] + (["otp_unverified"] if otp else [])
    else:
        steps = ["unrelated"]
    return [f"next.{step}" for step in steps]


def check_message(data: bytes, directory: Directory, options: CheckOptions | None = None,
                  mail: Mail | None = None) -> Verdict:
    """The verdict on ``data``; ``mail`` is ``read_mail(data)`` when the caller has already read it."""
    options = options or CheckOptions()
    now = options.now or datetime.now(timezone.utc)
    mail = mail or read_mail(data)
    body = mail.text + "\n" + "\n".join(h.text for h in mail.html)
    claim = claimed_issuer(list(directory.issuers.values()), mail.from_display, mail.subject, mail.from_domain, body)
    issuer = claim.issuer if claim else None

    findings: list[Finding] = []
    if mail.forwarded:
        findings.append(finding("message.forward_unwrapped", "info"))
    if mail.outlook:
        findings.append(finding("message.outlook" if mail.outlook == "headers" else "message.outlook_no_headers",
                                "warn"))
    if mail.defects:
        findings.append(finding("message.defects", "info", ", ".join(sorted(set(mail.defects)))[:200]))
    if claim:
        findings.append(finding("issuer.claimed", "info", ", ".join(claim.where), issuer=issuer.data.issuer.name))
    findings += from_findings(claim, mail.from_display, mail.from_address, mail.from_domain, mail.from_count,
                              mail.reply_to)
    auth, auth_findings = authenticate(mail, options)
    findings += auth_findings
    link_infos, link_findings = links.analyse(links.collect(mail), issuer)
    findings += link_findings
    aliases = list(options.aliases)
    findings += recipient_findings(mail.recipients, aliases, claim is not None)
    otp, content_findings = content.content_findings(mail.subject, body)
    findings += content_findings + _html_findings(mail) + content.attachment_findings(mail.attachments)

    verdict, decisive = decide(issuer, mail, auth, findings, link_infos, options.offline)
    if issuer and otp.detected:
        # What a code means depends on who sent it: a real one says the card number is out, a fake one is bait.
        findings.append({"genuine": finding("content.otp_unrequested", "warn"),
                         "phishing": finding("content.otp_bait", "info")}.get(
            verdict, finding("content.otp_unverified", "info")))
    if "auth.not_authenticated" in decisive:
        findings.append(finding("auth.not_authenticated", "warn"))
    result = Verdict(
        verdict=verdict, issuer=issuer.id if issuer else None,
        issuer_name=issuer.data.issuer.name if issuer else None,
        from_address=mail.from_address, from_domain=mail.from_domain, from_display_name=mail.from_display,
        subject=mail.subject, recipients=mail.recipients, authentication=auth, findings=findings,
        decisive=decisive, links=link_infos, otp=otp, checked_at=now,
        next_steps=next_steps(verdict, otp.detected, issuer),
    )
    if issuer and verdict in ("genuine", "suspicious", "phishing") and (verdict != "genuine" or otp.detected):
        # The alias the mail came to says which of the holder's cards it is about.
        card = options.card or next((options.alias_cards[r] for r in mail.recipients if r in options.alias_cards), None)
        result.calls = _calls(directory, issuer, card, now)
    if verdict in ("phishing", "suspicious"):
        sources = [issuer] if issuer else list(directory.issuers.values())
        result.report_routes = [
            {"name": r.name.model_dump(), "address": r.address, "known": r.known,
             "source": each.sources[r.source].title, "source_url": each.sources[r.source].url}
            for each in sources for r in each.data.phishing_report
        ]
    return result
