"""Starting an incident, ticking its steps, logging calls and notes, closing it.

Times are stored in UTC and shown in the holder's zone. Everything the holder types passes the
card-number guard: a timeline is exactly where someone would paste a card number by mistake.
"""

from __future__ import annotations

import email.utils
import json
import re
from datetime import datetime, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from cardguard.errors import UserError
from cardguard.i18n import Lang, Text
from cardguard.incident import plans
from cardguard.shortened import shortened
from cardguard.store.models import Card, Incident, IncidentEvent, IncidentStep
from cardguard.wallet.guard import check_fields
from cardguard.wallet.registry import CARD_STATUSES, by_id, find_card
from cardguard.when import holder_zone, parse_moment


# A timeline records what happened; a moment past this is a typo (2099), not a plan.
FUTURE_SLACK = timedelta(hours=1)


def parse_at(given: str | None, now: datetime | None = None) -> datetime:
    """A moment typed by the holder, in UTC for storage; without an offset it is their own time."""
    moment = parse_moment(given, holder_zone()).astimezone(timezone.utc)
    if given is not None and moment > (now or datetime.now(timezone.utc)) + FUTURE_SLACK:
        raise UserError("error.moment_future", field="at", given=shortened(given, 40))
    return moment


_PHONE = re.compile(r"\+?[\d\s\-()‐－ー.]+")


def parse_phone(given: str, field: str = "call") -> str:
    """A number as the holder typed it ("0120-020120", "+44 20 7946 0000", "188"), or an error."""
    text = given.strip()
    digits = re.sub(r"\D", "", text)
    if not _PHONE.fullmatch(text) or not 3 <= len(digits) <= 15:
        raise UserError("error.phone_invalid", field=field, given=shortened(text, 40))
    return text


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


def _stored_value(value: object) -> object:
    if isinstance(value, Text):
        return {"ja": value.ja, "en": value.en}  # a name from the directory, both of its spellings
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def verdict_facts(verdict) -> dict:
    """What a check found, as facts: the verdict, the finding codes with their values, the links, the
    claimed issuer. No sentence in any language: it is worded when shown, in the reader's language,
    with the hours of any line computed for when it is read."""
    return {
        "format": 2,
        "verdict": verdict.verdict,
        "issuer": verdict.issuer,
        "from": {"address": verdict.from_address, "domain": verdict.from_domain,
                 "display_name": verdict.from_display_name},
        "subject": verdict.subject,
        "recipients": list(verdict.recipients),
        "authentication": verdict.authentication.as_json(),
        "findings": [{"code": f.code, "severity": f.severity, "evidence": f.evidence,
                      "values": {key: _stored_value(value) for key, value in f.values},
                      "decisive": f.code in verdict.decisive} for f in verdict.ordered_findings()],
        "links": [link.as_json() for link in verdict.links],
        "otp": {"detected": verdict.otp.detected, "code": verdict.otp.code, "merchant": verdict.otp.merchant,
                "amount": verdict.otp.amount},
        "next_steps": list(verdict.next_steps),
        "call_cards": [list(group.cards) for group in verdict.calls],
        "checked_at": verdict.checked_at.isoformat() if isinstance(verdict.checked_at, datetime) else None,
    }


def kind_from_verdict(verdict: dict) -> str:
    if verdict["otp"]["detected"] and verdict["verdict"] in ("genuine", "suspicious"):
        return "unknown-code"
    return "phishing-received"


def start(session: Session, kind: str | None, *, at: datetime, card: str | None = None, issuer: str | None = None,
          verdict: dict | None = None, verdicts: dict | None = None, mail_at: datetime | None = None,
          checked=None) -> Incident:
    """``checked``: the Verdict of the mail that started it, stored as facts (verdict_facts). The
    older ``verdict``/``verdicts`` (worded JSON) are still accepted and stored as they were."""
    if checked is not None:
        verdict, verdicts = verdict_facts(checked), None
        if mail_at is not None:
            verdict["mail_received_at"] = mail_at.astimezone(timezone.utc).isoformat()
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
        # The check is stamped when the holder records it (now, or the --at they give), never with the
        # mail's Date or arrival, which can be a year before. The mail's own time stays in the facts.
        incident.events.append(IncidentEvent(
            at=at.astimezone(timezone.utc), kind="verdict", text=f"{verdict['verdict']}: {verdict['subject']}"[:500],
            data=json.dumps(verdict if verdict.get("format") == 2 else (verdicts or {"en": verdict}),
                            ensure_ascii=False, default=str)))
    incident.events.append(IncidentEvent(at=at, kind="opened", text=kind))
    session.add(incident)
    session.flush()
    return incident


