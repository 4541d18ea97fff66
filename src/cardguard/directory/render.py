"""Contacts as a person reads them in a terminal, and as JSON for everything else."""

from __future__ import annotations

from datetime import datetime

from rich.console import Console

from cardguard.directory.hours import holiday_name
from cardguard.directory.load import Directory, Issuer
from cardguard.directory.lookup import ContactLine, resolve_card
from cardguard.i18n import Lang, t
from cardguard.output import console

_WEEKDAYS = {"ja": "月火水木金土日", "en": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]}


def when(moment: datetime, lang: Lang) -> str:
    """A moment as a person reads it: 11月25日(火) 9:00 / Tue 25 Nov 09:00."""
    day = _WEEKDAYS[lang][moment.weekday()]
    if lang == "ja":
        return f"{moment.year}年{moment.month}月{moment.day}日({day}) {moment.hour}:{moment.minute:02d}"
    return f"{day} {moment.day} {moment.strftime('%b')} {moment.year} {moment.hour:02d}:{moment.minute:02d}"


def status_text(line: ContactLine, moment: datetime, lang: Lang) -> str:
    status = line.status(moment)
    if line.schedule.unknown:
        return t("contacts.hours_unknown", lang)
    if status.always_open:
        return t("contacts.open_always", lang)
    if status.open_now:
        assert status.closes_at is not None
        return t("contacts.open_until", lang, time=status.closes_at.strftime("%H:%M"))
    text = t("contacts.closed_opens", lang, when=when(status.opens_at, lang)) if status.opens_at else t("contacts.closed", lang)
    if line.schedule.emergency_always_open:
        text += f" ({t('contacts.emergency', lang)})"
    return text


def _card_label(line: ContactLine, lang: Lang) -> str:
    if line.card:
        return line.issuer.cards[line.card].name(lang)
    if line.eligible_cards:
        return t("contacts.eligible", lang)
    return t("contacts.every_card", lang)


def print_contacts(directory: Directory, lines: list[ContactLine], lang: Lang, moment: datetime, *,
                   card: str | None, purpose: str | None, issuer: str | None, country: str | None = None) -> None:
    out = console()
    issuers = [directory.issuer(issuer)] if issuer else list(directory.issuers.values())
    for each in issuers:
        local = moment.astimezone(each.tz)
        out.print(f"[bold]{t('contacts.title', lang, issuer=each.data.issuer.name(lang))}[/bold]")
        out.print(t("contacts.now", lang, moment=when(local, lang)))
        holiday = holiday_name(each.data.issuer.holidays, local.date(), lang)
        if holiday:
            out.print(t("contacts.holiday_today", lang, name=holiday))
        mine = [line for line in lines if line.issuer is each]
        card_id = resolve_card(each, card) if card else None
        if not mine:
            out.print(_nothing_found(each, card_id, purpose, lang))
        else:
            for line in mine:
                _print_line(out, line, moment, lang, show_card=card_id is None)
            notes = []
            for line in mine:
                if line.note and line.note(lang) not in notes:
                    notes.append(line.note(lang))
            for note in notes:
                out.print("・" + note, markup=False)
            sources = sorted({(t("contacts.source_card", lang) if line.origin == "card" else line.source_title,
                               line.as_of.isoformat()) for line in mine})
            for title, as_of in sources:
                out.print(t("contacts.source", lang, title=title, as_of=as_of), style="dim", markup=False)
        if purpose == "not-arrived" or (purpose is None and not country):
            for route in each.data.online_routes:
                out.print(t("contacts.online_route", lang, topic=route.topic(lang)))
                for step in route.steps:
                    out.print("  ・" + step(lang), markup=False)
        if purpose in ("fraud", "lost", "general") or (purpose is None and not country):
            out.print(f"[bold]{t('contacts.urgent_hint', lang)}[/bold]")
        out.print(t("contacts.prepare_hint", lang), style="dim")


def _print_line(out: Console, line: ContactLine, moment: datetime, lang: Lang, *, show_card: bool) -> None:
    open_now = line.status(moment).open_now
    mark, style = ("●", "green") if open_now else (("?", "yellow") if open_now is None else ("○", "red"))
    extras = [t("contacts.fax", lang)] if line.kind == "fax" else []
    if line.toll_free:
        extras.append(t("contacts.toll_free", lang))
    if line.origin != "directory":
        extras.append(t("contacts.yours", lang))
    head = f"[{style}]{mark}[/{style}] [bold]{t(f'purpose.{line.purpose}', lang)}[/bold]  [bold]{line.number}[/bold]"
    if extras:
        head += "  (" + ", ".join(extras) + ")"
    out.print(head)
    for extra in (line.topic, line.place):
        if extra:
            out.print("   " + extra(lang), markup=False)
    out.print(f"   [{style}]{status_text(line, moment, lang)}[/{style}]  ·  {line.schedule.text(lang)}")
    if show_card or line.card is None:
        out.print("   " + _card_label(line, lang), style="dim", markup=False)


def _nothing_found(issuer: Issuer, card_id: str | None, purpose: str | None, lang: Lang) -> str:
    if purpose == "overseas" and card_id:
        eligible = next((table.cards for table in issuer.data.tables if table.purpose == "overseas"), None) or []
        if card_id not in eligible:
            names = "、".join(issuer.cards[c].name(lang) for c in eligible) if lang == "ja" \
                else ", ".join(issuer.cards[c].name(lang) for c in eligible)
            return t("contacts.not_eligible", lang, card=issuer.cards[card_id].name(lang), cards=names)
    return t("contacts.none", lang)


def prepare_json(issuer: Issuer, lang: Lang) -> dict:
    data = issuer.data

    def items(group) -> list[dict]:
        return [{"text": item.text()(lang), "source": issuer.sources[item.source].title} for item in group]

    prepare = data.prepare
    return {
        "issuer": issuer.id,
        "before_call": items(prepare.before_call) if prepare else [],
        "no_connect": items(prepare.no_connect) if prepare else [],
        "why_they_call": items(prepare.why_they_call) if prepare else [],
        "phishing_report": [
            {"name": r.name(lang), "address": r.address, "known": r.known,
             "note": r.note(lang) if r.note else None, "source": issuer.sources[r.source].title,
             "source_url": issuer.sources[r.source].url}
            for r in data.phishing_report
        ],
        "cancellation_caveats": [dict(id=c.id, **item) for c, item in zip(data.cancellation_caveats, items(data.cancellation_caveats))],
    }


def print_prepare(issuer: Issuer, lang: Lang) -> None:
    out = console()
    data = prepare_json(issuer, lang)
    out.print(f"[bold]{issuer.data.issuer.name(lang)}[/bold]")
    for key in ("before_call", "no_connect", "why_they_call", "cancellation_caveats"):
        title = "cancellation" if key == "cancellation_caveats" else key
        out.print(f"\n[bold]{t(f'contacts.{title}', lang)}[/bold]")
        for item in data[key]:
            out.print("・" + item["text"], markup=False)
    out.print(f"\n[bold]{t('contacts.phishing_report', lang)}[/bold]")
    for route in data["phishing_report"]:
        address = route["address"] or t("contacts.report_unknown", lang)
        out.print(f"・{route['name']}: {address}", markup=False)
        if route["note"]:
            out.print(f"  {route['note']}", markup=False)
