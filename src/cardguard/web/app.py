"""The web app: one router per page (web/pages/), one guard for every request (web/guard.py), one
place where errors become responses (web/errors.py). Each page is a thin layer over the core."""

from __future__ import annotations

from collections.abc import Iterable
from importlib import resources

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from cardguard.web import errors, security
from cardguard.web.guard import LOOPBACK_NAMES, Guard, host_name
from cardguard.web.pages import ROUTERS
from cardguard.web.pages.check import Checked

__all__ = ["create_app", "Checked"]


def create_app(*, require_login: bool = False, hosts: Iterable[str] = (), certificate=None) -> FastAPI:
    """``hosts``: the names and addresses, besides loopback, the app answers to (those it was started
    with and the machine's LAN addresses); a request naming any other host is refused."""
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.state.sessions = security.Sessions()
    app.state.require_login = require_login
    app.state.checked = Checked()
    app.state.store = None
    app.state.certificate = certificate  # the self-signed certificate a phone may install
    app.state.hosts = frozenset({*LOOPBACK_NAMES, *(host_name(h) for h in hosts if h)})
    app.mount("/static", StaticFiles(directory=str(resources.files("cardguard.web").joinpath("static"))),
              name="static")
    for router in ROUTERS:
        app.include_router(router)
    errors.install(app)
    app.add_middleware(Guard)
    return app
