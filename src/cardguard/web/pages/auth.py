"""Signing in when the app serves the LAN. The emergency numbers are public: they show before sign-in."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from cardguard.web import security
from cardguard.web.calls import emergency_lines
from cardguard.web.common import form_of, now, render

router = APIRouter()


def _page(request: Request, failed: bool, status_code: int = 200):
    from cardguard.directory import load_directory

    lang = request.state.lang
    return render(request, "login.html", status_code=status_code, failed=failed,
                  emergency=emergency_lines(load_directory(), lang, now()))


@router.get("/login")
async def login_page(request: Request):
    return _page(request, failed=False)


@router.post("/login")
async def login(request: Request):
    form = await form_of(request)
    stored = security.stored_passphrase()
    given = form.get("passphrase")
    if stored and isinstance(given, str) and security.check_passphrase(given, stored):
        request.state.session.authenticated = True
        return RedirectResponse("/", status_code=303)
    return _page(request, failed=True, status_code=401)


@router.get("/certificate")
async def certificate(request: Request):
    """The app's own self-signed certificate, for the holder's phone to install and trust (public)."""
    from fastapi.responses import Response

    from cardguard.errors import UserError

    path = request.app.state.certificate
    if path is None:
        raise UserError("error.page_not_found", path="/certificate")
    return Response(path.read_bytes(), media_type="application/x-x509-ca-cert",
                    headers={"Content-Disposition": 'attachment; filename="cardguard.crt"'})
