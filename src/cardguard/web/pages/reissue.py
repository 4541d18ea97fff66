"""Recording a new card, and its checklist of services to update, one row at a time in place."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from cardguard.web.common import form_of, is_htmx, on_form_error, record_id, render, store, today
from cardguard.web.pages.cards import cards_view

router = APIRouter()
REISSUE_FIELDS = ("card", "last4", "expiry")


@router.post("/reissue")
async def reissue(request: Request):
    from cardguard.wallet import registry

    form = await form_of(request)
    on_form_error(request, lambda errors, values, status: cards_view(
        request, errors={"reissue": errors}, values={"reissue": values}, open_form="reissue", status_code=status),
        REISSUE_FIELDS, form)
    value = lambda key: form.get(key) if isinstance(form.get(key), str) else ""  # noqa: E731
    with store(request).session() as session:
        registry.reissue(session, value("card"), value("last4"), value("expiry") or None, today(request))
    return RedirectResponse("/cards#checklist", status_code=303)


@router.post("/checklist/items/{item_id}")
async def mark_item(request: Request, item_id: str):
    from cardguard.directory import load_directory
    from cardguard.wallet import registry
    from cardguard.wallet.render import checklist_json, merged_text

    number = record_id(item_id)
    form = await form_of(request)
    status = form.get("status") if isinstance(form.get("status"), str) else ""
    lang = request.state.lang
    with store(request).session() as session:
        item = registry.mark_item(session, number, status, today(request))
        session.flush()
        merged = merged_text(item, lang)
        if not is_htmx(request):
            # The merge is said on the cards page this redirect shows (services list the one kept).
            return RedirectResponse(f"/cards#item-{number}", status_code=303)
        checklist = checklist_json(load_directory(), item.checklist, lang)
        row = next(i for i in checklist["items"] if i["id"] == number)
        url = item.service.payment_url if item.service else None
    # Only the row and the progress change: the page stays where the holder is.
    return render(request, "checklist_row.html", i=row, checklist=checklist, payment_url=url, oob=True,
                  merged=merged)
