"""An email in, a verdict out.

The rules are a table further down (PHISHING_ROWS, GENUINE_REQUIRES, NOT_GENUINE), read by
`verdict_for()` from the facts `facts_of()` derives:
- `genuine` only when every requirement is positively established: DMARC-aligned authentication of
  an official sending domain of the claimed issuer, every link resolved and ending on its official
  domains, one reading of the message for every mail app; and nothing that keeps it from genuine.
- `phishing` when any phishing row matches (a disguised link, code in an attachment, a forged or
  impersonating sender, card data asked next to a foreign link, the issuer's own DMARC failing).
- `unrelated` when no card issuer is claimed, unless it is plainly phishing anyway.
- `suspicious` for everything in between, with the requirement that is missing and why.
"""

from __future__ import annotations

from dataclasses import field
from datetime import datetime, timezone

from cardguard.directory.calls import HolderCard, whom_to_call
from cardguard.directory.load import Directory, Issuer
from cardguard.shortened import shortened
from cardguard.values import record, replace
from cardguard.verify import content, links
from cardguard.verify.auth_codes import (
    AUTH_FORGED,
    AUTH_NOT_ESTABLISHED,
    MAX_LOOKUPS_PER_MAIL,
    UNVERIFIABLE_DKIM,
)
from cardguard.verify.authentication import authenticate
from cardguard.verify.identity import (
    Claim,
    claimed_issuer,
    from_findings,
    is_official_sender,
)
from cardguard.verify.message import Mail, read_mail
from cardguard.verify.model import Authentication, Finding, Verdict, finding
from cardguard.verify.recipient import recipient_findings


@record(mutable=True)
class CheckOptions:
    offline: bool = False
    resolver: tuple[str, int] | None = None
    trust_authserv: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)  # the holder's, whichever company they gave it to
    # Addresses the holder registered with one card company (issuer id -> addresses): a mail that
    # claims another company and was sent there is not "sent to the address you gave this company".
    issuer_aliases: dict[str, list[str]] = field(default_factory=dict)
    # The card the mail is about: one of the holder's registered cards (its back-of-card number is
    # called first), or a product as the holder names it ("ANAゴールド").
    card: HolderCard | str | None = None
    alias_cards: dict[str, HolderCard] = field(default_factory=dict)  # registered alias -> the holder's card
    now: datetime | None = None
    dns_timeout: float = 5.0
    dns_budget: float = 20.0  # seconds of DNS wall time for one mail; past it: "could not be checked in time"
    dns_max_lookups: int = MAX_LOOKUPS_PER_MAIL


def _html_findings(html: list) -> list[Finding]:
    out = []
    scripts = sum(h.scripts + h.event_handlers for h in html)
    if scripts:
        out.append(finding("content.html_script", "warn", str(scripts), count=scripts))
    remote = sum(len(h.remote) for h in html)
    if remote:
        out.append(finding("content.remote_content", "info", str(remote), count=remote))
    return out


# ---------------------------------------------------------------------------------------------
# The verdict rules, as a table. A fact is a finding code, or one of the derived facts below
# (each with the finding codes that show it). `facts_of()` derives the facts; `verdict_for()` reads
# the table; the tests check the table row by row.
#
# Derived facts:
#   claims_issuer         the message presents itself as a card issuer cardguard knows
#   sender_official       its From domain is an official sending domain of that issuer
#   has_link              it has at least one link (anything a reader can tap, scan or open)
#   link_not_official     a link does not end, however it is read, on the issuer's official domains
#   asks_card_data        it asks for card data, a PIN, a password or personal data
#   auth_forged           checked live, DMARC fails for the issuer's own domain and the signatures
#                         are wrong (not merely unverifiable)
#   sender_authenticated  DMARC-aligned authentication of an official sending domain of the issuer
#   links_confirmed       every link resolved, and every one ends on the issuer's official domains
#   unambiguous           every mail app reads the same message (no duplicated structure, no unreadable part)
# ---------------------------------------------------------------------------------------------

