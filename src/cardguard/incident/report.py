"""An incident as the holder reads it, and as a report for the card company or the police:
Markdown, and a self-contained HTML page that prints cleanly on A4."""

from __future__ import annotations

import json
from datetime import datetime
from importlib import resources

from jinja2 import Environment, select_autoescape
from sqlalchemy import select
from sqlalchemy.orm import Session

from cardguard.directory.load import Directory
from cardguard.directory.calls import HolderCard, whom_to_call
from cardguard.i18n import Lang, Text, catalog, t
from cardguard.incident import plans, progress
from cardguard.incident.record import as_utc
from cardguard.when import holder_zone
from cardguard.store.models import Card, Incident
from cardguard.verify.model import Finding
from cardguard.wallet.registry import CARD_STATUSES


def shown(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    local = as_utc(moment).astimezone(holder_zone())
    return local.strftime("%Y-%m-%d %H:%M ") + (local.tzname() or "")


def iso(moment: datetime | None) -> str | None:
    """The same moment for programs: ISO 8601 in the holder's zone, with its offset."""
    return as_utc(moment).astimezone(holder_zone()).isoformat() if moment else None


def _cards(session: Session, incident: Incident, directory: Directory, lang: Lang) -> list[dict]:
    involved: list[Card] = []
    if incident.card_id:
        card = session.get(Card, incident.card_id)
        if card:
            involved.append(card)
            # The card that replaced it is part of the story too.
            involved += list(session.scalars(select(Card).where(Card.replaces_id == card.id)))
    out = []
    for card in involved:
        issuer = directory.issuers.get(card.issuer)
        product = issuer.cards[card.product].name(lang) if issuer and card.product in issuer.cards else card.product
        out.append({"nickname": card.nickname, "last4": card.last4, "product": product,
                    "status": t(f"wallet.status_{card.status}", lang)})
    return out


def event_text(event, incident: Incident, lang: Lang) -> str:
    """One timeline entry as the holder reads it."""
    return _event_text(event, plans.plan(incident.kind), lang)


def _event_text(event, plan: plans.Plan, lang: Lang) -> str:
    step = plan.step(event.text or "") if event.kind in ("step", "skip") else None
    if event.kind == "verdict":
        verdict = stored_verdict(event.data, lang) or {}
        return t("incident.event_verdict", lang, verdict=verdict.get("verdict_label", ""),
                 subject=verdict.get("subject", ""))
    if event.kind == "opened":
        return t("incident.event_opened", lang, title=plan.title(lang))
    if event.kind == "step":
        return t("incident.event_step", lang, title=step.title(lang) if step else event.text)
    if event.kind == "skip":
        return t("incident.event_skip", lang, title=step.title(lang) if step else event.text, reason=event.agreed or "")
    if event.kind == "call":
        return t("incident.event_call", lang, number=event.number or "")
    if event.kind == "card":
        status = t(f"wallet.status_{event.reference}", lang) if event.reference in CARD_STATUSES else event.reference
        return t("incident.event_card", lang, change=f"{event.text} → {status}")
    if event.kind == "closed":
        return t("incident.event_closed", lang)
    if event.kind == "checklist":
        return t("incident.event_checklist_done", lang, title=t(f"wallet.checklist_{event.text}", lang))
    return event.text or ""


def event_details(event, lang: Lang) -> list[dict]:
    """What the holder recorded with a call or a card's change, each with its label ("Answered by:
    佐藤"): a name, a reference, an agreement and a note read alike without one. Every front end
    shows these."""
    if event.kind == "call":
        values = {"answered_by": event.answered_by, "reference": event.reference, "agreed": event.agreed,
                  "note": event.text}
    elif event.kind == "card":
        values = {"answered_by": None, "reference": None, "agreed": None, "note": event.agreed}
    else:
        return []
    return [{"field": field, "value": value, "text": t(f"incident.detail.{field}", lang, value=value)}
            for field, value in values.items() if value]


def _whom_to_call(directory: Directory, incident: Incident, card: Card | None, purpose: str, now: datetime):
    """The plan's call step asks the same core as `contacts`: the incident's card (its issuer, product
    and back number) when it has one, else the issuer the incident is about."""
    if card is not None:
        return whom_to_call(directory, at=now, card=HolderCard.of(card), purpose=purpose)
    holder = HolderCard(issuer=incident.issuer)
    return whom_to_call(directory, at=now, card=holder, purpose=purpose)


def _stored_value(value: object) -> object:
    return Text(**value) if isinstance(value, dict) and set(value) == {"ja", "en"} else value


def stored_verdict(data: str | None, lang: Lang, directory: Directory | None = None,
                   now: datetime | None = None) -> dict | None:
    """A verdict kept on the timeline, worded now in ``lang``. Stored as facts (format 2) it is worded
    from its codes and values; an older entry kept fully worded in ja and en is read as it was."""
    if not data:
        return None
    stored = json.loads(data)
    if stored.get("format") != 2:
        return stored.get(lang) or stored.get("en")
    findings = []
    for item in stored["findings"]:
        found = Finding(item["code"], item["severity"], item.get("evidence", ""),
                        tuple(sorted((k, _stored_value(v)) for k, v in item.get("values", {}).items())))
        findings.append(found.as_json(lang, item.get("decisive", False)))
    issuer = directory.issuers.get(stored["issuer"]) if directory and stored.get("issuer") else None
    calls = []
    if issuer is not None and stored.get("call_cards") is not None and now is not None:
        # The fraud lines the check pointed to, with whether they answer at the moment it is read.
        answer = whom_to_call(directory, at=now, issuer=issuer.id, purpose="fraud")
        calls = [group.call.as_json(lang) for group in answer.by_number()]
    return {
        "verdict": stored["verdict"], "verdict_label": t(f"verdict.{stored['verdict']}", lang),
        "issuer": stored.get("issuer"), "issuer_name": issuer.data.issuer.name(lang) if issuer else None,
        "from": stored["from"], "subject": stored["subject"], "recipients": stored.get("recipients", []),
        "authentication": stored.get("authentication"), "findings": findings, "links": stored.get("links", []),
        "otp": stored.get("otp"), "next_steps": [t(key, lang) for key in stored.get("next_steps", []) if key in catalog()],
        "calls": calls, "checked_at": stored.get("checked_at"),
    }


def view(session: Session, directory: Directory, incident: Incident, lang: Lang, now: datetime) -> dict:
    plan = plans.plan(incident.kind)
    card = session.get(Card, incident.card_id) if incident.card_id else None
    states = progress.step_states(incident, progress.call_purposes_for(directory, incident, card, now))
    steps = []
    for row in incident.steps:
        step = plan.step(row.step_id)
        if step is None:
            continue
        state = states[step.id]
        entry = {"id": step.id, "title": step.title(lang), "detail": step.detail(lang) if step.detail else None,
                 "optional": step.optional, "status": state.status, "done_at": shown(state.at),
                 "done_by": state.by, "skip_reason": state.reason,
                 "sources": [plans.sources()[s].title for s in step.sources], "call": None}
        if step.call:
            answer = _whom_to_call(directory, incident, card, step.call, now)
            entry["call"] = [{**group.call.as_json(lang), "card_names": [name(lang) for name in group.card_names]}
                             for group in answer.by_number()]
            entry["call_notes"] = [note.message(lang) for note in answer.notes]
        steps.append(entry)
    timeline = []
    for event in sorted(incident.events, key=lambda e: as_utc(e.at)):
        timeline.append({"at": shown(event.at), "at_iso": iso(event.at), "kind": event.kind, "text": _event_text(event, plan, lang),
                         "note": event.text if event.kind == "call" else None, "number": event.number,
                         "answered_by": event.answered_by, "reference": event.reference,
                         "agreed": event.agreed if event.kind == "call" else None,
                         "details": event_details(event, lang)})
    verdict = received = None
    for event in incident.events:
        if event.kind == "verdict" and event.data:
            verdict = stored_verdict(event.data, lang, directory, now)
            received = _received_at(event.data)
    done = sum(1 for s in steps if s["status"] != "todo")
    return {
        "id": incident.id, "kind": incident.kind, "title": plan.title(lang), "plan_summary": plan.summary(lang),
        "status": incident.status, "status_label": t(f"incident.status_{incident.status}", lang),
        "issuer": incident.issuer, "started_at": shown(incident.started_at),
        "started_at_iso": iso(incident.started_at),
        "closed_at": shown(incident.closed_at), "closed_at_iso": iso(incident.closed_at), "summary": incident.summary,
        "cards": _cards(session, incident, directory, lang),
        "progress": {"done": done, "total": len(steps)},
        "steps": steps, "timeline": timeline,
        "calls": [e for e in timeline if e["kind"] == "call"],
        "verdict": {"verdict": verdict["verdict"], "label": verdict["verdict_label"], "from": verdict["from"],
                    "subject": verdict["subject"],
                    # When the mail arrived (its check is stamped when it was made, on the timeline).
                    "received_at": shown(received) if received else None,
                    "received_at_iso": iso(received) if received else None,
                    "reasons": [f["message"] for f in verdict["findings"] if f["decisive"]][:8]} if verdict else None,
        "zone": str(holder_zone()),
    }


def _received_at(data: str | None):
    try:
        stamp = json.loads(data or "{}").get("mail_received_at")
        return datetime.fromisoformat(stamp) if isinstance(stamp, str) else None
    except (ValueError, AttributeError):
        return None


def _labels(lang: Lang) -> dict[str, str]:
    keys = ["report_title", "kind", "opened", "closed_at", "status", "summary", "cards", "timeline", "steps",
            "calls", "verdict", "when", "what", "answered_by", "reference", "agreed", "number", "done", "skipped",
            "open", "none", "zone", "generated", "from", "subject", "reasons", "optional", "received"]
    return {key: t(f"incident.{key}", lang) for key in keys}


def markdown(data: dict, lang: Lang) -> str:
    label = _labels(lang)
    lines = [f"# {label['report_title']}: {data['title']} (#{data['id']})", "",
             f"- {label['kind']}: {data['title']}", f"- {label['opened']}: {data['started_at']}",
             f"- {label['status']}: {data['status_label']}" + (f" ({data['closed_at']})" if data["closed_at"] else ""),
             f"- {label['zone']}: {data['zone']}", "", f"## {label['summary']}", "", data["plan_summary"]]
    if data["summary"]:
        lines += ["", data["summary"]]
    lines += ["", f"## {label['cards']}", ""]
    lines += [f"- {c['nickname']} ****{c['last4']} ({c['product'] or '-'}): {c['status']}" for c in data["cards"]] \
        or [f"- {label['none']}"]
    if data["verdict"]:
        v = data["verdict"]
        lines += ["", f"## {label['verdict']}", "", f"- {label['verdict']}: **{v['label']}**",
                  f"- {label['from']}: {v['from']['address']}", f"- {label['subject']}: {v['subject']}"]
        lines += [f"- {label['received']}: {v['received_at']}"] if v["received_at"] else []
        lines += [f"- {reason}" for reason in v["reasons"]]
    lines += ["", f"## {label['timeline']}", "", f"| {label['when']} | {label['what']} |", "| --- | --- |"]
    for entry in data["timeline"]:
        detail = entry["text"]
        if entry["details"]:
            detail += " — " + " · ".join(part["text"] for part in entry["details"])
        lines.append(f"| {entry['at']} | {detail.replace('|', '/')} |")
    lines += ["", f"## {label['steps']} ({data['progress']['done']}/{data['progress']['total']})", ""]
    for step in data["steps"]:
        box = {"done": "[x]", "skipped": "[-]"}.get(step["status"], "[ ]")
        when = f" ({step['done_at']})" if step["done_at"] else ""
        reason = f": {step['skip_reason']}" if step["skip_reason"] else ""
        lines.append(f"- {box} {step['title']}{when}{reason}")
    lines += ["", f"## {label['calls']}", ""]
    for call in data["calls"]:
        lines.append(f"- {call['at']}: {call['number']}"
                     + "".join(f", {part['text']}" for part in call["details"] if part["field"] != "note"))
    if not data["calls"]:
        lines.append(f"- {label['none']}")
    return "\n".join(lines) + "\n"


def html(data: dict, lang: Lang) -> str:
    template = resources.files(__package__).joinpath("report.html").read_text(encoding="utf-8")
    environment = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    return environment.from_string(template).render(d=data, label=_labels(lang), lang=lang)
