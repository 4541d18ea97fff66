"""A verdict is a value: it prints, serializes and compares, and carries every reason behind it."""

from __future__ import annotations

from dataclasses import field
from typing import Any, Literal

from cardguard.i18n import Lang, Text, catalog, t
from cardguard.values import record


def mask_codes(text: str) -> str:
    from cardguard.verify.content import (
        mask_codes as masked,  # content imports this module
    )

    return masked(text)

Severity = Literal["good", "info", "warn", "bad"]
SEVERITY_ORDER = {"bad": 0, "warn": 1, "good": 2, "info": 3}


@record
class Finding:
    code: str
    severity: Severity
    evidence: str = ""
    values: tuple[tuple[str, Any], ...] = ()

    def message(self, lang: Lang) -> str:
        values = {key: value(lang) if isinstance(value, Text) else value for key, value in self.values}
        return t(f"finding.{self.code}", lang, **values)

    def as_json(self, lang: Lang, decisive: bool) -> dict:
        return {"code": self.code, "severity": self.severity, "message": self.message(lang),
                "evidence": self.evidence, "decisive": decisive}


def finding(code: str, severity: Severity, evidence: str = "", /, **values: Any) -> Finding:
    return Finding(code, severity, evidence, tuple(sorted(values.items())))


@record
class DkimResult:
    domain: str
    selector: str
    result: str  # pass, fail, temperror, permerror
    reason: str  # the finding code that explains it


@record
class DmarcResult:
    result: str  # pass, fail, none (no policy published), temperror, not_checked
    policy: str | None
    aligned: bool
    domain: str | None = None


@record
class Authentication:
    mode: str  # "dns" (checked live), "offline"
    dkim: tuple[DkimResult, ...] = ()
    arc: str = "none"
    spf: str = "not_checked"
    spf_domain: str | None = None
    dmarc: DmarcResult = DmarcResult("not_checked", None, False)
    trusted_results: str | None = None  # the trusted receiver's verdict, when one was found
    authenticated_domain: str | None = None  # the From domain, when DMARC-aligned authentication passed

    def as_json(self) -> dict:
        return {
            "mode": self.mode,
            "dkim": [{"domain": d.domain, "selector": d.selector, "result": d.result, "reason": d.reason} for d in self.dkim],
            "arc": self.arc,
            "spf": {"result": self.spf, "domain": self.spf_domain},
            "dmarc": {"result": self.dmarc.result, "policy": self.dmarc.policy, "aligned": self.dmarc.aligned,
                      "domain": self.dmarc.domain},
            "trusted_authentication_results": self.trusted_results,
            "authenticated_domain": self.authenticated_domain,
        }


@record
class LinkInfo:
    url: str
    text: str | None
    host: str
    registered_domain: str
    official: bool  # every reading of it ends on an official domain of the claimed issuer
    wrapped_in: str | None = None  # a protective wrapper that was removed (SafeLinks and similar)
    goes_to: str | None = None  # where a browser finally goes: out of wrappers and redirects ("host" is its host)
    kind: str = "anchor"  # anchor, form, refresh, remote (image, frame, style), text, attachment
    resolved: bool = True  # False when nothing here can tell where it leads (relative, shortened, unknown scheme)

    def as_json(self) -> dict:
        return {"url": self.url, "text": self.text, "host": self.host, "registered_domain": self.registered_domain,
                "official": self.official, "unwrapped_from": self.wrapped_in, "goes_to": self.goes_to,
                "kind": self.kind, "resolved": self.resolved}


@record
class Otp:
    detected: bool
    code: str | None = None  # partly masked
    merchant: str | None = None
    amount: str | None = None


@record(mutable=True)
class Verdict:
    verdict: Literal["genuine", "suspicious", "phishing", "unrelated"]
    issuer: str | None
    issuer_name: Any
    from_address: str
    from_domain: str
    from_display_name: str
    subject: str
    recipients: list[str]
    authentication: Authentication
    findings: list[Finding]
    decisive: set[str]
    links: list[LinkInfo]
    otp: Otp
    next_steps: list[str] = field(default_factory=list)  # message keys
    calls: list = field(default_factory=list)  # directory.calls.CallGroup: each number to call now, with its cards
    checked_at: Any = None
    report_routes: list[dict] = field(default_factory=list)
    sent_by_issuer: bool = False  # DMARC-aligned authentication of the issuer's own sending domain

    @property
    def headline_key(self) -> str:
        if self.verdict == "phishing" and self.sent_by_issuer:
            return "verdict.headline_phishing_sent_by_issuer"
        return f"verdict.headline_{self.verdict}"

    def ordered_findings(self) -> list[Finding]:
        return sorted(self.findings, key=lambda f: (f.code not in self.decisive, SEVERITY_ORDER[f.severity]))

    def as_json(self, lang: Lang, *, web: bool = False) -> dict:
        """``web``: the steps as a browser page words them (buttons there, not commands)."""
        steps = [f"{key}_web" if web and f"{key}_web" in catalog() else key for key in self.next_steps]
        return {
            "verdict": self.verdict,
            "verdict_label": t(f"verdict.{self.verdict}", lang),
            "headline": t(self.headline_key, lang, issuer=self.issuer_name(lang) if self.issuer_name else ""),
            "issuer": self.issuer,
            "issuer_name": self.issuer_name(lang) if self.issuer_name else None,
            "from": {"address": self.from_address, "domain": self.from_domain, "display_name": self.from_display_name},
            "subject": mask_codes(self.subject),
            "recipients": self.recipients,
            "authentication": self.authentication.as_json(),
            "findings": [f.as_json(lang, f.code in self.decisive) for f in self.ordered_findings()],
            "links": [link.as_json() for link in self.links],
            "otp": {"detected": self.otp.detected, "code": self.otp.code, "merchant": self.otp.merchant,
                    "amount": self.otp.amount},
            "next_steps": [t(step, lang) for step in steps],
            "calls": [{**group.call.as_json(lang), "cards": list(group.cards),
                       "card_names": [name(lang) for name in group.card_names]} for group in self.calls],
            "report_to": self.report_routes,
        }