LINK_DECEPTIVE = frozenset({"link.lookalike", "link.text_mismatch", "link.script_url", "link.ip_literal",
                            "link.userinfo", "link.form", "link.tel_mismatch"})
# Part of the mail left unread (too many links, too many Outlook blocks, an undecodable PDF): a link
# may be there, so not every link is confirmed.
LINKS_UNREAD = frozenset({"link.too_many", "link.blocks_unread", "link.attachment_unreadable", "link.text_cut",
                          "link.parts_unread", "link.phone_unconfirmed", "link.phone_written_unconfirmed",
                          "link.texts_unread"})
DANGEROUS_ATTACHMENT = frozenset({"attachment.dangerous", "attachment.double_extension"})
FORGED_SENDER = frozenset({"from.display_address", "from.multiple"})
IMPERSONATING_SENDER = frozenset({"from.lookalike", "from.foreign", "from.display_name_spoof", "from.no_tld"})
ASKS = frozenset({"content.asks_card_number", "content.asks_security_code", "content.asks_pin",
                  "content.asks_password", "content.asks_personal"})


@record
class PhishingRow:
    """A mail is phishing when it has every fact in ``needs`` and at least one in ``any_of``
    (an empty ``any_of`` asks for nothing more)."""
    needs: frozenset[str]
    any_of: frozenset[str] = frozenset()
    why: str = ""


# Any matching row makes the mail phishing; every matching row's facts are the reasons.
PHISHING_ROWS: tuple[PhishingRow, ...] = (
    PhishingRow(frozenset(), LINK_DECEPTIVE, "a link disguises where it goes, runs code or posts a form"),
    PhishingRow(frozenset(), DANGEROUS_ATTACHMENT, "an attachment runs code when opened"),
    PhishingRow(frozenset(), FORGED_SENDER, "the sender shows one address and is another, whoever it imitates"),
    PhishingRow(frozenset({"claims_issuer"}), IMPERSONATING_SENDER, "it claims an issuer from a domain not theirs"),
    PhishingRow(frozenset({"has_link", "from.no_tld"}), frozenset(), "a domain that cannot exist, with a link"),
    PhishingRow(frozenset({"asks_card_data", "link_not_official"}), frozenset(),
                "it asks for card data next to a link off the issuer's domains"),
    PhishingRow(frozenset({"claims_issuer", "sender_official", "authres.trusted_fail"}), frozenset(),
                "the trusted receiver found DMARC failing for the issuer's own domain"),
    PhishingRow(frozenset({"claims_issuer", "auth_forged"}), frozenset(),
                "checked live, the issuer's own domain fails DMARC with a wrong signature"),
    PhishingRow(frozenset({"claims_issuer"}), AUTH_FORGED,
                "somebody forged the authentication: the receiver's results written twice or below its block"),
)

@record
class Requirement:
    missing: Finding  # the finding that says it is missing

    @property
    def said_as(self) -> str:
        return self.missing.code
    because: frozenset[str]  # findings that explain why, when present


# What `genuine` requires of a mail that claims an issuer, each positively established; a missing
# one makes it at most suspicious, and says so.
GENUINE_REQUIRES: dict[str, Requirement] = {
    "sender_authenticated": Requirement(finding("auth.not_authenticated", "warn"), frozenset({
        "auth.offline", "dmarc.fail", "dmarc.no_policy", "dmarc.dns_unavailable", "dmarc.unverifiable",
        "authres.trusted_none", "dkim.none", "dkim.key_missing", "dkim.dns_unavailable", "message.outlook",
        "message.outlook_no_headers"}) | AUTH_NOT_ESTABLISHED),
    "links_confirmed": Requirement(finding("link.not_confirmed", "warn"), frozenset({
        "link.foreign", "link.shortener", "link.redirector", "link.unresolved"}) | LINKS_UNREAD),
    "unambiguous": Requirement(finding("message.ambiguous", "warn", "", detail=""), frozenset()),
}

