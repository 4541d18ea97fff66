"""Incidents: start one (from a verdict, with the card its alias identified), tick its steps in place,
log calls and notes, close it, and read its report on the phone."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from cardguard.errors import UserError
from cardguard.shortened import shortened
from cardguard.web.common import form_of, is_htmx, now, on_form_error, record_id, render, store
from cardguard.web.pages.home import my_cards

router = APIRouter()
LOG_FIELDS = ("call", "answered_by", "reference", "agreed", "note")
CLOSE_FIELDS = ("summary",)


def _text(form, key: str) -> str | None:
    value = form.get(key)
    return value.strip() or None if isinstance(value, str) else None


@router.get("/incidents")
async def incidents_page(request: Request, kind: str | None = None):
    from cardguard.incident import plans

    lang = request.state.lang
    rows = []
    from cardguard.web.common import has_registry

    if has_registry(request):
        from sqlalchemy import select

        from cardguard.incident.report import shown
        from cardguard.store.models import Incident

        with store(request).session() as session:
            rows = [{"id": i.id, "title": plans.plan(i.kind).title(lang), "status": i.status,
                     "started_at": shown(i.started_at)}
                    for i in session.scalars(select(Incident).order_by(Incident.id.desc()))]
    kinds = [(p.kind, p.title(lang)) for p in plans.all_plans()]
    return render(request, "incidents.html", rows=rows, kinds=kinds, chosen=kind, mine=my_cards(request))


@router.post("/incidents")
async def start_incident(request: Request):
    from cardguard.incident import record

    form = await form_of(request)
    entry = request.app.state.checked.get(_text(form, "verdict"))
    card = _text(form, "card")
    if card is None and entry and entry.get("card_id"):
        card = f"#{entry['card_id']}"
    stored = _stored_mail(request, _text(form, "mail")) if entry is None else None
    if card is None and stored and stored["card_id"]:
        card = f"#{stored['card_id']}"
    with store(request).session() as session:
        # The verdict is stored as what it is (codes and values) and worded when the incident is read;
        # a mail the mailbox commands checked carries the verdict as they stored it, in both languages.
        incident = record.start(session, _text(form, "kind"), at=now(), card=card,
                                checked=entry.get("checked") if entry else None,
                                verdict=stored["verdicts"]["en"] if stored else None,
                                verdicts=stored["verdicts"] if stored else None,
                                mail_at=entry["mail_at"] if entry else stored["mail_at"] if stored else None)
        incident_id = incident.id
    return RedirectResponse(f"/incidents/{incident_id}", status_code=303)


def _stored_mail(request: Request, given: str | None) -> dict | None:
    """The verdict the Mail page shows for entry ``given`` (a mail `mail check`/`scan` recorded)."""
    import json

    from cardguard.mailbox import accounts
    from cardguard.verify.run import card_by_alias
    from cardguard.web.common import has_registry

    if not given or not has_registry(request):
        return None
    row = accounts.checked_entry(store(request), record_id(given))
    if row is None or not row.detail:
        raise UserError("error.page_not_found", path=f"/mail/{given}"[:80])
    verdicts = json.loads(row.detail)
    return {"verdicts": verdicts, "mail_at": row.mail_date,
            "card_id": card_by_alias(verdicts["en"].get("recipients", []), store(request))}


def incident_view(request: Request, incident_id: int, *, errors: dict | None = None, values: dict | None = None,
                  status_code: int = 200, steps_only: bool = False):
    from cardguard.directory import load_directory
    from cardguard.incident import record
    from cardguard.incident.report import view

    lang = request.state.lang
    directory = load_directory()
    with store(request).session() as session:
        data = view(session, directory, record.find_incident(session, incident_id), lang, now())
    _web_wording(data, lang)
    prepare = None
    if data["issuer"] in directory.issuers:
        from cardguard.directory.render import prepare_json

        # Only what helps the calls this incident makes (no card-not-arrived advice for phishing).
        purposes = {line["purpose"] for step in data["steps"] for line in step.get("call") or [] if line.get("purpose")}
        prepare = prepare_json(directory.issuer(data["issuer"]), lang, purposes or None)
    return render(request, "incident_steps.html" if steps_only else "incident.html", status_code=status_code,
                  d=data, errors=errors or {}, values=values or {}, prepare=prepare)


def _web_wording(data: dict, lang: str) -> None:
    """Steps worded for a page (its buttons and forms) where the plan words them as commands."""
    from cardguard.incident import plans

    plan = plans.plan(data["kind"])
    for entry in data["steps"]:
        step = plan.step(entry["id"])
        if step and step.web_title:
            entry["title"] = step.web_title(lang)
        if step and step.web_detail:
            entry["detail"] = step.web_detail(lang)


@router.get("/incidents/{incident_id}")
async def incident_page(request: Request, incident_id: str):
    return incident_view(request, record_id(incident_id))


@router.post("/incidents/{incident_id}/steps/{step_id}")
async def tick_step(request: Request, incident_id: str, step_id: str):
    from cardguard.incident import record

    number = record_id(incident_id)
    form = await form_of(request)
    with store(request).session() as session:
        incident = record.find_incident(session, number)
        record.tick(session, incident, step_id, now(), _text(form, "skip"))
    if is_htmx(request):
        return incident_view(request, number, steps_only=True)
    return RedirectResponse(f"/incidents/{number}", status_code=303)


async def _incident_form(request: Request, incident_id: str, fields: tuple[str, ...]):
    """The incident a form posts to and the form, with a refused field shown again on the incident's
    page, under that field, with what was typed kept."""
    number = record_id(incident_id)
    form = await form_of(request)
    on_form_error(request, lambda errors, values, status: incident_view(
        request, number, errors=errors, values=values, status_code=status), fields, form)
    return number, form


@router.post("/incidents/{incident_id}/log")
async def log_event(request: Request, incident_id: str):
    from cardguard.incident import record

    number, form = await _incident_form(request, incident_id, LOG_FIELDS)
    with store(request).session() as session:
        incident = record.find_incident(session, number)
        record.log(session, incident, now(), note=_text(form, "note"), call=_text(form, "call"),
                   answered_by=_text(form, "answered_by"), reference=_text(form, "reference"),
                   agreed=_text(form, "agreed"))
    return RedirectResponse(f"/incidents/{number}#timeline", status_code=303)


@router.post("/incidents/{incident_id}/close")
async def close_incident(request: Request, incident_id: str):
    from cardguard.directory import load_directory
    from cardguard.incident import record

    number, form = await _incident_form(request, incident_id, CLOSE_FIELDS)
    lang = request.state.lang
    try:
        with store(request).session() as session:
            record.close(session, record.find_incident(session, number), now(), _text(form, "summary"),
                         confirmed=form.get("confirmed") == "yes", directory=load_directory(), lang=lang)
    except UserError as error:
        if error.key != "error.steps_open":
            raise
        # Shown beside the close button, with the steps still open and a box to close anyway.
        message = " ".join([error.message(lang), *error.details_in(lang)])
        return incident_view(request, number, errors={"confirmed": message},
                             values={"summary": _text(form, "summary") or ""}, status_code=409)
    return RedirectResponse(f"/incidents/{number}", status_code=303)


@router.get("/incidents/{incident_id}/report.{fmt}")
async def export_incident(request: Request, incident_id: str, fmt: str):
    from cardguard.directory import load_directory
    from cardguard.incident import record, report

    number = record_id(incident_id)
    if fmt not in ("md", "html"):
        raise UserError("error.page_not_found", path=shortened(request.url.path, 80))
    lang = request.state.lang
    with store(request).session() as session:
        data = report.view(session, load_directory(), record.find_incident(session, number), lang, now())
    if fmt == "md":
        return Response(report.markdown(data, lang), media_type="text/markdown; charset=utf-8", headers={
            "Content-Disposition": f'attachment; filename="cardguard-incident-{number}.md"'})
    # Inline: a phone opens it to read or print; the file name is there for saving it.
    return Response(report.html(data, lang), media_type="text/html; charset=utf-8", headers={
        "Content-Disposition": f'inline; filename="cardguard-incident-{number}.html"'})