def find_incident(session: Session, ref: str | int | None) -> Incident:
    if ref is not None:
        found = by_id(session, Incident, ref)
        if found is None:
            raise UserError("error.incident_not_found", given=str(ref))
        return found
    found = session.scalars(select(Incident).where(Incident.status == "open").order_by(Incident.id.desc())).first()
    if found is None:
        raise UserError("error.no_open_incident")
    return found


def _step_line(step):
    """A step as the list of valid steps shows it, in whichever language the error is read."""
    from cardguard.i18n import Text

    return Text(ja=f"{step.id}  {step.title.ja}", en=f"{step.id}  {step.title.en}")


def tick(session: Session, incident: Incident, step_id: str, at: datetime, skip_reason: str | None = None) -> IncidentStep:
    check_fields({"reason": skip_reason})
    plan = plans.plan(incident.kind)
    step = next((s for s in incident.steps if s.step_id == step_id), None)
    if step is None:
        raise UserError("error.step_not_found", details=[_step_line(s) for s in plan.steps], given=step_id)
    # Only the timeline records it: a step's state is read from the timeline (incident/progress.py).
    incident.events.append(IncidentEvent(at=at, kind="skip" if skip_reason else "step", text=step_id,
                                         agreed=skip_reason))
    return step


def log(session: Session, incident: Incident, at: datetime, *, note: str | None = None, call: str | None = None,
        answered_by: str | None = None, reference: str | None = None, agreed: str | None = None,
        card: str | None = None, card_status: str | None = None) -> list[IncidentEvent]:
    """What the holder did, on the timeline: a call (with who answered, a reference, what was agreed),
    a card's new status, or a note; a call that stopped the card is both. Nothing given is dropped:
    a call's details without the number called are refused, not kept as a bare note."""
    check_fields({"note": note, "call": call, "answered-by": answered_by, "reference": reference, "agreed": agreed})
    if not call and (answered_by or reference or agreed):
        raise UserError("error.call_details_without_call", field="--call")
    events: list[IncidentEvent] = []
    if call:
        events.append(IncidentEvent(at=at, kind="call", number=parse_phone(call), answered_by=answered_by,
                                    reference=reference, agreed=agreed, text=note))
    if card_status:
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
        # With a call, the note is the call's.
        events.append(IncidentEvent(at=at, kind="card", text=f"****{target.last4}", reference=card_status,
                                    agreed=None if call else note))
    if not events and note:
        events.append(IncidentEvent(at=at, kind="note", text=note))
    if not events:
        raise UserError("error.log_empty")
    incident.events.extend(events)
    session.flush()
    return events


def close(session: Session, incident: Incident, at: datetime, summary: str | None = None, *,
          confirmed: bool = False, directory=None, lang: Lang = "en") -> Incident:
    """Closing over steps not yet done needs ``confirmed``: nobody closes an incident with a step
    forgotten by accident. The open steps are listed (in ``lang``) in the error."""
    check_fields({"summary": summary})
    if incident.status == "closed":
        raise UserError("error.incident_closed", id=incident.id)
    if not confirmed:
        from cardguard.incident import progress

        if directory is None:
            from cardguard.directory import load_directory

            directory = load_directory(lang)
        card = session.get(Card, incident.card_id) if incident.card_id else None
        remaining = progress.open_steps(incident, progress.call_purposes_for(directory, incident, card, at))
        if remaining:
            raise UserError("error.steps_open", count=len(remaining), id=incident.id,
                            details=[f"☐ {step.title(lang)}  ({step.id})" for step in remaining])
    incident.status = "closed"
    incident.closed_at = at
    incident.summary = summary
    incident.events.append(IncidentEvent(at=at, kind="closed", text=summary))
    return incident