# Findings that keep a mail from genuine even when every requirement holds.
NOT_GENUINE: frozenset[str] = frozenset({"recipient.other_address", "message.attached_signed", "from.forwarder"})

# The findings that show a genuine mail is genuine.
GENUINE_EVIDENCE: frozenset[str] = frozenset({"dmarc.pass", "dmarc.no_policy_aligned", "authres.trusted_pass",
                                              "from.official", "recipient.alias_match", "link.official"})


def verdict_for(facts: dict[str, frozenset[str]]) -> tuple[str, set[str]]:
    """The table applied to ``facts`` (fact -> the finding codes that show it)."""
    def reasons(names) -> set[str]:
        return set().union(*(facts[name] for name in names if name in facts))

    matching = [row for row in PHISHING_ROWS
                if row.needs <= facts.keys() and (not row.any_of or row.any_of & facts.keys())]
    if matching:
        return "phishing", set().union(*(reasons(row.needs) | reasons(row.any_of) for row in matching))
    decisive: set[str] = set()
    if "claims_issuer" not in facts:
        return "unrelated", set()
    for name, requirement in GENUINE_REQUIRES.items():
        if name not in facts:
            decisive |= {requirement.said_as} | reasons(requirement.because)
    decisive |= reasons(NOT_GENUINE)
    if decisive:
        return "suspicious", decisive
    return "genuine", reasons(GENUINE_REQUIRES) | reasons(GENUINE_EVIDENCE)


def facts_of(issuer: Issuer | None, mail: Mail, auth: Authentication, findings: list[Finding], link_infos: list,
             offline: bool) -> dict[str, frozenset[str]]:
    """Every fact the table reads, each with the finding codes that show it."""
    codes = {f.code for f in findings}
    facts: dict[str, frozenset[str]] = {code: frozenset({code}) for code in codes}
    asks = codes & ASKS
    if asks:
        facts["asks_card_data"] = frozenset(asks)
    if link_infos:
        facts["has_link"] = frozenset()
    if any(not link.official for link in link_infos):
        facts["link_not_official"] = frozenset(codes & {"link.foreign", "link.unresolved", "link.shortener",
                                                        "link.redirector"})
    if "message.ambiguous" not in codes:
        facts["unambiguous"] = frozenset()
    if issuer is None:
        return facts
    # Context, not reasons: they only say which rows apply.
    facts["claims_issuer"] = frozenset()
    official_from = is_official_sender(issuer, mail.from_domain)
    if official_from:
        facts["sender_official"] = frozenset()
    if not offline and official_from and auth.dmarc.result == "fail" and not auth.authenticated_domain:
        reasons = {r.reason for r in auth.dkim}
        if not reasons or not reasons <= UNVERIFIABLE_DKIM:
            facts["auth_forged"] = frozenset({"dmarc.fail"} | {r for r in reasons if r.startswith("dkim.")
                                                               and r != "dkim.pass"})
    if auth.authenticated_domain and is_official_sender(issuer, auth.authenticated_domain):
        facts["sender_authenticated"] = frozenset(codes & {"dmarc.pass", "dmarc.no_policy_aligned",
                                                           "authres.trusted_pass"})
    if all(link.official and link.resolved for link in link_infos) and not codes & LINKS_UNREAD:
        facts["links_confirmed"] = frozenset(codes & {"link.official"})
    return facts


def _calls(directory: Directory, issuer: Issuer, card: HolderCard | str | None, now: datetime) -> list:
    """The issuer's fraud lines (whom_to_call's answer), one entry per number with the cards it serves:
    for the holder's own card of this issuer, its lines, its back-of-card number first."""
    if isinstance(card, HolderCard):
        if card.issuer is None:
            card = replace(card, issuer=issuer.id)
        if directory.find_issuer(card.issuer) is issuer:
            return whom_to_call(directory, at=now, card=card, purpose="fraud").by_number()
        card = None  # a card of another issuer says nothing of this mail's lines
    answer = whom_to_call(directory, at=now, product=card, issuer=issuer.id, purpose="fraud") if card \
        else whom_to_call(directory, at=now, issuer=issuer.id, purpose="fraud")
    return answer.by_number()


