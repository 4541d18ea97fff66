"""Text pasted without its headers (all a phone's mail app lets a person copy).

What the visible text can tell is still worth saying: which issuer it claims, where its links really
go, whether it asks for card data, a one-time code in it. What it cannot tell is whether the mail is
genuine: that needs the headers (DKIM, SPF, DMARC). So a pasted body is never called genuine; it is
`phishing` when its own content gives it away, and `unverifiable` otherwise.
"""

from __future__ import annotations

import tomllib
from dataclasses import field
from functools import cache
from importlib import resources

from cardguard.directory.load import Directory
from cardguard.i18n import Lang, Text, t
from cardguard.values import record
from cardguard.verify import content, links
from cardguard.verify.check import LINK_DECEPTIVE
from cardguard.verify.identity import claimed_issuer
from cardguard.verify.message import Mail
from cardguard.verify.model import Finding, LinkInfo, Otp, finding

HEADER_NAMES = ("from", "to", "subject", "date", "received", "message-id", "return-path", "dkim-signature")


def has_headers(data: bytes) -> bool:
    """True when the first lines look like a message's header block (``Name: value``)."""
    head = data[:8192].replace(b"\r\n", b"\n").split(b"\n\n", 1)[0].decode("utf-8", "replace")
    names = {line.split(":", 1)[0].strip().lower() for line in head.split("\n") if ":" in line and not line[:1].isspace()}
    return bool(names & set(HEADER_NAMES))


@record
class Provider:
    id: str
    name: Text
    steps: Text
    source_title: str
    source_url: str


@cache
def full_message_help() -> tuple[Provider, ...]:
    """How each webmail shows a message's full source, with where that was looked up."""
    raw = tomllib.loads(resources.files("cardguard.verify").joinpath("data/full_message_help.toml")
                        .read_text(encoding="utf-8"))
    return tuple(Provider(p["id"], Text(**p["name"]), Text(**p["steps"]), p["source_title"], p["source_url"])
                 for p in raw["provider"])


@record(mutable=True)
class PastedVerdict:
    verdict: str  # "phishing" or "unverifiable", never "genuine"
    issuer: str | None
    issuer_name: Text | None
    findings: list[Finding]
    decisive: set[str]
    links: list[LinkInfo]
    otp: Otp
    next_steps: list[str] = field(default_factory=list)

    def as_json(self, lang: Lang) -> dict:
        ordered = sorted(self.findings, key=lambda f: f.code not in self.decisive)
        return {
            "verdict": self.verdict,
            "verdict_label": t(f"pasted.verdict_{self.verdict}", lang),
            "pasted": True,
            "issuer": self.issuer,
            "issuer_name": self.issuer_name(lang) if self.issuer_name else None,
            "findings": [f.as_json(lang, f.code in self.decisive) for f in ordered],
            "links": [link.as_json() for link in self.links],
            "otp": {"detected": self.otp.detected, "code": self.otp.code},
            "next_steps": [t(step, lang) for step in self.next_steps],
            "get_full_message": [{"id": p.id, "name": p.name(lang), "steps": p.steps(lang), "source": p.source_title,
                                  "source_url": p.source_url} for p in full_message_help()],
        }


def analyse_pasted(text: str, directory: Directory) -> PastedVerdict:
    """What the visible text of a mail says on its own, without any claim about who sent it."""
    text = text[:200_000]
    mail = Mail(raw=b"", headers=[], from_address="", from_display="", from_domain="", from_count=0, recipients=[],
                reply_to=[], return_path="", subject="", text=text, html=[], attachments=[])
    claim = claimed_issuer(list(directory.issuers.values()), "", "", "", text)
    issuer = claim.issuer if claim else None
    findings: list[Finding] = [finding("pasted.no_headers", "warn")]
    if claim:
        findings.append(finding("issuer.claimed", "info", ", ".join(claim.where), issuer=issuer.data.issuer.name))
    link_infos, link_findings = links.analyse(links.collect(mail), issuer, directory)
    otp, content_found = content.content_findings("", text)
    findings += link_findings + content_found
    codes = {f.code for f in findings}
    credential = {c for c in codes if c.startswith("content.asks_")}
    foreign = [link for link in link_infos if not link.official]
    # The same content rules as a full check: deception in the text is visible without any header.
    if codes & LINK_DECEPTIVE:
        verdict, decisive = "phishing", codes & LINK_DECEPTIVE
    elif credential and foreign:
        verdict, decisive = "phishing", credential | {"link.foreign"}
    else:
        verdict, decisive = "unverifiable", {"pasted.no_headers"}
    steps = ["next.dont_click", "pasted.step_full_message" if verdict == "unverifiable" else "next.report"]
    if otp.detected:
        steps.append("next.otp_unverified")
    return PastedVerdict(verdict, issuer.id if issuer else None, issuer.data.issuer.name if issuer else None,
                         findings, decisive, link_infos, otp, steps)
