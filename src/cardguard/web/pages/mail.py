"""The Mail page (受信メール): the issuer mail the mailbox commands checked, newest first, each opening
its verdict. Read from the store only: the page never connects to a mailbox."""

from __future__ import annotations

from fastapi import APIRouter, Request

from cardguard.errors import UserError
from cardguard.web.common import has_registry, record_id, render, store

router = APIRouter()

# What the empty page tells the holder to run, on the computer cardguard runs on (as README's "Your
# mailbox" section writes them): (what it does, the command). NAME and FILE are the holder's own.
GETTING_MAIL_HERE = (
    ("holder3.mail_empty_add", "cardguard mail add"),
    ("holder3.mail_empty_check", "cardguard mail check"),
    ("holder3.mail_empty_watch", "cardguard mail watch --account NAME"),
    ("holder3.mail_empty_scan", "cardguard mail scan FILE"),
)


def _when(request: Request, value) -> str:
    return value.astimezone(request.state.zone).strftime("%Y-%m-%d %H:%M") if value is not None else ""


@router.get("/mail")
async def mail_page(request: Request):
    from cardguard.mailbox import accounts

    rows = accounts.recent_issuer_mail(store(request)) if has_registry(request) else []
    items = [{"id": r.id, "when": _when(request, r.mail_date), "sender": r.sender, "subject": r.subject,
              "verdict": r.verdict, "where": _where(request, r)} for r in rows]
    return render(request, "mail.html", items=items, steps=GETTING_MAIL_HERE)


def _where(request: Request, row) -> str:
    """The mailbox and folder a message was read in, or the exported file it was scanned from."""
    from cardguard.i18n import t

    if row.account is None and row.source_file:
        return t("mail.web.where_file", request.state.lang, file=row.source_file, key=row.source_key or "")
    return t("mail.web.where", request.state.lang, account=row.account, folder=row.folder)


@router.get("/mail/{entry_id}")
async def mail_verdict(request: Request, entry_id: str):
    from cardguard.mailbox import accounts

    number = record_id(entry_id)
    row = accounts.checked_entry(store(request), number) if has_registry(request) else None
    if row is None:
        raise UserError("error.page_not_found", path=f"/mail/{entry_id}"[:80])
    detail = accounts.shown_detail(row, request.state.lang)
    return render(request, "mail_verdict.html", v=detail, mail_entry=row.id, row={
        "when": _when(request, row.mail_date), "sender": row.sender, "subject": row.subject, "verdict": row.verdict,
        "where": _where(request, row), "findings": (row.findings or "").split()})
