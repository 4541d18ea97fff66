"""What every request passes before a page sees it.

- The Host header must be one of the names the app serves: a page on another name that resolves to
  this machine (DNS rebinding) gets 421 and nothing else, not even a session.
- A state-changing request must come from the app's own pages: its Origin (when the browser sends
  one) is the app's own, and it carries the session's CSRF token, whatever its size or encoding.
- A body larger than the largest upload is refused before it is read.
"""

from __future__ import annotations

import hmac
from urllib.parse import unquote, urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.formparsers import MultiPartException
from starlette.middleware.base import BaseHTTPMiddleware

from cardguard.errors import UserError
from cardguard.i18n import t
from cardguard.web import security
from cardguard.web.common import MAX_BODY, MAX_UPLOAD
from cardguard.web.errors import error_response
from cardguard.web.i18n import from_accept_language, page_lang

SESSION_COOKIE = "cg_session"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
MAX_FIELDS = 100


def host_name(host_header: str) -> str:
    """The name in a Host or Origin authority, without port, brackets or a final dot."""
    value = host_header.strip().lower()
    if value.startswith("["):
        return value[1:].split("]", 1)[0]
    if value.count(":") == 1:
        value = value.split(":", 1)[0]
    return value.rstrip(".")


def _bare(status: int, key: str, request: Request) -> HTMLResponse:
    """A page for a request the app will not serve: no session, no token, no data."""
    lang = from_accept_language(request.headers.get("accept-language"))
    message = t(key, lang)
    html = (f'<!doctype html><html lang="{lang}"><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>cardguard</title>'
            f'<p role="alert">{message}</p></html>')
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})


def _same_text(given: str, expected: str) -> bool:
    # Bytes, so a token with any character at all is compared rather than raising.
    return hmac.compare_digest(given.encode("utf-8", "surrogatepass"), expected.encode("utf-8"))


class Guard(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next):
        app = request.app
        if host_name(request.headers.get("host", "")) not in app.state.hosts:
            return _bare(421, "webguard.wrong_host", request)
        session_id, session = app.state.sessions.get_or_create(request.cookies.get(SESSION_COOKIE))
        request.state.session = session
        lang = page_lang(request.query_params.get("lang") or request.cookies.get("lang"),
                         request.headers.get("accept-language"))
        request.state.lang = lang
        path = request.url.path
        try:
            request.state.zone = page_zone(request, lang)
            if request.method not in SAFE_METHODS:
                refused = await self._refuse_state_change(request, session)
            else:
                refused = None
        except UserError as error:
            refused = error_response(request, 400, error.message(lang))
        if refused is not None:
            response: Response = refused
        elif app.state.require_login and not session.authenticated and not (
                path.startswith("/static/") or path in ("/login", "/certificate")):
            response = RedirectResponse("/login", status_code=303)
        else:
            from cardguard.when import HOLDER_ZONE

            token = HOLDER_ZONE.set(request.state.zone)
            try:
                response = await call_next(request)
            finally:
                HOLDER_ZONE.reset(token)
        if path.startswith("/check/preview/"):
            response.headers["Content-Security-Policy"] = security.PREVIEW_CSP
        elif path.endswith("/report.html") and response.status_code == 200:
            response.headers["Content-Security-Policy"] = security.REPORT_CSP
            response.headers["X-Frame-Options"] = "DENY"
        else:
            response.headers["Content-Security-Policy"] = security.CSP
            response.headers["X-Frame-Options"] = "DENY"
        response.headers["X-Content-Type-Options"] = "nosniff"
        # same-origin: nothing leaves for other sites, and the browser still names this app as the Origin of its own forms.
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["Cache-Control"] = "no-store"
        response.set_cookie(SESSION_COOKIE, session_id, httponly=True, samesite="strict",
                            secure=request.url.scheme == "https")
        if request.query_params.get("lang") in ("ja", "en"):
            response.set_cookie("lang", request.query_params["lang"], samesite="strict", max_age=31536000)
        return response

    async def _refuse_state_change(self, request: Request, session: security.Session) -> Response | None:
        """A response refusing the request, or None when it may go on. Nothing is skipped for size."""
        lang = request.state.lang
        origin = request.headers.get("origin")
        fetch_site = request.headers.get("sec-fetch-site")
        if fetch_site is not None and fetch_site not in ("same-origin", "none"):
            return self._forbidden(request)
        if origin == "null":
            # An opaque origin (sandboxed frame, data: page, a strict referrer policy): only the browser's
            # own word that the request comes from this app lets it through.
            if fetch_site != "same-origin":
                return self._forbidden(request)
        elif origin is not None:
            parts = urlsplit(origin)
            if (host_name(parts.netloc) not in request.app.state.hosts
                    or parts.netloc.lower() != request.headers.get("host", "").lower()):
                return self._forbidden(request)
        length = request.headers.get("content-length")
        if length is None and request.headers.get("transfer-encoding"):
            return error_response(request, 411, t("webguard.length_required", lang))
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY):
            return error_response(request, 413, UserError("error.upload_too_large",
                                                          limit=MAX_UPLOAD // (1024 * 1024)).message(lang))
        header = request.headers.get("x-csrf-token")
        if header is not None:
            return None if _same_text(header, session.csrf) else self._forbidden(request)
        content_type = request.headers.get("content-type", "").lower()
        if not content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            return self._forbidden(request)
        try:
            form = await request.form(max_files=2, max_fields=MAX_FIELDS, max_part_size=MAX_UPLOAD + 1)
        except (MultiPartException, StarletteHTTPException, UnicodeDecodeError, ValueError):
            # Malformed multipart, too many parts, a broken encoding: the form cannot be read, so it is refused.
            return error_response(request, 400, t("webguard.bad_form", lang))
        request.state.form = form
        token = form.get("csrf")
        if not isinstance(token, str) or not _same_text(token, session.csrf):
            return self._forbidden(request)
        return None

    @staticmethod
    def _forbidden(request: Request) -> Response:
        return error_response(request, 403, t("web.csrf_failed", request.state.lang))


def page_zone(request: Request, lang: str):
    """Where the holder reads times on this page (cardguard.when.holder_zone): the browser sends its
    own zone in a cookie."""
    from cardguard.when import holder_zone

    browser = request.cookies.get("tz")
    return holder_zone(browser_zone=unquote(browser) if browser else None, page_lang=lang, page=True)