def next_steps(verdict: str, otp: bool, issuer: Issuer | None, *, sent_by_issuer: bool = False) -> list[str]:
    """The message keys of what to do, in order."""
    if verdict == "phishing":
        steps = ["dont_click", "report", "delete", "if_entered"] + (["otp_unverified"] if otp and sent_by_issuer else [])
    elif verdict == "genuine" and otp:
        steps = ["otp_call_now", "otp_never_share", "otp_incident", "review_charges"]
    elif verdict == "genuine":
        steps = ["genuine_still_careful"]
    elif verdict == "suspicious":
        steps = ["dont_click", "verify_independently"] + (["otp_unverified"] if otp else [])
    else:
        steps = ["unrelated"]
    return [f"next.{step}" for step in steps]


def _text(mail: Mail) -> str:
    return mail.text + "\n" + "\n".join(h.text for h in mail.html)


def _carried(mail: Mail) -> list[Mail]:
    """Every message carried inside ``mail``, however deep."""
    out, stack = [], list(mail.attached)
    while stack:
        inner = stack.pop(0)
        out.append(inner)
        stack += inner.attached
    return out


def _attached_signatures(carried: list[Mail], issuer: Issuer | None, options: CheckOptions) -> list[Finding]:
    """An attached issuer mail whose signature still verifies proves the issuer once sent it to
    someone, nothing about who sent this one: say so. Checked with no trust in its own headers."""
    if options.offline or issuer is None:
        return []
    out = []
    bare = CheckOptions(resolver=options.resolver, dns_timeout=options.dns_timeout, now=options.now)
    for inner in carried:
        auth, _ = authenticate(inner, bare)
        if auth.authenticated_domain and is_official_sender(issuer, auth.authenticated_domain):
            out.append(finding("message.attached_signed", "warn", auth.authenticated_domain,
                               domain=auth.authenticated_domain, issuer=issuer.data.issuer.name))
            break
    return out


