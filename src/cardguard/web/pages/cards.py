"""The holder's cards and the services that store them: add, import, export."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from cardguard.errors import UserError
from cardguard.web.common import MAX_UPLOAD, form_of, on_form_error, render, store

router = APIRouter()
CARD_FIELDS = ("nickname", "product", "last4", "expiry", "alias_email", "back_number")
SERVICE_FIELDS = ("name", "card", "amount", "currency", "next_charge", "billing_cycle", "holds_card_as", "payment_url")
IMPORT_FIELDS = ("file", "skip_bad_rows")


def cards_view(request: Request, *, errors: dict | None = None, values: dict | None = None, open_form: str = "",
               status_code: int = 200):
    from sqlalchemy import select

    from cardguard.directory import load_directory
    from cardguard.store.models import Card, Checklist
    from cardguard.wallet import registry
    from cardguard.wallet.render import card_json, checklist_json, old_card_json, service_json

    lang = request.state.lang
    directory = load_directory()
    with store(request).session() as session:
        cards = [card_json(directory, c, lang, len(registry.active_services(session, c)))
                 for c in session.scalars(select(Card).order_by(Card.id))]
        services = [service_json(s) for s in registry.list_services(session)]
        latest = session.scalars(select(Checklist).order_by(Checklist.id.desc())).first()
        checklist = checklist_json(directory, registry.sync_checklist(session, latest), lang) if latest else None
        old_cards = [old_card_json(s, lang) for s in registry.services_on_old_cards(session)] if not checklist else []
        urls = {}
        if checklist:
            from cardguard.store.models import Service

            ids = [i["service_id"] for i in checklist["items"] if i["service_id"]]
            urls = {s.id: s.payment_url for s in session.scalars(select(Service).where(Service.id.in_(ids)))} if ids else {}
    products = [(c.id, c.name(lang)) for issuer in directory.issuers.values() for c in issuer.data.cards]
    return render(request, "cards.html", status_code=status_code, cards=cards, services=services,
                  checklist=checklist, old_cards=checklist["still_on_old_cards"] if checklist else old_cards,
                  payment_urls=urls, products=products, errors=errors or {},
                  values=values or {}, open_form=open_form)


@router.get("/cards")
async def cards_page(request: Request):
    return cards_view(request)


def _raw(form, names: tuple[str, ...]) -> dict[str, str | None]:
    return {key: (str(form.get(key)) if isinstance(form.get(key), str) and form.get(key) else None) for key in names}


def _refill(request: Request, which: str, names: tuple[str, ...], form) -> None:
    on_form_error(request, lambda errors, values, status: cards_view(
        request, errors={which: errors}, values={which: values}, open_form=which, status_code=status), names, form)


@router.post("/cards")
async def add_card(request: Request):
    from cardguard.directory import load_directory
    from cardguard.wallet import registry

    form = await form_of(request)
    _refill(request, "card", CARD_FIELDS, form)
    with store(request).session() as session:
        registry.add_card(session, load_directory(), _raw(form, CARD_FIELDS))
    return RedirectResponse("/cards", status_code=303)


@router.post("/services")
async def add_service(request: Request):
    from cardguard.wallet import registry

    form = await form_of(request)
    _refill(request, "service", SERVICE_FIELDS + ("allow_duplicate",), form)
    try:
        with store(request).session() as session:
            registry.add_service(session, _raw(form, SERVICE_FIELDS), allow_duplicate=bool(form.get("allow_duplicate")))
    except UserError as error:
        if error.key == "error.service_duplicate":
            # The web's way to add a second one anyway is the checkbox under the name, not a flag.
            raise UserError("webform.service_duplicate", details=error.details, **error.values) from None
        raise
    return RedirectResponse("/cards", status_code=303)


@router.post("/services/import")
async def import_services(request: Request):
    from cardguard.wallet.csvio import import_services as run_import

    form = await form_of(request)
    _refill(request, "import", IMPORT_FIELDS, form)
    upload = form.get("file")
    data = await upload.read(MAX_UPLOAD + 1) if upload is not None and hasattr(upload, "read") else b""
    if len(data) > MAX_UPLOAD:
        raise UserError("error.upload_too_large", limit=MAX_UPLOAD // (1024 * 1024))
    if not data.strip():
        raise UserError("webform.import_empty", field="file")
    skip = bool(form.get("skip_bad_rows"))
    try:
        with store(request).session() as session:
            result = run_import(session, data, skip_bad_rows=skip, lang=request.state.lang)
    except UserError as error:
        if error.key == "error.import_invalid":
            # The web's own way to import the rest: a checkbox on the form, not a command-line flag.
            raise UserError("webform.import_invalid", details=error.details, field="file", **error.values) from None
        if error.key == "error.csv_no_name_column":
            # The command line's advice (--map) names a flag the web has no field for.
            raise UserError("webform.csv_no_name_column", details=error.details, field="file", **error.values) from None
        raise
    if result.errors:
        return _imported_with_skips(request, result)
    return RedirectResponse("/cards", status_code=303)


def _imported_with_skips(request: Request, result):
    from cardguard.i18n import t

    lang = request.state.lang
    return cards_view(request, open_form="import", errors={"import": {"_notice": t(
        "webform.import_skipped", lang, written=result.written, skipped=len(result.errors))}},
        values={"import_details": [f"{line}: {message}" for line, message in result.errors[:50]]})


@router.get("/services/export.csv")
async def export_services(request: Request):
    from sqlalchemy import select

    from cardguard.store.models import Service
    from cardguard.wallet.csvio import export_csv

    with store(request).session() as session:
        data = export_csv(list(session.scalars(select(Service).order_by(Service.id))), request.state.lang)
    return Response(data, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="cardguard-services.csv"'})
