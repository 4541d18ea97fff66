"""Contacts as a person reads them in a terminal, and as JSON for everything else."""

from __future__ import annotations

from datetime import datetime

from typing import TYPE_CHECKING

from cardguard.directory.calls import Call, CallAnswer
from cardguard.directory.load import Issuer
from cardguard.directory.lookup import ContactLine
from cardguard.i18n import Lang, Text, t
from cardguard.output import console

if TYPE_CHECKING:
    from rich.console import Console  # printing only: JSON answers never load Rich

_WEEKDAYS = {"ja": "月火水木金土日", "en": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]}


def when(moment: datetime, lang: Lang) -> str:
    """A moment as a person reads it: 11月25日(火) 9:00 / Tue 25 Nov 09:00."""
    day = _WEEKDAYS[lang][moment.weekday()]
    if lang == "ja":
        return f"{moment.year}年{moment.month}月{moment.day}日({day}) {moment.hour}:{moment.minute:02d}"
    return f"{day} {moment.day} {moment.strftime('%b')} {moment.year} {moment.hour:02d}:{moment.minute:02d}"


def _status_words(*, open_now: bool | None, always_open: bool, opens_at: datetime | None,
                  closes_at: datetime | None, unknown: bool, from_card: bool, emergency: bool,
                  not_covered_today: bool, not_covered_before: bool, span: Text | None, lang: Lang) -> str:
    if unknown:
        return t("calls.status_card" if from_card else "calls.status_not_stated", lang)
    if always_open:
        return t("contacts.open_always", lang)
    if open_now:
        assert closes_at is not None
        return t("contacts.open_until", lang, time=closes_at.strftime("%H:%M"))
    span_text = span(lang) if span else ""
    if not_covered_today:
        text = t("calls.status_not_covered", lang, span=span_text)
        if opens_at:
            # Not "closed": nobody says it is. Only when it next answers for certain is known.
            text += " · " + t("holder.certainly_opens", lang, when=when(opens_at, lang))
    else:
        text = t("contacts.closed_opens", lang, when=when(opens_at, lang)) if opens_at else t("contacts.closed", lang)
        if not_covered_before:
            text += f" ({t('calls.not_covered_until', lang, span=span_text)})"
    if emergency:
        text += f" ({t('contacts.emergency', lang)})"
    return text


def status_text(line: ContactLine | Call, moment: datetime | None = None, lang: Lang = "en") -> str:
    """Open now, open until, opens at, or what the source does not say. A Call carries its state;
    a ContactLine (kept for callers not yet on whom_to_call) is read at ``moment``."""
    if isinstance(line, Call):
        return _status_words(open_now=line.open_now, always_open=line.always_open, opens_at=line.opens_at,
                             closes_at=line.closes_at, unknown=not line.hours_stated, from_card=line.origin == "card",
                             emergency=line.emergency_always_open, not_covered_today=line.not_covered_today,
                             not_covered_before=line.not_covered_before_opening, span=line.not_covered_name, lang=lang)
    assert moment is not None
    status = line.status(moment)
    span = line.issuer.data.hours_not_covered[0].name if line.issuer.data.hours_not_covered else None
    return _status_words(open_now=status.open_now, always_open=status.always_open, opens_at=status.opens_at,
                         closes_at=status.closes_at, unknown=line.schedule.unknown, from_card=line.origin == "card",
                         emergency=line.schedule.emergency_always_open, not_covered_today=status.not_covered_today,
                         not_covered_before=status.not_covered_before_opening, span=span, lang=lang)


def source_title(call: Call, lang: Lang) -> str:
    """Where a line's number comes from, in ``lang``: the holder's card for a back number the
    directory does not list (the web's call page said "the back of your card" in Japanese pages)."""
    return t("contacts.source_card", lang) if call.origin == "card" and not call.hours_stated else call.source


def call_json(call: Call, lang: Lang) -> dict:
    return {
        "issuer": call.issuer,
        "card": call.card,
        "card_name": call.card_name(lang) if call.card_name else None,
        "eligible_cards": list(call.eligible_cards),
        "purpose": call.purpose,
        "purpose_label": t(f"purpose.{call.purpose}", lang),
        "topic": call.topic(lang) if call.topic else None,
        "number": call.number,
        "tel": call.tel_uri,
        "tel_uri": call.tel_uri,
        "kind": call.kind,
        "toll_free": call.toll_free,
        "hours": call.hours(lang),
        "hours_stated": call.hours_stated,
        "always_open": call.always_open,
        "emergency_always_open": call.emergency_always_open,
        "open_now": call.open_now,
        "opens_at": call.opens_at.isoformat() if call.opens_at else None,
        "closes_at": call.closes_at.isoformat() if call.closes_at else None,
        "not_covered_today": call.not_covered_today,
        "status_text": status_text(call, lang=lang),
        "place": call.place(lang) if call.place else None,
        "countries": list(call.countries),
        "note": call.note(lang) if call.note else None,
        "caveats": [{"code": c.code, "message": c.message(lang)} for c in call.caveats],
        "origin": call.origin,
        "printed_on_card": call.printed_on_card,
        "source": source_title(call, lang),
        "source_url": call.source_url,
        "as_of": call.as_of.isoformat(),
    }


