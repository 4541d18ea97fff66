"""The holder's own trick from the seed: a separate alias per card company. Mail for the issuer
that arrives at another alias was not sent by someone who knows the registered address."""

from __future__ import annotations

from cardguard.verify.model import Finding, finding


def recipient_findings(recipients: list[str], aliases: list[str], claimed: bool) -> list[Finding]:
    wanted = {a.strip().lower() for a in aliases if a.strip()}
    if not wanted or not claimed:
        return []
    matched = sorted(wanted & set(recipients))
    if matched:
        return [finding("recipient.alias_match", "good", matched[0], address=matched[0])]
    shown = ", ".join(recipients[:3]) or "-"
    return [finding("recipient.other_address", "bad", shown, address=shown, alias=", ".join(sorted(wanted)))]
