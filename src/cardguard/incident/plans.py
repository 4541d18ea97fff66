"""Recovery plans: one data file per kind of incident, in Japanese and English, each step with its
sources. Checked at load (cardguard.records) so a typo in a plan is caught by the tests, not on the night."""

from __future__ import annotations

import tomllib
from dataclasses import field
from functools import cache
from importlib import resources
from typing import Literal

from cardguard.i18n import Text
from cardguard.records import read
from cardguard.values import record

KINDS = ("unknown-code", "unknown-charge", "lost-or-stolen", "phishing-opened", "phishing-received")


@record
class PlanSource:
    id: str
    title: str
    url: str | None = None


@record
class Step:
    id: str
    title: Text
    detail: Text | None = None
    # How a browser page words the step where the CLI's wording names a command: the page itself has
    # the button, the form or the content the command would give.
    web_title: Text | None = None
    web_detail: Text | None = None
    call: Literal["fraud", "lost", "general"] | None = None  # a call to the issuer, with the line from the directory
    optional: bool = False
    sources: list[str]
    # What on the timeline also means this step is done, besides ticking it: "call:fraud" (a call to
    # a fraud line of the card's issuer or to the number on the card), "card:stopped" (the card's
    # status set so), "checklist:reissue" (the reissue checklist finished), "verdict" (a mail checked).
    done_when: list[Literal["call:fraud", "call:lost", "card:stopped", "card:replaced", "card:closed",
                            "checklist:reissue", "verdict"]] = field(default_factory=list)


@record
class Plan:
    kind: Literal["unknown-code", "unknown-charge", "lost-or-stolen", "phishing-opened", "phishing-received"]
    title: Text
    summary: Text
    steps: list[Step]

    def _consistent(self) -> None:
        ids = [s.id for s in self.steps]
        if len(ids) != len(set(ids)):
            raise ValueError(f"duplicate step ids in {self.kind}")

    def step(self, step_id: str) -> Step | None:
        return next((s for s in self.steps if s.id == step_id), None)


def _read(name: str) -> dict:
    return tomllib.loads(resources.files(__package__).joinpath("plans", name).read_text(encoding="utf-8"))


@cache
def sources() -> dict[str, PlanSource]:
    return {s["id"]: read(PlanSource, s) for s in _read("sources.toml")["sources"]}


@cache
def plan(kind: str) -> Plan:
    loaded = read(Plan, _read(f"{kind}.toml"))
    unknown = {s for step in loaded.steps for s in step.sources} - set(sources())
    if unknown:
        raise ValueError(f"{kind}: unknown sources {sorted(unknown)}")
    return loaded


def all_plans() -> list[Plan]:
    return [plan(kind) for kind in KINDS]