def answer_json(answer: CallAnswer, lang: Lang) -> dict:
    from cardguard.directory.countries import countries, country_name

    country = countries().get(answer.country) if answer.country else None
    return {
        "at": answer.at.isoformat(),
        "purpose": answer.purpose,
        "country": answer.country,
        "country_name": country_name(country.code, lang) if country else None,
        "abroad": answer.abroad,
        "issuer": answer.issuer,
        "issuer_given": answer.issuer_given,
        "card": answer.card,
        "card_name": answer.card_name(lang) if answer.card_name else None,
        "holder_card": answer.holder_card,
        "back_number": answer.back_number,
        "calls": [call_json(call, lang) for call in answer.calls],
        "notes": [{"code": n.code, "message": n.message(lang)} for n in answer.notes],
        "advice": [{"id": a.id, "issuer": a.issuer, "message": a.text(lang), "source": a.source} for a in answer.advice],
        "issuers": [{"id": i.id, "name": i.name(lang), "now": i.local_now.isoformat(),
                     "holiday": i.holiday(lang) if i.holiday else None} for i in answer.issuers],
    }


def _card_label(call: Call, lang: Lang) -> str:
    if call.card_name:
        return call.card_name(lang)
    if call.eligible_cards:
        return t("contacts.eligible", lang)
    return t("contacts.every_card", lang)


def print_answer(answer: CallAnswer, lang: Lang) -> None:
    out = console()
    if not answer.issuers:
        # A card of an issuer the directory has no data for.
        # No issuer, no hours and no zone to read them in: only the card's own number and what to do.
        out.print(f"[bold]{t('contacts.title', lang, issuer=answer.holder_card or answer.issuer_given or '-')}[/bold]")
        for call in answer.calls:
            _print_call(out, call, lang, show_card=False)
        for note in answer.notes:
            out.print("・" + note.message(lang), markup=False)
        out.print(t("contacts.prepare_hint", lang), style="dim")
        return
    if answer.abroad and answer.country:
        from cardguard.directory.countries import country_name

        out.print(t("calls.abroad", lang, country=country_name(answer.country, lang)), style="bold")
    for each in answer.issuers:
        out.print(f"[bold]{t('contacts.title', lang, issuer=each.name(lang))}[/bold]")
        out.print(t("contacts.now", lang, moment=when(each.local_now, lang)))
        if each.holiday:
            out.print(t("contacts.holiday_today", lang, name=each.holiday(lang)))
        mine = [call for call in answer.calls if call.issuer == each.id]
        for call in mine:
            _print_call(out, call, lang, show_card=answer.card is None)
        for advice in answer.advice:
            if advice.issuer == each.id:
                out.print("・" + advice.text(lang), markup=False)
        sources = sorted({(source_title(call, lang), call.as_of.isoformat()) for call in mine})
        for title, as_of in sources:
            out.print(t("contacts.source", lang, title=title, as_of=as_of), style="dim", markup=False)
        if answer.purpose == "not-arrived" or (answer.purpose is None and not answer.country):
            for route in each.online_routes:
                out.print(t("contacts.online_route", lang, topic=route.topic(lang)))
                for step in route.steps:
                    out.print("  ・" + step(lang), markup=False)
    for note in answer.notes:
        out.print(note.message(lang), markup=False)
    if answer.purpose in ("fraud", "lost", "general") or (answer.purpose is None and not answer.country):
        out.print(f"[bold]{t('contacts.urgent_hint', lang)}[/bold]")
    out.print(t("contacts.prepare_hint", lang), style="dim")


def _print_call(out: Console, call: Call, lang: Lang, *, show_card: bool) -> None:
    open_now = call.open_now
    mark, style = ("●", "green") if open_now else (("?", "yellow") if open_now is None else ("○", "red"))
    extras = [t("contacts.fax", lang)] if call.kind == "fax" else []
    if call.toll_free:
        extras.append(t("contacts.toll_free", lang))
    if call.origin != "directory":
        extras.append(t("contacts.yours", lang))
    head = f"[{style}]{mark}[/{style}] [bold]{t(f'purpose.{call.purpose}', lang)}[/bold]  [bold]{call.number}[/bold]"
    if extras:
        head += "  (" + ", ".join(extras) + ")"
    out.print(head)
    for extra in (call.topic, call.place):
        if extra:
            out.print("   " + extra(lang), markup=False)
    hours = f"  ·  {call.hours(lang)}" if call.hours_stated else ""
    out.print(f"   [{style}]{status_text(call, lang=lang)}[/{style}]{hours}")
    for caveat in call.caveats:
        out.print("   ⚠ " + caveat.message(lang), markup=False)
    if (show_card or call.card is None) and not (call.printed_on_card and call.card_name is None):
        # The number on the holder's card is for that card, whichever of the directory's it is.
        out.print("   " + _card_label(call, lang), style="dim", markup=False)


def prepare_json(issuer: Issuer, lang: Lang, purposes: set[str] | None = None) -> dict:
    """``purposes``: the calls about to be made; an item about another purpose (a review's progress
    when reporting fraud) is left out. None: every item."""
    data = issuer.data

    def items(group) -> list[dict]:
        return [{"text": item.text()(lang), "source": issuer.sources[item.source].title} for item in group
                if purposes is None or not getattr(item, "purposes", None) or set(item.purposes) & purposes]

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


def print_prepare(issuer: Issuer, lang: Lang, purposes: set[str] | None = None) -> None:
    out = console()
    data = prepare_json(issuer, lang, purposes)
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
