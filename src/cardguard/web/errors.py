"""Every error becomes a response here, and only here.

A UserError is the user's to fix: its status (404 for what does not exist, 413 for too large, 400
otherwise) and its message in the page's language; a refused form field is shown under its input with
what was typed kept; an htmx request gets a fragment its page swaps in where the user is looking.
Anything else is a 500 page that says so without a traceback.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from cardguard.errors import UserError
from cardguard.i18n import t
from cardguard.shortened import shortened
from cardguard.web.common import field_error, is_htmx, kept_values, render
from cardguard.web.i18n import from_accept_language

log = logging.getLogger("cardguard.web")
TOO_LARGE = {"error.message_too_large", "error.upload_too_large"}


def status_of(error: UserError) -> int:
    if error.key.endswith("_not_found") or error.key == "error.page_not_found":
        return 404
    if error.key in TOO_LARGE:
        return 413
    return 400


def error_response(request: Request, status: int, message: str, details: list[str] | None = None) -> HTMLResponse:
    """The error where the user is looking: in place for htmx (the page's target, or the page's
    message area when the target is a list that must not be replaced), else a page of its own."""
    if not hasattr(request.state, "lang"):
        request.state.lang = from_accept_language(request.headers.get("accept-language"))
    if is_htmx(request):
        response = render(request, "error_fragment.html", status_code=status, message=message,
                          details=details or [])
        place = getattr(request.state, "error_place", None)
        if place:
            # A page that names where its refusal belongs (a row of a list) shows it there.
            response.headers["HX-Retarget"] = place
            response.headers["HX-Reswap"] = "innerHTML"
        elif request.headers.get("hx-target") != "result":
            response.headers["HX-Retarget"] = "#flash"
            response.headers["HX-Reswap"] = "innerHTML show:#flash:top"
        return response
    return render(request, "error.html", status_code=status, message=message, details=details or [])


async def _user_error(request: Request, error: UserError) -> HTMLResponse:
    lang = request.state.lang
    status = status_of(error)
    declared = getattr(request.state, "form_view", None)
    if declared is not None and status == 400:
        show, names, form = declared
        field, message = field_error(error, lang)
        if field not in names:
            field = "_form"
        return show({field: message, "_details": error.details_in(lang)[:50]}, kept_values(form, names), status)
    # Field names as the pages name them (never an option like --kind).
    return error_response(request, status, field_error(error, lang)[1], error.details_in(lang))


async def _http_error(request: Request, error: StarletteHTTPException) -> HTMLResponse:
    lang = getattr(request.state, "lang", None) or from_accept_language(request.headers.get("accept-language"))
    request.state.lang = lang
    key = {404: "error.page_not_found", 405: "webguard.method_not_allowed", 400: "webguard.bad_form"}.get(
        error.status_code, "webguard.bad_request")
    return error_response(request, error.status_code, t(key, lang, path=shortened(request.url.path, 80)))


async def _validation_error(request: Request, error: RequestValidationError) -> HTMLResponse:
    lang = request.state.lang
    return error_response(request, 404, t("error.page_not_found", lang, path=shortened(request.url.path, 80)))


async def _internal(request: Request, error: Exception) -> HTMLResponse:
    # The log on the holder's own terminal keeps what went wrong; the page never shows it.
    log.error("internal error on %s %s: %s", request.method, request.url.path, type(error).__name__)
    lang = getattr(request.state, "lang", None) or from_accept_language(request.headers.get("accept-language"))
    request.state.lang = lang
    return error_response(request, 500, t("webguard.internal", lang))


def install(app: FastAPI) -> None:
    app.add_exception_handler(UserError, _user_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _internal)
