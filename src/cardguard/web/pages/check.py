"""Is this email genuine? A file, or pasted text; a pasted body without headers is analysed for what
it shows and never called genuine."""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict

import nh3
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from cardguard.errors import UserError
from cardguard.web.common import MAX_UPLOAD, form_of, is_htmx, now, render
from cardguard.web.masking import mask_codes

router = APIRouter()
PREVIEW_TAGS = {"p", "br", "div", "span", "b", "strong", "i", "em", "u", "table", "tbody", "thead", "tr", "td", "th",
                "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "code", "hr", "center", "font"}


class Checked:
    """Recent verdicts, kept in memory so "start an incident" can use one; never the message itself."""

    def __init__(self, size: int = 50) -> None:
        self.items: OrderedDict[str, dict] = OrderedDict()
        self.size = size
        self._lock = threading.Lock()  # checks finish in worker threads

    def add(self, entry: dict) -> str:
        token = secrets.token_urlsafe(16)
        with self._lock:
            self.items[token] = entry
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return token

    def get(self, token: str | None) -> dict | None:
        return self.items.get(token or "")


@router.get("/check")
async def check_page(request: Request):
    return render(request, "check.html", result=None)


async def _input(request: Request) -> tuple[bytes, bool]:
    """The message as bytes, and whether it was typed or pasted (rather than a file)."""
    form = await form_of(request)
    upload = form.get("file")
    data = b""
    if upload is not None and hasattr(upload, "read"):
        data = await upload.read(MAX_UPLOAD + 1)
    if data.strip():
        return data, False
    source = form.get("source")
    return (source.encode("utf-8", "surrogateescape") if isinstance(source, str) else b""), True


def _plain_text(data: bytes) -> str | None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text if "\x00" not in text else None


@router.post("/check")
async def check(request: Request):
    from cardguard.verify.pasted import has_headers

    data, _typed = await _input(request)
    if len(data) > MAX_UPLOAD:
        raise UserError("error.message_too_large", size=len(data) // (1024 * 1024), limit=MAX_UPLOAD // (1024 * 1024))
    if not data.strip():
        raise UserError("error.empty_message")
    text = _plain_text(data)
    if text is not None and not has_headers(data) and not data.startswith(b"\xd0\xcf\x11\xe0"):
        return await run_in_threadpool(_pasted, request, text)
    form = await form_of(request)
    # The check runs in a worker thread: a message written to be slow holds up its own answer only,
    # never every other page of the app (on the event loop, one upload froze them all).
    context = await run_in_threadpool(_checked, request, data, bool(form.get("offline")))
    return render(request, "verdict.html" if is_htmx(request) else "check.html", result=context, **context)


def _checked(request: Request, data: bytes, offline: bool) -> dict:
    """The verdict page's context for ``data``; the verdict kept for "start an incident"."""
    from cardguard.incident.record import received_at
    from cardguard.verify.message import read_mail
    from cardguard.verify.run import card_by_alias, verify_bytes

    lang = request.state.lang
    mail = read_mail(data)
    verdict = verify_bytes(data, lang, offline=offline, resolver=None, trust=None, alias=None,
                           card=None, mail=mail, store=request.app.state.store)
    body = (mail.text or "\n".join(h.text for h in mail.html))[:20000]
    preview = "".join(nh3.clean(part_html, tags=PREVIEW_TAGS, attributes={}, url_schemes=set(), link_rel=None,
                                strip_comments=True) for part_html in mail.html_source[:5])[:200_000]
    subject, body, preview = mask_codes([verdict.subject, body, preview])
    token = request.app.state.checked.add({
        "verdicts": {"ja": verdict.as_json("ja"), "en": verdict.as_json("en")},
        "checked": verdict,  # kept in memory only: an incident stores its facts, never the message
        "mail_at": received_at(mail.headers), "preview": preview,
        # The alias the mail came to says which of the holder's cards it is about: the incident carries it.
        "card_id": card_by_alias(mail.recipients, request.app.state.store),
    })
    shown = verdict.as_json(lang, web=True)
    shown["subject"] = subject
    return {"v": shown, "text": body, "token": token, "has_preview": bool(preview)}


def _pasted(request: Request, text: str) -> HTMLResponse:
    from cardguard.directory import load_directory
    from cardguard.verify.pasted import analyse_pasted

    lang = request.state.lang
    directory = load_directory()
    result = analyse_pasted(text, directory).as_json(lang)
    (masked,) = mask_codes([text[:20000]])
    context = {"p": result, "text": masked, "calls": _fraud_lines(request, directory, result["issuer"])}
    return render(request, "pasted.html" if is_htmx(request) else "check.html", pasted=context, result=None,
                  **context)


def _fraud_lines(request: Request, directory, issuer: str | None) -> list[dict]:
    """The 24-hour lines of the issuer the text claims: the holder's own cards of it first."""
    if issuer is None:
        return []
    from cardguard.web.calls import answer_for, shown_lines
    from cardguard.web.pages.home import my_cards

    at = now()
    mine = [card for card in my_cards(request) if card.issuer == issuer]
    answers = [answer_for(directory, own=own, purpose="fraud", at=at) for own in mine] \
        or [answer_for(directory, issuer=issuer, purpose="fraud", at=at)]
    return shown_lines(answers, request.state.lang)


@router.get("/check/preview/{token}")
async def preview(request: Request, token: str):
    entry = request.app.state.checked.get(token)
    body = entry["preview"] if entry else ""
    return HTMLResponse(f"<!doctype html><meta charset=utf-8><body>{body}</body>")
