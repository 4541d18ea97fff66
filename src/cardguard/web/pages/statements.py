"""The recurring charges found in the holder's statements (statements/): what each proposal rests on,
and, on a phone as on the command line, accepting one as a service on its card through the same core
function as `cardguard statements accept` (statements.ledger.accept)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from cardguard.errors import UserError
from cardguard.web.common import has_registry, is_htmx, record_id, render, store, today

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


@router.post("/statements/{proposal_id}/accept")
async def accept_proposal(request: Request, proposal_id: str):
    from cardguard.i18n import t
    from cardguard.statements.ledger import accept
    from cardguard.statements.render import proposal_json
    from cardguard.store.models import Card

    number = record_id(proposal_id)
    # A refusal (the proposal gone since the page was loaded, say) is shown in this proposal's row.
    request.state.error_place = f"#proposal-{number}-error"
    lang = request.state.lang
    try:
        with store(request).session() as session:
            decision = accept(session, [str(number)], today(request))[0]
            card = session.get(Card, decision.proposal.card_id)
            value = proposal_json(session, decision.proposal, card, lang)
            service = {"id": decision.service.id, "name": decision.service.name} if decision.service else None
    except UserError as error:
        if error.key == "statements.proposal_not_found":
            # The command line's advice (statements proposals --all) is no use on a page: reload it.
            raise UserError("webform.proposal_not_found", given=number) from None
        raise
    outcome = t(f"statements.accepted_{decision.outcome}", lang, id=value["id"], merchant=value["merchant"],
                service=service["id"] if service else None, name=service["name"] if service else None,
                card=f"{value['card']['nickname']} ****{value['card']['last4']}")
    if not is_htmx(request):
        return RedirectResponse(f"/statements#proposal-{number}", status_code=303)
    return render(request, "statements_row.html", p=value, outcome=outcome)
