"""The first page: what happened, and the holder's 24-hour number for each of their cards, one tap away."""

from __future__ import annotations

from fastapi import APIRouter, Request

from cardguard.web.common import has_registry, now, render, store
from cardguard.web.calls import answer_for, emergency_lines, shown_lines

router = APIRouter()


def my_cards(request: Request, *, active_only: bool = True) -> list:
    """The holder's cards (store rows, detached), oldest first; none without a registry."""
    if not has_registry(request):
        return []
    from sqlalchemy import select

    from cardguard.store.models import Card

    with store(request).session() as session:
        query = select(Card).order_by(Card.id)
        if active_only:
            query = query.where(Card.status.in_(("active", "stopped")))
        cards = list(session.scalars(query))
        session.expunge_all()
    return cards


def card_emergency(request: Request, directory, cards: list) -> list[dict]:
    """For each card, the first number to call when it is misused: its back number, else the directory's."""
    lang, at = request.state.lang, now()
    out = []
    for card in cards:
        lines = shown_lines([answer_for(directory, own=card, purpose="fraud", at=at)], lang)
        if lines:
            out.append({"card": card, "line": lines[0]})
    return out


@router.get("/")
async def home(request: Request):
    from cardguard.directory import load_directory

    lang = request.state.lang
    directory = load_directory()
    cards = my_cards(request)
    numbers = card_emergency(request, directory, cards) if cards else []
    fallback = [] if numbers else emergency_lines(directory, lang, now())
    return render(request, "home.html", numbers=numbers, fallback=fallback)
