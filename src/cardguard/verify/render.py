"""A verdict as a card holder reads it in a terminal at midnight: the answer first, then why."""

from __future__ import annotations

from cardguard.directory.render import status_text
from cardguard.i18n import Lang, listed, t
from cardguard.output import console, one_line
from cardguard.shortened import shortened
from cardguard.verify.content import mask_codes
from cardguard.verify.model import Verdict

_STYLE = {"genuine": "bold green", "suspicious": "bold yellow", "phishing": "bold white on red", "unrelated": "bold"}
_MARK = {"bad": "✗", "warn": "!", "good": "✓", "info": "·"}
_MARK_STYLE = {"bad": "red", "warn": "yellow", "good": "green", "info": "dim"}


def _print_calls(verdict: Verdict, lang: Lang) -> None:
    if not verdict.calls:
        return
    out = console()
    heading = "verdict.call" if verdict.verdict == "genuine" else f"verdict.call_{verdict.verdict}"
    out.print(f"\n[bold]{t(heading, lang)}[/bold]")
    for group in verdict.calls:
        out.print(f"  [bold]{group.call.number}[/bold]  {status_text(group.call, lang=lang)}")
        if group.call.origin == "card" and group.call.topic is not None:
            # The number on the holder's own card: it says so, not "for: every card".
            out.print("    " + one_line(group.call.topic(lang)), style="dim", markup=False)
            continue
        names = listed([name(lang) for name in group.card_names], lang) or t("contacts.every_card", lang)
        out.print("    " + t("verdict.cards", lang, cards=names), style="dim", markup=False)


def print_verdict(verdict: Verdict, lang: Lang) -> None:
    out = console()
    issuer = verdict.issuer_name(lang) if verdict.issuer_name else ""
    label = t(f"verdict.{verdict.verdict}", lang)
    out.print(f"[{_STYLE[verdict.verdict]}] {label.upper() if lang == 'en' else label} [/]")
    out.print(t(verdict.headline_key, lang, issuer=issuer), style="bold")
    out.print(f"{t('incident.from', lang)}: {one_line(verdict.from_display_name)} <{one_line(verdict.from_address)}>",
              markup=False)
    out.print(f"{t('incident.subject', lang)}: {one_line(mask_codes(verdict.subject))}", markup=False)
    if verdict.otp.detected and verdict.otp.code:
        out.print(one_line(t("verdict.otp", lang, code=verdict.otp.code)), markup=False)

    # A genuine code: the call comes first. Otherwise the steps do, and the call is for who already acted.
    if verdict.verdict == "genuine":
        _print_calls(verdict, lang)
    out.print(f"\n[bold]{t('verdict.next', lang)}[/bold]")
    for step in verdict.next_steps:
        out.print("  ・" + t(step, lang), markup=False)
    known = [r for r in verdict.report_routes if r["known"]]
    if known:
        out.print(f"  {t('verdict.report', lang)}:")
        for route in known:
            out.print(f"    {route['name'][lang]}: {route['address']}", markup=False)

    if verdict.verdict != "genuine":
        _print_calls(verdict, lang)

    out.print(f"\n[bold]{t('verdict.reasons', lang)}[/bold]")
    for item in verdict.ordered_findings():
        mark = _MARK[item.severity]
        strong = "bold" if item.code in verdict.decisive else ""
        out.print(f"  [{_MARK_STYLE[item.severity]}]{mark}[/] ", end="")
        out.print(one_line(item.message(lang)), style=strong, markup=False)

    if verdict.links:
        out.print(f"\n[bold]{t('verdict.links', lang)}[/bold]")
        for link in verdict.links[:20]:
            domain = link.registered_domain or shortened(link.url, 40)
            if verdict.issuer is None:
                # Official for whom? With no issuer claimed there is nothing to compare against.
                out.print(f"  {one_line(domain)}", markup=False)
            else:
                flag = t("verdict.official", lang) if link.official else t("verdict.not_official", lang)
                out.print(f"  {one_line(domain)}  ({flag})", style="green" if link.official else "red", markup=False)
            out.print(f"    {one_line(shortened(link.url, 160))}", style="dim", markup=False)
            if link.goes_to and link.goes_to != link.url:
                # Where the tap really ends up: out of redirects, wrappers and <base href>.
                out.print(f"    → {one_line(shortened(link.goes_to, 160))}", style="dim", markup=False)
        if len(verdict.links) > 20:
            out.print(f"  … +{len(verdict.links) - 20}", style="dim")
