"""The web app's routes. Each one is a thin layer over the same capabilities as the CLI."""

from __future__ import annotations

import secrets
from collections import OrderedDict
from datetime import datetime, timezone
from importlib import resources
from typing import Any

import nh3
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.middleware.base import BaseHTTPMiddleware

from cardguard.errors import UserError
from cardguard.i18n import Lang, t
from cardguard.web import security
from cardguard.web.i18n import page_lang

MAX_UPLOAD = 50 * 1024 * 1024
SESSION_COOKIE = "cg_session"
PREVIEW_TAGS = {"p", "br", "div", "span", "b", "strong", "i", "em", "u", "table", "tbody", "thead", "tr", "td", "th",
                "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "code", "hr", "center", "font"}


class Checked:
    """Recent verdicts, kept in memory so "start an incident" can use one; never the message itself."""

    def __init__(self, size: int = 50) -> None:
        self.items: OrderedDict[str, dict] = OrderedDict()
        self.size = size

    def add(self, entry: dict) -> str:
        token = secrets.token_urlsafe(16)
        self.items[token] = entry
        while len(self.items) > self.size:
            self.items.popitem(last=False)
        return token

    def get(self, token: str | None) -> dict | None:
        return self.items.get(token or "")


def create_app(*, require_login: bool = False) -> FastAPI:
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.state.sessions = security.Sessions()
    app.state.require_login = require_login
    app.state.checked = Checked()
    app.state.store = None
    template_dir = resources.files("cardguard.web").joinpath("templates")
    env = Environment(loader=FileSystemLoader(str(template_dir)), autoescape=select_autoescape(default=True))
    app.mount("/static", StaticFiles(directory=str(resources.files("cardguard.web").joinpath("static"))), name="static")

    def store():
        from cardguard.store import Store

        if app.state.store is None:
            app.state.store = Store()
        return app.state.store

    def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        lang: Lang = request.state.lang
        html = env.get_template(name).render(
            t=lambda key, **values: t(key, lang, **values), lang=lang,
            csrf=request.state.session.csrf, path=request.url.path, request=request, **context)
        return HTMLResponse(html, status_code=status_code)

    def fail(request: Request, error: UserError, status_code: int = 400) -> HTMLResponse:
        return render(request, "error.html", status_code=status_code, message=error.message(request.state.lang),
                      details=error.details)

    class Guard(BaseHTTPMiddleware):
        async def dispatch(self, request: Request, call_next):
            session_id, session = app.state.sessions.get_or_create(request.cookies.get(SESSION_COOKIE))
            request.state.session = session
            request.state.lang = page_lang(request.query_params.get("lang") or request.cookies.get("lang"),
                                           request.headers.get("accept-language"))
            path = request.url.path
            if app.state.require_login and not session.authenticated and not (
                    path.startswith("/static/") or path == "/login"):
                response: Response = RedirectResponse("/login", status_code=303)
            elif request.method == "POST" and not await _csrf_ok(request, session):
                response = PlainTextResponse(t("web.csrf_failed", request.state.lang), status_code=403)
            else:
                response = await call_next(request)
            if path.startswith("/check/preview/"):
                response.headers["Content-Security-Policy"] = security.PREVIEW_CSP
            else:
                response.headers["Content-Security-Policy"] = security.CSP
                response.headers["X-Frame-Options"] = "DENY"
            response.headers["X-Content-Type-Options"] = "nosniff"
            response.headers["Referrer-Policy"] = "no-referrer"
            response.headers["Cache-Control"] = "no-store"
            response.set_cookie(SESSION_COOKIE, session_id, httponly=True, samesite="strict")
            if request.query_params.get("lang") in ("ja", "en"):
                response.set_cookie("lang", request.query_params["lang"], samesite="strict", max_age=31536000)
            return response

    async def _csrf_ok(request: Request, session: security.Session) -> bool:
        header = request.headers.get("x-csrf-token")
        if header:
            return secrets.compare_digest(header, session.csrf)
        content_type = request.headers.get("content-type", "")
        if "form" not in content_type:
            return False
        length = int(request.headers.get("content-length") or 0)
        if length > MAX_UPLOAD + 1_000_000:
            return True  # refused as too large by the route, with a message, before anything is read
        form = await request.form(max_part_size=MAX_UPLOAD + 1)
        request.state.form = form
        return secrets.compare_digest(str(form.get("csrf", "")), session.csrf)

    app.add_middleware(Guard)

    async def form_of(request: Request):
        return getattr(request.state, "form", None) or await request.form(max_part_size=MAX_UPLOAD + 1)

    # ----------------------------------------------------------------------------------- pages

    @app.get("/", response_class=HTMLResponse)
    async def home(request: Request):
        return render(request, "home.html")

    @app.get("/login", response_class=HTMLResponse)
    async def login_page(request: Request):
        return render(request, "login.html", failed=False)

    @app.post("/login")
    async def login(request: Request):
        form = await form_of(request)
        stored = security.stored_passphrase()
        if stored and security.check_passphrase(str(form.get("passphrase", "")), stored):
            request.state.session.authenticated = True
            return RedirectResponse("/", status_code=303)
        return render(request, "login.html", status_code=401, failed=True)

    @app.get("/check", response_class=HTMLResponse)
    async def check_page(request: Request):
        return render(request, "check.html", result=None)

    @app.post("/check", response_class=HTMLResponse)
    async def check(request: Request):
        from cardguard.cli_common import verify_bytes
        from cardguard.verify.message import read_mail

        lang: Lang = request.state.lang
        length = int(request.headers.get("content-length") or 0)
        if length > MAX_UPLOAD + 1_000_000:
            return fail(request, UserError("error.message_too_large", size=length // (1024 * 1024),
                                           limit=MAX_UPLOAD // (1024 * 1024)), 413)
        form = await form_of(request)
        upload = form.get("file")
        data = b""
        if upload is not None and hasattr(upload, "read"):
            data = await upload.read(MAX_UPLOAD + 1)
        if not data.strip():
            data = str(form.get("source", "")).encode("utf-8", "surrogateescape")
        try:
            mail = read_mail(data)
            verdict = verify_bytes(data, lang, offline=bool(form.get("offline")), resolver=None, trust=None,
                                   alias=None, card=None, mail=mail, store=app.state.store)
        except UserError as error:
            return fail(request, error)
        from cardguard.incident.record import received_at

        text = (mail.text or "\n".join(h.text for h in mail.html))[:20000]
        preview = "".join(nh3.clean(part_html, tags=PREVIEW_TAGS, attributes={}, url_schemes=set(),
                                    link_rel=None, strip_comments=True) for part_html in mail.html_source[:5])[:200_000]
        token = app.state.checked.add({
            "verdicts": {"ja": verdict.as_json("ja"), "en": verdict.as_json("en")},
            "mail_at": received_at(mail.headers), "preview": preview,
        })
        context = {"v": verdict.as_json(lang, web=True), "text": text, "token": token, "has_preview": bool(preview)}
        template = "verdict.html" if request.headers.get("hx-request") else "check.html"
        return render(request, template, result=context, **context)

    @app.get("/check/preview/{token}", response_class=HTMLResponse)
    async def preview(token: str):
        entry = app.state.checked.get(token)
        body = entry["preview"] if entry else ""
        return HTMLResponse(f"<!doctype html><meta charset=utf-8><body>{body}</body>")

    @app.get("/call", response_class=HTMLResponse)
    async def call_page(request: Request, card: str | None = None, purpose: str | None = None):
        from cardguard.directory import load_directory
        from cardguard.directory.lookup import find_lines, own_card_line, resolve_purpose
        from cardguard.wallet import registered_card

        lang: Lang = request.state.lang
        now = datetime.now(timezone.utc)
        try:
            directory = load_directory(lang)
            issuer = next(iter(directory.issuers.values()))
            purpose_id = resolve_purpose(purpose) if purpose else "fraud"
            own = registered_card(card) if card else None
            lines = find_lines(directory, card=(own.product if own else card) or None, purpose=purpose_id, at=now)
            if own is not None and own.back_number:
                lines.insert(0, own_card_line(directory, own.issuer, own.product, own.back_number, own.nickname,
                                              purpose_id))
        except UserError as error:
            return fail(request, error)
        from cardguard.directory.render import status_text

        shown: dict[str, dict] = {}
        for line in lines:
            key = line.number if line.origin == "directory" else f"{line.origin}:{line.number}"
            entry = shown.setdefault(key, {**line.as_json(lang, now), "status_text": status_text(line, now, lang),
                                           "card_names": []})
            if line.card and line.origin == "directory":
                entry["card_names"].append(line.issuer.cards[line.card].name(lang))
        shown = list(shown.values())
        cards = [(c.id, c.name(lang)) for c in issuer.data.cards]
        mine = _my_cards()
        from cardguard.directory.schema import PURPOSES

        return render(request, "call.html", lines=shown, cards=cards, mine=mine, card=card or "",
                      purpose=purpose_id, purposes=[(p, t(f"purpose.{p}", lang)) for p in PURPOSES])

    def _my_cards() -> list[dict]:
        from cardguard.paths import registry_exists

        if not registry_exists():
            return []
        from sqlalchemy import select

        from cardguard.store.models import Card

        with store().session() as session:
            return [{"id": c.id, "nickname": c.nickname, "last4": c.last4, "status": c.status, "product": c.product}
                    for c in session.scalars(select(Card).order_by(Card.id))]

    # -------------------------------------------------------------------------------- registry

    @app.get("/cards", response_class=HTMLResponse)
    async def cards_page(request: Request):
        from sqlalchemy import select

        from cardguard.directory import load_directory
        from cardguard.store.models import Card, Checklist
        from cardguard.wallet import registry
        from cardguard.wallet.render import card_json, checklist_json, service_json

        lang: Lang = request.state.lang
        directory = load_directory(lang)
        with store().session() as session:
            cards = [card_json(directory, c, lang, len(registry.active_services(session, c)))
                     for c in session.scalars(select(Card).order_by(Card.id))]
            services = [service_json(s) for s in registry.list_services(session)]
            latest = session.scalars(select(Checklist).order_by(Checklist.id.desc())).first()
            checklist = checklist_json(directory, latest, lang) if latest else None
        products = [(c.id, c.name(lang)) for c in next(iter(directory.issuers.values())).data.cards]
        return render(request, "cards.html", cards=cards, services=services, checklist=checklist, products=products)

    def registry_action(request: Request, work) -> Response:
        from cardguard.directory import load_directory

        try:
            directory = load_directory(request.state.lang)
            with store().session() as session:
                work(session, directory)
        except UserError as error:
            return fail(request, error)
        return RedirectResponse("/cards", status_code=303)

    @app.post("/cards")
    async def add_card(request: Request):
        from cardguard.wallet import registry

        form = await form_of(request)
        raw = {key: (str(form.get(key)) if form.get(key) else None)
               for key in ("nickname", "product", "last4", "expiry", "alias_email", "back_number")}
        return registry_action(request, lambda session, directory: registry.add_card(session, directory, raw))

    @app.post("/services")
    async def add_service(request: Request):
        from cardguard.wallet import registry

        form = await form_of(request)
        raw = {key: (str(form.get(key)) if form.get(key) else None)
               for key in ("name", "card", "amount", "currency", "next_charge", "billing_cycle", "holds_card_as",
                           "payment_url")}
        return registry_action(request, lambda session, directory: registry.add_service(session, raw))

    @app.post("/services/import")
    async def import_services(request: Request):
        from cardguard.wallet.csvio import import_services as run_import

        form = await form_of(request)
        upload = form.get("file")
        data = await upload.read(MAX_UPLOAD + 1) if upload is not None and hasattr(upload, "read") else b""
        if len(data) > MAX_UPLOAD:
            return fail(request, UserError("error.upload_too_large", limit=MAX_UPLOAD // (1024 * 1024)), 413)
        return registry_action(request, lambda session, directory: run_import(session, data, lang=request.state.lang))

    @app.get("/services/export.csv")
    async def export_services():
        from sqlalchemy import select

        from cardguard.store.models import Service
        from cardguard.wallet.csvio import export_csv

        with store().session() as session:
            data = export_csv(list(session.scalars(select(Service).order_by(Service.id))))
        return Response(data, media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="cardguard-services.csv"'})

    @app.post("/reissue")
    async def reissue(request: Request):
        from cardguard.wallet import registry

        form = await form_of(request)
        return registry_action(request, lambda session, directory: registry.reissue(
            session, str(form.get("card", "")), str(form.get("last4", "")), str(form.get("expiry") or "") or None,
            datetime.now().date()))

    @app.post("/checklist/items/{item_id}")
    async def mark_item(request: Request, item_id: int):
        from cardguard.wallet import registry

        form = await form_of(request)
        return registry_action(request, lambda session, directory: registry.mark_item(
            session, item_id, str(form.get("status", "")), datetime.now().date()))

    # ------------------------------------------------------------------------------- incidents

    @app.get("/incidents", response_class=HTMLResponse)
    async def incidents_page(request: Request, kind: str | None = None):
        from sqlalchemy import select

        from cardguard.incident import plans
        from cardguard.incident.report import shown
        from cardguard.store.models import Incident

        lang: Lang = request.state.lang
        with store().session() as session:
            rows = [{"id": i.id, "title": plans.plan(i.kind).title(lang), "status": i.status,
                     "started_at": shown(i.started_at)}
                    for i in session.scalars(select(Incident).order_by(Incident.id.desc()))]
        kinds = [(p.kind, p.title(lang)) for p in plans.all_plans()]
        return render(request, "incidents.html", rows=rows, kinds=kinds, chosen=kind, mine=_my_cards())

    @app.post("/incidents")
    async def start_incident(request: Request):
        from cardguard.incident import record

        form = await form_of(request)
        entry = app.state.checked.get(str(form.get("verdict", "")))
        try:
            with store().session() as session:
                incident = record.start(
                    session, str(form.get("kind") or "") or None, at=datetime.now(timezone.utc),
                    card=str(form.get("card") or "") or None,
                    verdict=entry["verdicts"]["en"] if entry else None,
                    verdicts=entry["verdicts"] if entry else None, mail_at=entry["mail_at"] if entry else None)
                incident_id = incident.id
        except UserError as error:
            return fail(request, error)
        return RedirectResponse(f"/incidents/{incident_id}", status_code=303)

    def incident_view(request: Request, incident_id: int) -> HTMLResponse:
        from cardguard.directory import load_directory
        from cardguard.incident import record
        from cardguard.incident.report import view

        lang: Lang = request.state.lang
        try:
            directory = load_directory(lang)
            with store().session() as session:
                data = view(session, directory, record.find_incident(session, incident_id), lang,
                            datetime.now(timezone.utc))
        except UserError as error:
            return fail(request, error, 404)
        template = "incident_steps.html" if request.headers.get("hx-request") else "incident.html"
        return render(request, template, d=data)

    @app.get("/incidents/{incident_id}", response_class=HTMLResponse)
    async def incident_page(request: Request, incident_id: int):
        return incident_view(request, incident_id)

    @app.post("/incidents/{incident_id}/steps/{step_id}")
    async def tick_step(request: Request, incident_id: int, step_id: str):
        from cardguard.incident import record

        form = await form_of(request)
        try:
            with store().session() as session:
                incident = record.find_incident(session, incident_id)
                record.tick(session, incident, step_id, datetime.now(timezone.utc),
                            str(form.get("skip") or "") or None)
        except UserError as error:
            return fail(request, error)
        if request.headers.get("hx-request"):
            return incident_view(request, incident_id)
        return RedirectResponse(f"/incidents/{incident_id}", status_code=303)

    @app.post("/incidents/{incident_id}/log")
    async def log_event(request: Request, incident_id: int):
        from cardguard.incident import record

        form = await form_of(request)
        value = lambda key: str(form.get(key) or "").strip() or None  # noqa: E731
        try:
            with store().session() as session:
                incident = record.find_incident(session, incident_id)
                record.log(session, incident, datetime.now(timezone.utc), note=value("note"), call=value("call"),
                           answered_by=value("answered_by"), reference=value("reference"), agreed=value("agreed"))
        except UserError as error:
            return fail(request, error)
        return RedirectResponse(f"/incidents/{incident_id}", status_code=303)

    @app.post("/incidents/{incident_id}/close")
    async def close_incident(request: Request, incident_id: int):
        from cardguard.incident import record

        form = await form_of(request)
        try:
            with store().session() as session:
                record.close(session, record.find_incident(session, incident_id), datetime.now(timezone.utc),
                             str(form.get("summary") or "") or None)
        except UserError as error:
            return fail(request, error)
        return RedirectResponse(f"/incidents/{incident_id}", status_code=303)

    @app.get("/incidents/{incident_id}/report.{fmt}")
    async def export_incident(request: Request, incident_id: int, fmt: str):
        from cardguard.directory import load_directory
        from cardguard.incident import record, report

        lang: Lang = request.state.lang
        if fmt not in ("md", "html"):
            return PlainTextResponse("md or html", status_code=404)
        try:
            with store().session() as session:
                data = report.view(session, load_directory(lang), record.find_incident(session, incident_id), lang,
                                   datetime.now(timezone.utc))
        except UserError as error:
            return fail(request, error, 404)
        body = report.markdown(data, lang) if fmt == "md" else report.html(data, lang)
        kind = "text/markdown" if fmt == "md" else "text/html"
        return Response(body, media_type=f"{kind}; charset=utf-8", headers={
            "Content-Disposition": f'attachment; filename="cardguard-incident-{incident_id}.{fmt}"'})

    return app

