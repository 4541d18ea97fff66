"""The web app's Mail page (受信メール): the issuer mail the mailbox commands checked, newest first,
each opening its verdict. Read from the store only: the page never connects to a mailbox."""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from cardguard.i18n import t

router = APIRouter()
_env = Environment(loader=FileSystemLoader(str(resources.files("cardguard.web").joinpath("templates"))),
                   autoescape=select_autoescape(default=True))


def _store(request: Request):
    from cardguard.store import Store

    if request.app.state.store is None:
        request.app.state.store = Store()
    return request.app.state.store


def _render(request: Request, name: str, status_code: int = 200, **context) -> HTMLResponse:
    lang = request.state.lang
    html = _env.get_template(name).render(t=lambda key, **values: t(key, lang, **values), lang=lang,
                                          csrf=request.state.session.csrf, path=request.url.path, request=request,
                                          **context)
    return HTMLResponse(html, status_code=status_code)


def _when(value) -> str:
    if value is None:
        return ""
    from cardguard.incident.record import holder_zone

    return value.astimezone(holder_zone()).strftime("%Y-%m-%d %H:%M")


@router.get("/mail", response_class=HTMLResponse)
async def mail_page(request: Request):
    from cardguard.mailbox import accounts
    from cardguard.paths import registry_exists

    rows = accounts.recent_issuer_mail(_store(request)) if registry_exists() else []
    items = [{"id": r.id, "when": _when(r.mail_date), "sender": r.sender, "subject": r.subject,
              "verdict": r.verdict, "account": r.account, "folder": r.folder} for r in rows]
    return _render(request, "mail.html", items=items)


@router.get("/mail/{entry_id}", response_class=HTMLResponse)
async def mail_verdict(request: Request, entry_id: int):
    from cardguard.mailbox import accounts
    from cardguard.paths import registry_exists

    row = accounts.checked_entry(_store(request), entry_id) if registry_exists() else None
    if row is None:
        return _render(request, "error.html", status_code=404, message=t("mail.web.not_found", request.state.lang),
                       details=[])
    v = accounts.shown_detail(row, request.state.lang)
    return _render(request, "mail_verdict.html", v=v, row={
        "when": _when(row.mail_date), "sender": row.sender, "subject": row.subject, "verdict": row.verdict,
        "account": row.account, "folder": row.folder, "findings": (row.findings or "").split()})
