"""Starting an incident, ticking its steps, logging calls and notes, closing it.

Times are stored in UTC and shown in the holder's zone. Everything the holder types passes the
card-number guard: a timeline is exactly where someone would paste a card number by mistake.
"""

from __future__ import annotations

import email.utils
import json
import os
from datetime import datetime, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from cardguard.errors import UserError
from cardguard.incident import plans
from cardguard.store.models import Card, Incident, IncidentEvent, IncidentStep
from cardguard.wallet.guard import check_fields
from cardguard.wallet.registry import CARD_STATUSES, find_card
from cardguard.when import HOLDER_ZONE, parse_moment, zone_named


def holder_zone() -> tzinfo:
    """The zone a front end chose, else CARDGUARD_TZ (an unknown name is an error), else the machine's
    own zone: where the holder reads the timeline."""
    chosen = HOLDER_ZONE.get()
    if chosen is not None:
        return chosen
    if os.environ.get("CARDGUARD_TZ"):
        return zone_named(os.environ["CARDGUARD_TZ"])
    name = os.environ.get("TZ")
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return datetime.now().astimezone().tzinfo or timezone.utc


def parse_at(given: str | None) -> datetime:
    """A moment typed by the holder, in UTC for storage; without an offset it is their own time."""
    return parse_moment(given, holder_zone()).astimezone(timezone.utc)


def as_utc(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; they were written in UTC.
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def received_at(headers: list[tuple[str, str]]) -> datetime | None:
    """When the mail arrived: the topmost Received header's date, else its Date header."""
    received = [value for name, value in headers if name.lower() == "received"][:1]
    candidates = [value.rsplit(";", 1)[-1] for value in received if ";" in value]
    candidates += [value for name, value in headers if name.lower() == "date"][:1]
    for value in candidates:
        try:
            parsed = email.utils.parsedate_to_datetime(value.strip())
        except (TypeError, ValueError, IndexError):
            continue
        if parsed is not None:
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
    return None


def kind_from_verdict(verdict: dict) -> str:
    if verdict["otp"]["detected"] and verdict["verdict"] in ("genuine", "suspicious"):
        return "unknown-code"
    return "phishing-received"


def start(session: Session, kind: str | None, *, at: datetime, card: str | None = None, issuer: str | None = None,
          verdict: dict | None = None, verdicts: dict | None = None, mail_at: datetime | None = None) -> Incident:
    if kind is None:
        if verdict is None:
            raise UserError("error.incident_kind_required", choices=", ".join(plans.KINDS))
        kind = kind_from_verdict(verdict)
    if kind not in plans.KINDS:
        raise UserError("error.field_choices_named", field="--kind", choices=", ".join(plans.KINDS))
    plan = plans.plan(kind)
    found = find_card(session, card) if card else None
    # Whose incident it is comes from the card's record or the checked mail; nothing said, nobody assumed.
    incident = Incident(kind=kind, issuer=(found.issuer if found else None) or (verdict or {}).get("issuer") or issuer,
                        card_id=found.id if found else None, status="open", started_at=at)
    for position, step in enumerate(plan.steps):
        incident.steps.append(IncidentStep(step_id=step.id, position=position, status="todo"))
    if verdict is not None:
        incident.events.append(IncidentEvent(
            at=(mail_at or at).astimezone(timezone.utc), kind="verdict", text=f"{verdict['verdict']}: {verdict['subject']}"[:500],
            data=json.dumps(verdicts or {"en": verdict}, ensure_ascii=False, default=str)))
    incident.events.append(IncidentEvent(at=at, kind="opened", text=kind))
    session.add(incident)
    session.flush()
    return incident


def find_incident(session: Session, ref: str | int | None) -> Incident:
    if ref is not None:
        try:
            found = session.get(Incident, int(str(ref).lstrip("#")))
        except ValueError:
            found = None
        if found is None:
            raise UserError("error.incident_not_found", given=str(ref))
        return found
    found = session.scalars(select(Incident).where(Incident.status == "open").order_by(Incident.id.desc())).first()
    if found is None:
        raise UserError("error.no_open_incident")
    return found


def tick(session: Session, incident: Incident, step_id: str, at: datetime, skip_reason: str | None = None) -> IncidentStep:
    check_fields({"reason": skip_reason})
    plan = plans.plan(incident.kind)
    step = next((s for s in incident.steps if s.step_id == step_id), None)
    if step is None:
        raise UserError("error.step_not_found", details=[f"{s.id}  {s.title.en}" for s in plan.steps], given=step_id)
    step.status = "skipped" if skip_reason else "done"
    step.done_at = at
    step.skip_reason = skip_reason
    incident.events.append(IncidentEvent(at=at, kind="skip" if skip_reason else "step", text=step_id,
                                         agreed=skip_reason))
    return step


def log(session: Session, incident: Incident, at: datetime, *, note: str | None = None, call: str | None = None,
        answered_by: str | None = None, reference: str | None = None, agreed: str | None = None,
        card: str | None = None, card_status: str | None = None) -> IncidentEvent:
    check_fields({"note": note, "call": call, "answered-by": answered_by, "reference": reference, "agreed": agreed})
    if call:
        event = IncidentEvent(at=at, kind="call", number=call.strip(), answered_by=answered_by, reference=reference,
                              agreed=agreed, text=note)
    elif card_status:
        if card_status not in CARD_STATUSES:
            raise UserError("error.field_choices_named", field="--card-status", choices=", ".join(CARD_STATUSES))
        target = find_card(session, card) if card else None
        if target is None and incident.card_id:
            target = session.get(Card, incident.card_id)
        if target is None:
            raise UserError("error.field_required", field="--card")
        target.status = card_status
        if incident.card_id is None:
            incident.card_id = target.id
        event = IncidentEvent(at=at, kind="card", text=f"****{target.last4}", reference=card_status, agreed=note)
    elif note:
        event = IncidentEvent(at=at, kind="note", text=note)
    else:
        raise UserError("error.log_empty")
    incident.events.append(event)
    session.flush()
    return event


def close(session: Session, incident: Incident, at: datetime, summary: str | None = None) -> Incident:
    check_fields({"summary": summary})
    if incident.status == "closed":
        raise UserError("error.incident_closed", id=incident.id)
    incident.status = "closed"
    incident.closed_at = at
    incident.summary = summary
    incident.events.append(IncidentEvent(at=at, kind="closed", text=summary))
    return incident
