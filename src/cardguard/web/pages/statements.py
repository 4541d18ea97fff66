"""The recurring charges found in the holder's statements (statements/), read-only: what each
proposal rests on, and the commands that accept or set it aside. Nothing here changes the store."""

from __future__ import annotations

from fastapi import APIRouter, Request

from cardguard.web.common import has_registry, render, store

router = APIRouter()


@router.get("/statements")
async def statements_page(request: Request):
    from cardguard.statements.ledger import list_proposals
    from cardguard.statements.render import proposal_json
    from cardguard.store.models import Card

    lang = request.state.lang
    items = []
    if has_registry(request):
        with store(request).session() as session:
            items = [proposal_json(session, p, session.get(Card, p.card_id), lang)
                     for p in list_proposals(session, include_decided=True)]
    return render(request, "statements.html", items=items)
