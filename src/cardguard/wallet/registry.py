"""Cards, the services that store them, and the checklists a reissue or a closing produces.

Functions take a database session and plain values; every value passes the card-number guard
before it reaches a table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from cardguard.directory.load import Directory
from cardguard.directory.lookup import normalize, resolve_card, resolve_product
from cardguard.errors import UserError
from cardguard.store.models import Card, Checklist, ChecklistItem, Incident, IncidentEvent, Service
from cardguard.wallet import values as v
from cardguard.wallet.guard import check_fields

CARD_STATUSES = ("active", "stopped", "replaced", "closed")
LIVE_STATUSES = ("active", "stopped")
# SQLite's INTEGER is 64-bit signed: a larger id can name no row, and asking for it would overflow.
MAX_ROW_ID = 2**63 - 1


def by_id(session: Session, model, given: object):
    """The row whose id the user typed ("3", "#3", 3), or None: never an overflow for a huge number."""
    text = v.nfkc(str(given)).lstrip("#")
    if not re.fullmatch(r"\d{1,19}", text) or int(text) > MAX_ROW_ID:
        return None
    return session.get(model, int(text))
REISSUE_ITEM_STATUSES = ("todo", "updated", "cancelled", "not-needed")
CLOSE_ITEM_STATUSES = ("todo", "done", "not-needed")


# ----------------------------------------------------------------------------------------- cards

def card_fields(directory: Directory, raw: dict[str, str | None], *, partial: bool = False,
                today: date | None = None) -> dict:
    """Typed card fields from what the user typed; ``partial`` for an edit (only what was given)."""
    check_fields(raw)
    today = today or date.today()
    given = {key: value for key, value in raw.items() if value is not None}
    out: dict = {}
    out.update(_issuer_and_product(directory, given, partial))
    if "nickname" in given:
        if not v.nfkc(given["nickname"]):
            raise UserError("error.field_required", field="nickname")
        out["nickname"] = v.as_written(given["nickname"])
    if "last4" in given:
        out["last4"] = v.parse_last4(given["last4"])
    if "expiry" in given:
        out["expiry"] = v.parse_expiry(given["expiry"])
        if out["expiry"] and expired(out["expiry"], today) and given.get("status") not in ("replaced", "closed"):
            raise UserError("error.expiry_past", field="expiry", given=out["expiry"])
    if "issued_on" in given:
        out["issued_on"] = v.parse_date(given["issued_on"], "issued", today=today)
        if out["issued_on"] and out["issued_on"] > today:
            raise UserError("error.date_in_future", field="issued", given=str(out["issued_on"]))
    if "alias_email" in given:
        out["alias_email"] = v.parse_email(given["alias_email"], "alias")
    if "back_number" in given:
        number = v.nfkc(given["back_number"])
        if number and not re.fullmatch(r"\+?\d[\d\- ]{2,}\d", number):
            raise v.bad("back-number", number, "expected.phone")
        out["back_number"] = number or None
    if "status" in given:
        if given["status"] not in CARD_STATUSES:
            raise UserError("error.field_choices_named", field="status", choices=", ".join(CARD_STATUSES))
        out["status"] = given["status"]
    if not partial:
        for required in ("nickname", "last4"):
            if required not in out:
                raise UserError("error.field_required", field=required.replace("_", "-"))
    return out


def _issuer_and_product(directory: Directory, given: dict[str, str], partial: bool) -> dict:
    """Whose card it is, as data says: the issuer the holder named, else the one whose directory
    has the product named. A nickname ("楽天カード") says nothing, and nothing said means an unknown
    issuer, never a default one. An issuer without directory data is kept as written, with its
    product as written too."""
    out: dict = {}
    named = v.nfkc(given.get("issuer") or "")
    issuer = directory.find_issuer(named) if named else None
    if named:
        out["issuer"] = issuer.id if issuer else named
    if "product" in given:
        product = v.nfkc(given["product"] or "")
        if not product:
            out["product"] = None
        elif issuer is not None:
            out["product"] = resolve_card(issuer, product)
        elif named:
            out["product"] = product
        else:
            found, card_id = resolve_product(directory, product)
            out["issuer"], out["product"] = found.id, card_id
    if not partial:
        # The column predates unknown issuers and cannot be made nullable on SQLite without
        # rebuilding the table (which would drop every service's card): "" is "not recorded".
        out.setdefault("issuer", "")
    return out


def expired(expiry: str, today: date) -> bool:
    """MM/YY: a card is valid through the last day of that month."""
    month, year = int(expiry[:2]), 2000 + int(expiry[3:])
    return (year, month) < (today.year, today.month)


def refuse_duplicate_nickname(session: Session, nickname: str, *, other_than: Card | None = None) -> None:
    """Two live cards with one name would make every "--card NAME" ambiguous."""
    for card in session.scalars(select(Card).where(Card.status.in_(LIVE_STATUSES))):
        if card is not other_than and normalize(card.nickname) == normalize(nickname):
            raise UserError("error.nickname_taken", nickname=nickname, id=card.id, last4=card.last4)


def add_card(session: Session, directory: Directory, raw: dict[str, str | None]) -> Card:
    card = Card(**card_fields(directory, raw))
    refuse_duplicate_nickname(session, card.nickname)
    session.add(card)
    session.flush()
    return card


def find_card(session: Session, ref: str, *, active_first: bool = True) -> Card:
    """A card by its number in the list (#3 or 3), nickname, last four digits or product id."""
    from cardguard.wallet import choose_card

    cards = list(session.scalars(select(Card).order_by(Card.id)))
    if not cards:
        raise UserError("error.no_cards_yet", given=ref)
    return choose_card(cards, ref, active_first=active_first)


def edit_card(session: Session, directory: Directory, ref: str, raw: dict[str, str | None]) -> Card:
    card = find_card(session, ref)
    fields = card_fields(directory, {**raw, "issuer": raw.get("issuer") or card.issuer}, partial=True)
    if not fields.get("issuer"):
        fields.pop("issuer", None)
    if "nickname" in fields and card.status in LIVE_STATUSES:
        refuse_duplicate_nickname(session, fields["nickname"], other_than=card)
    if fields.get("status") and fields["status"] != card.status:
        _tell_incidents(session, card, IncidentEvent(kind="card", text=f"****{card.last4}", reference=fields["status"]))
    for name, value in fields.items():
        setattr(card, name, value)
    return card


def retire_card(session: Session, ref: str) -> Card:
    """The card is stopped (after a call to the issuer, say) but not yet replaced or closed."""
    card = find_card(session, ref)
    if card.status != "stopped":
        card.status = "stopped"
        _tell_incidents(session, card, IncidentEvent(kind="card", text=f"****{card.last4}", reference="stopped"))
    return card


def services_without_card(session: Session) -> list[Service]:
    rows = session.scalars(select(Service).where(Service.card_id.is_(None), Service.status == "active"))
    return sorted(rows, key=lambda s: (s.next_charge is None, s.next_charge or date.max, s.name))


def active_services(session: Session, card: Card) -> list[Service]:
    rows = session.scalars(select(Service).where(Service.card_id == card.id, Service.status == "active"))
    return sorted(rows, key=lambda s: (s.next_charge is None, s.next_charge or date.max, s.name))


# -------------------------------------------------------------------------------------- services

SERVICE_FIELDS = ("name", "payment_url", "card", "billing_cycle", "amount", "currency", "next_charge",
                  "last_charged_on", "alias_email", "category", "notes", "holds_card_as", "card_updated_on")


def service_fields(session: Session, raw: dict[str, str | None], *, partial: bool = False) -> dict:
    check_fields(raw)
    given = {key: value for key, value in raw.items() if value is not None}
    out: dict = {}
    if "name" in given:
        if not v.nfkc(given["name"]):
            raise UserError("error.field_required", field="name")
        out["name"] = v.as_written(given["name"])
    elif not partial:
        raise UserError("error.field_required", field="name")
    if "payment_url" in given:
        url = v.nfkc(given["payment_url"])
        if url and not re.match(r"^https?://[^\s/]+", url, re.IGNORECASE):
            raise v.bad("url", url, "expected.url")
        out["payment_url"] = url or None
    if "card" in given:
        out["card_id"] = find_card(session, v.card_reference(given["card"])).id if v.nfkc(given["card"]) else None
    if "billing_cycle" in given or not partial:
        out["billing_cycle"] = v.parse_cycle(given.get("billing_cycle"))
    if "amount" in given:
        out["amount"], symbol_currency = v.parse_amount(given["amount"])
        if symbol_currency and "currency" not in given:
            out["currency"] = symbol_currency
    if "currency" in given:
        out["currency"] = v.parse_currency(given["currency"])
    for name, label in (("next_charge", "next-charge"), ("last_charged_on", "last-charged"),
                        ("card_updated_on", "card-updated")):
        if name in given:
            # No subscription charged anyone before 2000: an earlier next charge is a placeholder.
            out[name] = v.parse_date(given[name], label, earliest_year=2000 if name == "next_charge" else v.EARLIEST_YEAR)
    if "alias_email" in given:
        out["alias_email"] = v.parse_email(given["alias_email"], "alias")
    for name in ("category", "notes"):
        if name in given:
            out[name] = v.as_written(given[name]) or None
    if "holds_card_as" in given or not partial:
        out["holds_card_as"] = v.parse_holds(given.get("holds_card_as"))
    return out


def same_services(session: Session, name: str, card_id: int | None, *,
                  other_than: Service | None = None) -> list[Service]:
    """The live services a holder would call the same one: the same name (width, case and spaces
    aside) on the same card (or both on no card)."""
    card = Service.card_id == card_id if card_id is not None else Service.card_id.is_(None)
    rows = session.scalars(select(Service).where(card, Service.status == "active").order_by(Service.id))
    return [s for s in rows if s is not other_than and normalize(s.name) == normalize(name)]


def refuse_duplicate_service(session: Session, name: str, card_id: int | None, *,
                             other_than: Service | None = None) -> None:
    """A second "Netflix" on one card is almost always the same subscription typed twice, and the
    reissue checklist would then ask about it twice: refused unless the holder says it is another."""
    twins = same_services(session, name, card_id, other_than=other_than)
    if not twins:
        return
    card = session.get(Card, card_id) if card_id is not None else None
    where = {"card": f"****{card.last4}"} if card else {"card_key": "holder.no_card_where"}
    raise UserError("error.service_duplicate", name=name, id=twins[0].id, field="name",
                    ids=", ".join(f"#{s.id}" for s in twins), **where)


def add_service(session: Session, raw: dict[str, str | None], *, allow_duplicate: bool = False) -> Service:
    fields = service_fields(session, raw)
    if not allow_duplicate:
        refuse_duplicate_service(session, fields["name"], fields.get("card_id"))
    service = Service(**fields)
    session.add(service)
    session.flush()
    return service


def find_service(session: Session, ref: str) -> Service:
    text = v.nfkc(ref)
    found = by_id(session, Service, text)
    if found:
        return found
    matches = [s for s in session.scalars(select(Service)) if normalize(s.name) == normalize(text)]
    if len(matches) == 1:
        return matches[0]
    listing = [f"#{s.id}  {s.name}" for s in session.scalars(select(Service).order_by(Service.id))]
    raise UserError("error.service_not_found", details=listing, given=ref)


def edit_service(session: Session, ref: str, raw: dict[str, str | None], *,
                 allow_duplicate: bool = False) -> Service:
    service = find_service(session, ref)
    fields = service_fields(session, raw, partial=True)
    renamed_or_moved = ("name" in fields and normalize(fields["name"]) != normalize(service.name)) \
        or ("card_id" in fields and fields["card_id"] != service.card_id)
    if renamed_or_moved and service.status == "active" and not allow_duplicate:
        refuse_duplicate_service(session, fields.get("name", service.name), fields.get("card_id", service.card_id),
                                 other_than=service)
    for name, value in fields.items():
        setattr(service, name, value)
    return service


def remove_service(session: Session, ref: str) -> Service:
    service = find_service(session, ref)
    session.delete(service)
    return service


def list_services(session: Session, card: str | None = None, include_cancelled: bool = False) -> list[Service]:
    query = select(Service).order_by(Service.id)
    if card:
        query = query.where(Service.card_id == find_card(session, card).id)
    if not include_cancelled:
        query = query.where(Service.status == "active")
    return list(session.scalars(query))


# ------------------------------------------------------------------------------------ checklists

def reissue(session: Session, ref: str, last4: str, expiry: str | None, today: date) -> Checklist:
    """Record the replacement card and list every service that still holds the old number."""
    check_fields({"last4": last4, "expiry": expiry})
    old = find_card(session, ref)
    if old.status in ("replaced", "closed"):
        raise UserError("error.card_not_reissuable", card=old.nickname, status=old.status)
    new_last4 = v.parse_last4(last4)
    if new_last4 == old.last4:
        # Then the number did not change (a renewal), and no service needs updating; or a typo.
        raise UserError("error.reissue_same_last4", card=old.nickname, last4=old.last4)
    new_expiry = v.parse_expiry(expiry)
    if new_expiry and expired(new_expiry, today):
        raise UserError("error.expiry_past", field="expiry", given=new_expiry)
    new = Card(issuer=old.issuer, product=old.product, nickname=old.nickname, last4=new_last4,
               expiry=new_expiry, issued_on=today, alias_email=old.alias_email,
               back_number=old.back_number, status="active", replaces_id=old.id)
    old.status = "replaced"
    session.add(new)
    session.flush()
    checklist = Checklist(kind="reissue", card_id=old.id, new_card_id=new.id)
    # A service with no card recorded may well hold the old number: it is asked, never dropped.
    for position, service in enumerate(active_services(session, old) + services_without_card(session)):
        checklist.items.append(ChecklistItem(
            position=position, service_id=service.id, title=service.name,
            follows_by_itself=service.holds_card_as == "wallet", due_on=service.next_charge, status="todo"))
    session.add(checklist)
    _tell_incidents(session, old, IncidentEvent(kind="card", text=f"****{old.last4}", reference="replaced"))
    session.flush()
    return checklist


def _tell_incidents(session: Session, card: Card, event: IncidentEvent) -> None:
    """What happened to a card goes on the timeline of every open incident about it, where the
    incident's plan reads it (a reissue is its "stop and reissue" step done)."""
    event.at = event.at or datetime.now(timezone.utc)
    for incident in session.scalars(select(Incident).where(Incident.status == "open", Incident.card_id == card.id)):
        incident.events.append(IncidentEvent(at=event.at, kind=event.kind, text=event.text, reference=event.reference))


def close_card(session: Session, directory: Directory, ref: str | Card) -> Checklist:
    """Close the card and list what closing costs (the seed's caveats) and what must move."""
    card = ref if isinstance(ref, Card) else find_card(session, ref)
    if card.status == "closed":
        raise UserError("error.card_already_closed", card=card.nickname)
    checklist = Checklist(kind="close", card_id=card.id)
    issuer = directory.issuers.get(card.issuer)
    caveats = issuer.data.cancellation_caveats if issuer else []
    position = 0
    for caveat in caveats:
        checklist.items.append(ChecklistItem(position=position, caveat_id=caveat.id, title=caveat.en, status="todo"))
        position += 1
    for service in active_services(session, card):
        checklist.items.append(ChecklistItem(position=position, service_id=service.id, title=service.name,
                                             follows_by_itself=False, due_on=service.next_charge, status="todo"))
        position += 1
    card.status = "closed"
    session.add(checklist)
    _tell_incidents(session, card, IncidentEvent(kind="card", text=f"****{card.last4}", reference="closed"))
    session.flush()
    return checklist


def reopen_card(session: Session, ref: str) -> Card:
    """Undo a close: the card is active again and its closing checklist is dropped."""
    card = find_card(session, ref, active_first=False)
    if card.status != "closed":
        raise UserError("error.card_not_closed", card=card.nickname, status=card.status)
    refuse_duplicate_nickname(session, card.nickname, other_than=card)
    card.status = "active"
    for checklist in session.scalars(select(Checklist).where(Checklist.card_id == card.id, Checklist.kind == "close")):
        session.delete(checklist)
    return card


def services_on_old_cards(session: Session) -> list[Service]:
    """Every live service still recorded on a replaced or closed card: where the old number is stored."""
    old = select(Card.id).where(Card.status.in_(("replaced", "closed")))
    rows = session.scalars(select(Service).where(Service.status == "active", Service.card_id.in_(old)))
    return sorted(rows, key=lambda s: (s.next_charge is None, s.next_charge or date.max, s.card_id, s.name))


def sync_checklist(session: Session, checklist: Checklist) -> Checklist:
    """A service recorded on the old card after its checklist was made (imported from a spreadsheet
    that names the old number, say) still holds that number: it joins the checklist as to do."""
    if checklist.kind not in ("reissue", "close"):
        return checklist
    listed = {item.service_id for item in checklist.items if item.service_id}
    position = max((item.position for item in checklist.items), default=-1) + 1
    card = session.get(Card, checklist.card_id)
    for service in active_services(session, card) if card is not None and card.status in ("replaced", "closed") else []:
        if service.id not in listed:
            checklist.items.append(ChecklistItem(
                position=position, service_id=service.id, title=service.name,
                follows_by_itself=checklist.kind == "reissue" and service.holds_card_as == "wallet",
                due_on=service.next_charge, status="todo"))
            position += 1
    session.flush()
    return checklist


def find_checklist(session: Session, card: str | None = None, kind: str | None = None) -> Checklist:
    query = select(Checklist).order_by(Checklist.id.desc())
    if kind:
        query = query.where(Checklist.kind == kind)
    if card:
        target = find_card(session, card)
        query = query.where((Checklist.card_id == target.id) | (Checklist.new_card_id == target.id))
    found = session.scalars(query).first()
    if not found:
        raise UserError("error.no_checklist")
    return sync_checklist(session, found)


def mark_item(session: Session, item_id: int | str, status: str, today: date) -> ChecklistItem:
    item = by_id(session, ChecklistItem, item_id)
    if item is None:
        raise UserError("error.item_not_found", given=str(item_id))
    checklist = item.checklist
    allowed = REISSUE_ITEM_STATUSES if checklist.kind == "reissue" else CLOSE_ITEM_STATUSES
    status = {"cancelled-instead": "cancelled", "done": "done" if checklist.kind == "close" else "updated"}.get(status, status)
    if status not in allowed:
        raise UserError("error.field_choices_named", field="status", choices=", ".join(allowed))
    item.status = status
    service = item.service
    item.merged_from = None
    if service is not None and checklist.kind == "reissue":
        moves = status == "updated" or (status == "not-needed" and item.follows_by_itself)
        if moves and checklist.new_card_id and service.card_id != checklist.new_card_id:
            kept = onto_card(session, service, checklist.new_card_id)
            kept.card_updated_on = today
            if kept is not service:
                item.merged_from = service.id
                service = kept
        if status == "cancelled":
            service.status = "cancelled"
    state = progress(checklist)
    if state.total and state.done == state.total and status != "todo":
        old = session.get(Card, checklist.card_id)
        if old is not None:
            _tell_incidents(session, old, IncidentEvent(kind="checklist", text=checklist.kind, reference="done"))
    return item


def onto_card(session: Session, service: Service, card_id: int) -> Service:
    """``service`` moved onto card ``card_id``; the service that now stands for it there.

    A holder who already recorded the subscription on the new card (typed it in, accepted it from the
    new card's statement) and then ticks it off on the old card's checklist means one subscription: it
    is merged into the one already there (blank fields filled from the old record, the checklist and
    statement proposals pointed at it), never a second "Netflix" on the card. Two or more of that name
    already there (kept apart on purpose) cannot tell which one it is: a clear error, nothing changed."""
    from cardguard.store.models import StatementProposal

    twins = same_services(session, service.name, card_id, other_than=service)
    if not twins:
        service.card_id = card_id
        return service
    if len(twins) > 1:
        card = session.get(Card, card_id)
        raise UserError("error.reissue_twins", name=service.name, card=f"****{card.last4}" if card else "",
                        ids=", ".join(f"#{s.id}" for s in twins), id=service.id)
    kept = twins[0]
    for name in ("payment_url", "amount", "currency", "next_charge", "last_charged_on", "alias_email", "category"):
        if getattr(kept, name) is None and getattr(service, name) is not None:
            setattr(kept, name, getattr(service, name))
    if kept.holds_card_as == "unknown":
        kept.holds_card_as = service.holds_card_as
    if service.notes and service.notes not in (kept.notes or ""):
        kept.notes = "\n".join(text for text in (kept.notes, service.notes) if text)
    for item in session.scalars(select(ChecklistItem).where(ChecklistItem.service_id == service.id)):
        item.service = kept
    for proposal in session.scalars(select(StatementProposal).where(StatementProposal.service_id == service.id)):
        proposal.service_id = kept.id
    session.delete(service)
    session.flush()
    return kept


@dataclass
class Progress:
    done: int
    total: int
    due_first: ChecklistItem | None


def progress(checklist: Checklist) -> Progress:
    open_items = [i for i in checklist.items if i.status == "todo"]
    dated = sorted((i for i in open_items if i.due_on), key=lambda i: i.due_on)
    due_first = dated[0] if dated else (open_items[0] if open_items else None)
    return Progress(len(checklist.items) - len(open_items), len(checklist.items), due_first)


# ---------------------------------------------------------------------------------------- review

@dataclass
class CardReview:
    card: Card
    age_days: int | None
    services: list[Service]
    idle: list[Service]  # no charge in the last year


def review(session: Session, today: date) -> list[CardReview]:
    out = []
    year_ago = today - timedelta(days=365)
    for card in session.scalars(select(Card).where(Card.status.in_(("active", "stopped"))).order_by(Card.id)):
        start = card.issued_on or card.created_at.date()
        services = active_services(session, card)
        idle = [s for s in services if (s.last_charged_on and s.last_charged_on < year_ago)
                or (s.last_charged_on is None and s.next_charge is None and s.created_at.date() < year_ago)]
        out.append(CardReview(card, (today - start).days, services, idle))
    return out