def check_message(data: bytes, directory: Directory, options: CheckOptions | None = None,
                  mail: Mail | None = None) -> Verdict:
    """The verdict on ``data``; ``mail`` is ``read_mail(data)`` when the caller has already read it."""
    options = options or CheckOptions()
    now = options.now or datetime.now(timezone.utc)
    mail = mail or read_mail(data)
    carried = _carried(mail)
    own_body = _text(mail)
    body = "\n".join([own_body, *(_text(inner) for inner in carried)])
    issuers = list(directory.issuers.values())
    claim = claimed_issuer(issuers, mail.from_display, mail.subject, mail.from_domain, own_body)
    if carried and not (claim and {"display_name", "from_domain"} & set(claim.where)):
        # A forward: its sender claims an issuer only by name or domain. What its subject, its text
        # and the messages it carries present is what it forwards, not who sent it.
        forwarded = claim or next((found for inner in carried if (found := claimed_issuer(
            issuers, inner.from_display, inner.subject, inner.from_domain, _text(inner)))), None)
        claim = Claim(forwarded.issuer, ("forwarded",)) if forwarded else None
    issuer = claim.issuer if claim else None

    findings: list[Finding] = []
    if carried:
        findings.append(finding("message.forward", "info", str(len(carried)), count=len(carried)))
    if mail.outlook:
        findings.append(finding("message.outlook" if mail.outlook == "headers" else "message.outlook_no_headers",
                                "warn"))
    if mail.defects:
        findings.append(finding("message.defects", "info", shortened(", ".join(sorted(set(mail.defects))), 200)))
    ambiguities = list(dict.fromkeys([*mail.ambiguities, *(a for inner in carried for a in inner.ambiguities)]))
    if ambiguities:
        shown = shortened(", ".join(ambiguities), 200)
        findings.append(finding("message.ambiguous", "warn", shown, detail=shown))
    if claim:
        findings.append(finding("issuer.claimed", "info", ", ".join(claim.where), issuer=issuer.data.issuer.name))
    findings += from_findings(claim, mail.from_display, mail.from_address, mail.from_domain, mail.from_count,
                              mail.reply_to)
    auth, auth_findings = authenticate(mail, options)
    findings += auth_findings
    findings += _attached_signatures(carried, issuer, options)
    otp, content_findings = content.content_findings(mail.subject, body)
    shop = links.merchant_names(otp.merchant, content.rules()["otp"]["merchant"],
                                [content.normalize(text) for text in mail.texts()]) if otp.merchant else set()
    link_infos, link_findings = links.analyse(links.collect(mail, shop), issuer, directory)
    findings += link_findings
    findings += [finding("link.merchant_named", "info", name[7:], domain=name[7:]) for name in sorted(shop)]
    aliases = list(options.aliases) + (options.issuer_aliases.get(issuer.id, []) if issuer else [])
    findings += recipient_findings(mail.recipients, aliases, claim is not None)
    findings += content_findings + _html_findings([h for m in (mail, *carried) for h in m.html])
    findings += content.attachment_findings([a for m in (mail, *carried) for a in m.attachments])

    facts = facts_of(issuer, mail, auth, findings, link_infos, options.offline)
    verdict, decisive = verdict_for(facts)
    # Phishing by what it asks and where it links, yet sent by the issuer's own authenticated domain
    # (a hijacked sending account, or a rule misreading a real notice): it is not "not from the card
    # company", and a code in it may be real, so it is never called bait.
    sent_by_issuer = "sender_authenticated" in facts
    if issuer and otp.detected:
        # What a code means depends on who sent it: a real one says the card number is out, a fake one is bait.
        findings.append(finding("content.otp_unrequested", "warn") if verdict == "genuine"
                        else finding("content.otp_bait", "info") if verdict == "phishing" and not sent_by_issuer
                        else finding("content.otp_unverified", "info"))
    if verdict == "phishing" and not sent_by_issuer:
        # Phishing at the address given only to this issuer means that address is known to whoever sent
        # it; sent by the issuer's own authenticated domain, it says nothing of the sort.
        findings = [finding("recipient.alias_leaked", "warn", f.evidence, address=f.evidence)
                    if f.code == "recipient.alias_match" else f for f in findings]
    present = {f.code for f in findings}
    for requirement in GENUINE_REQUIRES.values():
        if requirement.said_as in decisive and requirement.said_as not in present:
            findings.append(requirement.missing)
    result = Verdict(
        verdict=verdict, issuer=issuer.id if issuer else None,
        issuer_name=issuer.data.issuer.name if issuer else None,
        from_address=mail.from_address, from_domain=mail.from_domain, from_display_name=mail.from_display,
        subject=mail.subject, recipients=mail.recipients, authentication=auth, findings=findings,
        decisive=decisive, links=link_infos, otp=otp, checked_at=now,
        next_steps=next_steps(verdict, otp.detected, issuer, sent_by_issuer=sent_by_issuer),
        sent_by_issuer=sent_by_issuer,
    )
    if issuer and verdict in ("genuine", "suspicious", "phishing") and (verdict != "genuine" or otp.detected):
        # The alias the mail came to says which of the holder's cards it is about.
        card = options.card or next((options.alias_cards[r] for r in mail.recipients if r in options.alias_cards), None)
        result.calls = _calls(directory, issuer, card, now)
    if verdict in ("phishing", "suspicious"):
        sources = [issuer] if issuer else list(directory.issuers.values())
        result.report_routes = [
            {"name": {"ja": r.name.ja, "en": r.name.en}, "address": r.address, "known": r.known,
             "source": each.sources[r.source].title, "source_url": each.sources[r.source].url}
            for each in sources for r in each.data.phishing_report
        ]
    return result
