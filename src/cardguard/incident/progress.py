"""Which steps of an incident are done, read off its timeline.

The timeline is the one record: a step is done when the holder ticked it, or when the timeline
shows what the step asks for (the call to the fraud line, the card stopped or reissued, the reissue
checklist finished, the mail checked; each plan step says which in its ``done_when``). Nothing
keeps a second copy that could disagree with what the timeline shows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from cardguard.errors import UserError
from cardguard.incident import plans
from cardguard.store.models import Card, Incident, IncidentEvent

CallPurposes = Callable[[str], set[str]]


@dataclass(frozen=True)
class StepState:
    status: str  # todo, done, skipped
    at: datetime | None = None
    reason: str | None = None
    by: str | None = None  # what on the timeline did it: "tick", "call:fraud", "card:stopped", …


def _digits(number: str) -> str:
    from cardguard.directory.lookup import same_number_key

    return same_number_key(number)


def call_purposes_for(directory, incident: Incident, card: Card | None, at: datetime) -> CallPurposes:
    """The urgent purposes ("fraud", "lost") a dialled number serves for this incident's card: a line of
    the card's issuer for that purpose, or the number printed on the card itself (which answers both)."""
    from cardguard.directory.lookup import find_lines

    serves: dict[str, set[str]] = {}
    if incident.issuer and directory is not None and incident.issuer in directory.issuers:
        for purpose in ("fraud", "lost"):
            try:
                lines = find_lines(directory, issuer=incident.issuer, card=card.product if card and card.product else None,
                                   purpose=purpose, at=at)
            except UserError:
                lines = []
            for line in lines:
                serves.setdefault(_digits(line.number), set()).add(purpose)
    if card is not None and card.back_number:
        serves.setdefault(_digits(card.back_number), set()).update({"fraud", "lost"})
    return lambda number: serves.get(_digits(number), set())


def signals(event: IncidentEvent, call_purposes: CallPurposes) -> set[str]:
    """What an entry of the timeline shows done, in the terms of a step's ``done_when``."""
    if event.kind == "call":
        return {f"call:{purpose}" for purpose in call_purposes(event.number or "")}
    if event.kind == "card" and event.reference:
        return {f"card:{event.reference}"}
    if event.kind == "checklist" and event.reference == "done":
        return {f"checklist:{event.text}"}
    if event.kind == "verdict":
        return {"verdict"}
    return set()


def step_states(incident: Incident, call_purposes: CallPurposes) -> dict[str, StepState]:
    plan = plans.plan(incident.kind)
    states = {step.id: StepState("todo") for step in plan.steps}
    for event in sorted(incident.events, key=lambda e: (e.at.replace(tzinfo=None), e.id or 0)):
        if event.kind in ("step", "skip") and event.text in states:
            if states[event.text].status == "todo":
                states[event.text] = StepState("skipped" if event.kind == "skip" else "done", event.at,
                                               event.agreed if event.kind == "skip" else None, "tick")
            continue
        shown = signals(event, call_purposes)
        for step in plan.steps:
            if states[step.id].status == "todo" and shown & set(step.done_when):
                states[step.id] = StepState("done", event.at, None, sorted(shown & set(step.done_when))[0])
    return states


def open_steps(incident: Incident, call_purposes: CallPurposes) -> list[plans.Step]:
    """The steps still to do that apply to everyone (optional ones are "if it applies")."""
    plan = plans.plan(incident.kind)
    states = step_states(incident, call_purposes)
    return [step for step in plan.steps if states[step.id].status == "todo" and not step.optional]
