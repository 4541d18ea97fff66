"""Whom to call, right now: for the holder's own card(s) unless they pick another, with what to have
ready before calling. The numbers are the core's answer (directory.whom_to_call), as `cardguard contacts` gives it."""

from __future__ import annotations

from fastapi import APIRouter, Request

from cardguard.i18n import t
from cardguard.web.calls import answer_for, shown_advice, shown_lines, shown_notes
from cardguard.web.common import now, render
from cardguard.web.pages.home import my_cards

router = APIRouter()


def _places(lang) -> list[tuple[str, str]]:
    """Every country the core can place (the M49 table), named in the reader's language, Japan aside
    (at home is the first choice)."""
    from cardguard.directory.countries import countries, country_name

    named = [(code, country_name(code, lang)) for code in countries() if code != "JP"]
    return sorted(named, key=lambda item: item[1])


@router.get("/call")
async def call_page(request: Request, card: str | None = None, purpose: str | None = None,
                    country: str | None = None):
    from cardguard.directory import load_directory
    from cardguard.directory.lookup import resolve_purpose
    from cardguard.directory.render import prepare_json
    from cardguard.directory.schema import PURPOSES

    lang = request.state.lang
    at = now()
    directory = load_directory()
    purpose_id = resolve_purpose(purpose) if purpose else "fraud"
    country = (country or "").strip() or None
    mine = my_cards(request)
    by_ref = {f"#{c.id}": c for c in mine}
    if (card is None or card == "mine") and mine:
        chosen = list(mine)  # the holder's own cards first: the numbers that matter to them
    elif card and card in by_ref:
        chosen = [by_ref[card]]
    elif card and card != "mine":
        # As `contacts --card`: the holder's own card by nickname or last four digits first, else a product.
        chosen = [c for c in mine if c.nickname == card or c.last4 == card][:1]
    else:
        chosen = []
    if chosen:
        answers = [answer_for(directory, own=own, purpose=purpose_id, country=country, at=at) for own in chosen]
    else:
        answers = [answer_for(directory, card=card or None, purpose=purpose_id, country=country, at=at)]
    ids = {answer.issuer for answer in answers if answer.issuer}
    issuers = [directory.issuers[i] for i in ids if i in directory.issuers] or list(directory.issuers.values())
    selected = card if card is not None else ("#%d" % chosen[0].id if len(chosen) == 1 else ("mine" if chosen else ""))
    return render(request, "call.html", lines=shown_lines(answers, lang), notes=shown_notes(answers, lang),
                  advice=shown_advice(answers, lang), mine=mine, selected=selected,
                  cards=[(c.id, c.name(lang)) for i in directory.issuers.values() for c in i.data.cards],
                  purpose=purpose_id, purposes=[(p, t(f"purpose.{p}", lang)) for p in PURPOSES],
                  country=country or "", places=_places(lang),
                  prepare=[prepare_json(i, lang, {purpose_id}) | {"name": i.data.issuer.name(lang)} for i in issuers],
                  none_text=t("contacts.none", lang))
