"""What every page shares: the templates, the store, the submitted form, the holder's time zone, and
how a refused field is shown next to its input."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timezone, tzinfo
from importlib import resources
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from cardguard.errors import UserError
from cardguard.i18n import Lang, t
from cardguard.shortened import shortened

MAX_UPLOAD = 50 * 1024 * 1024
# A form carries at most one upload (MAX_UPLOAD) and short fields; anything larger is refused unread.
MAX_BODY = MAX_UPLOAD + 1_000_000
SQLITE_MAX_ID = 2**63 - 1

_env = Environment(loader=FileSystemLoader(str(resources.files("cardguard.web").joinpath("templates"))),
                   autoescape=select_autoescape(default=True))


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    lang: Lang = request.state.lang
    session = getattr(request.state, "session", None)
    html = _env.get_template(name).render(
        t=lambda key, **values: t(key, lang, **values), lang=lang, csrf=session.csrf if session else "",
        path=request.url.path, request=request, **context)
    return HTMLResponse(html, status_code=status_code)


def store(request: Request):
    """The app's one open store (opened on first use: looking at an empty profile creates nothing)."""
    from cardguard.store import Store

    if request.app.state.store is None:
        request.app.state.store = Store()
    return request.app.state.store


def has_registry(request: Request) -> bool:
    from cardguard.paths import registry_exists

    return request.app.state.store is not None or registry_exists()


async def form_of(request: Request):
    """The submitted form; the guard has already read and bounded it while checking its CSRF token."""
    form = getattr(request.state, "form", None)
    if form is None:
        form = await request.form(max_part_size=MAX_UPLOAD + 1)
    return form


def text_of(form, key: str) -> str | None:
    value = form.get(key)
    return str(value).strip() or None if isinstance(value, str) else None


def record_id(given: str) -> int:
    """An id from a URL; anything that is not one the database could hold is a page that does not exist."""
    if not re.fullmatch(r"\d{1,19}", given or "") or not 0 < int(given) <= SQLITE_MAX_ID:
        raise UserError("error.page_not_found", path=shortened(given or "", 80))
    return int(given)


def now() -> datetime:
    return datetime.now(timezone.utc)


def today(request: Request):
    return now().astimezone(request.state.zone).date()


# ------------------------------------------------------------------------------ form errors

# The field names cardguard's rules use, as the web form names its inputs.
_FIELD_INPUT = {"alias": "alias_email", "url": "payment_url", "back_number": "back_number",
                "answered_by": "answered_by", "next_charge": "next_charge", "holds": "holds_card_as"}


def input_of(field: str) -> str:
    name = str(field).strip().lstrip("-").replace("-", "_")
    return _FIELD_INPUT.get(name, name)


def field_label(name: str, lang: Lang) -> str:
    key = f"webform.field_{name}"
    from cardguard.i18n import catalog

    return t(key, lang) if key in catalog() else name


def field_error(error: UserError, lang: Lang) -> tuple[str | None, str]:
    """(the input the error is about, the message naming that field as the page does)."""
    field = error.values.get("field")
    if not field:
        return None, error.message(lang)
    name = input_of(str(field))
    worded = UserError(error.key, details=error.details, **{**error.values, "field": field_label(name, lang)})
    return name, worded.message(lang)


def kept_values(form, names: tuple[str, ...]) -> dict[str, str]:
    """What the user typed, to put back in the form; never a value holding a card number."""
    from cardguard.wallet.guard import has_card_number

    kept = {}
    for name in names:
        value = form.get(name) if form is not None else None
        if isinstance(value, str) and not has_card_number(value):
            kept[name] = value
    return kept


def on_form_error(request: Request, show: Callable[[dict[str, str], dict[str, str]], HTMLResponse],
                  names: tuple[str, ...], form) -> None:
    """Declares how this request's form is shown again when a field is refused: the one error
    handler calls ``show(errors, values)`` with the message under the field and the input kept."""
    request.state.form_view = (show, names, form)


def zone_name(zone: tzinfo) -> str:
    return getattr(zone, "key", None) or str(zone)
