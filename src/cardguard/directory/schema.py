"""The shape of an issuer data file. Validated at load so that a typo in a number or a dangling
reference is caught before a card holder ever reads it."""

from __future__ import annotations

import re
from datetime import date, time
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from cardguard.i18n import Text

# The product's vocabulary of purposes, in the order a card holder in trouble needs them.
PURPOSES: tuple[str, ...] = ("fraud", "lost", "general", "not-arrived", "fax", "overseas", "apply", "cancel")
Purpose = Literal["fraud", "lost", "general", "not-arrived", "fax", "overseas", "apply", "cancel"]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_PHONE = re.compile(r"^\+?\d[\d-]{2,}\d$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def _phone(value: str) -> str:
    value = value.strip()
    if not _PHONE.match(value):
        raise ValueError(f"not a phone number as printed (digits and dashes, optional leading +): {value!r}")
    return value


def _domain(value: str) -> str:
    value = value.strip().lower().rstrip(".")
    if not _DOMAIN.match(value):
        raise ValueError(f"not a domain name: {value!r}")
    return value


PhoneNumber = Annotated[str, AfterValidator(_phone)]
DomainName = Annotated[str, AfterValidator(_domain)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(Strict):
    id: str
    title: str
    publisher: str
    url: str | None = None
    as_of: date


class Schedule(Strict):
    id: str
    always_open: bool = False
    opens: time | None = None
    closes: time | None = None
    closed_weekdays: list[Weekday] = []
    closed_on_public_holidays: bool = False
    # Membership Services: office hours, yet "緊急の場合24時間・年中無休".
    emergency_always_open: bool = False
    # A number the holder recorded (printed on their card) whose hours no source gives.
    unknown: bool = False
    text: Text

    @model_validator(mode="after")
    def _hours_make_sense(self) -> Schedule:
        if self.unknown:
            return self
        if self.always_open:
            if self.opens or self.closes or self.closed_weekdays or self.closed_on_public_holidays:
                raise ValueError("a schedule open around the clock has no opening time or closed days")
        elif self.opens is None or self.closes is None or self.opens >= self.closes:
            raise ValueError("opens and closes are required, and opens must come before closes")
        return self


class Card(Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]
    name: Text
    aliases: list[str] = []


class Row(Strict):
    card: str | None = None  # "*": every card of the issuer
    countries: list[Annotated[str, Field(pattern=r"^[A-Z]{2}$")]] = []
    region: str | None = None
    # The UN M49 subregions (as the country_converter package names them) a regional line serves:
    # the source names regions in words ("other Asia and Oceania"), the dataset says which country
    # lies in which.
    un_regions: list[str] = []
    place: Text | None = None
    number: PhoneNumber
    # Printed in international format without its "+" (44-20-…): dialled as +44-20-… from anywhere.
    international: bool = False


class Table(Strict):
    """One table of the directory: a purpose, its hours, and a number per card (or per country)."""

    purpose: Purpose
    kind: Literal["phone", "fax"] = "phone"
    schedule: str
    toll_free: bool
    source: str
    topic: Text | None = None
    note: Text | None = None
    advice: list[str] = []  # ids of the issuer's [[advice]] that go with these lines
    cards: list[str] | None = None  # cards the whole table is for (Overseas Assist's eligible cards)
    rows: list[Row]

    @model_validator(mode="after")
    def _rows_name_a_card_or_place(self) -> Table:
        for row in self.rows:
            if row.card is None and not (row.countries or row.region):
                raise ValueError("each row names a card, or a country or region")
        return self


class DaySpan(Strict):
    """Days of every year (MM-DD to MM-DD, across New Year allowed) that the source's office hours
    do not speak about: on them an office-hours line is neither promised open nor closed."""

    start: Annotated[str, Field(pattern=r"^\d{2}-\d{2}$")]
    end: Annotated[str, Field(pattern=r"^\d{2}-\d{2}$")]
    name: Text
    source: str

    def covers(self, day: date) -> bool:
        here = f"{day.month:02d}-{day.day:02d}"
        if self.start <= self.end:
            return self.start <= here <= self.end
        return here >= self.start or here <= self.end


class OnlineRoute(Strict):
    purpose: Purpose
    topic: Text
    steps: list[Text]
    source: str


class ReportRoute(Strict):
    name: Text
    address: str | None = None
    known: bool
    note: Text | None = None
    source: str

    @model_validator(mode="after")
    def _known_has_address(self) -> ReportRoute:
        if self.known != bool(self.address):
            raise ValueError("a known route has an address; an unknown one has none")
        return self


class SourcedText(Strict):
    id: str | None = None
    ja: str
    en: str
    source: str
    # The purposes of a call this item is about (a review's progress, a card not arrived); none: every call.
    purposes: list[Purpose] | None = None

    def text(self) -> Text:
        return Text(ja=self.ja, en=self.en)


class Prepare(Strict):
    before_call: list[SourcedText]
    no_connect: list[SourcedText]
    why_they_call: list[SourcedText]


class DomainEntry(Strict):
    domain: DomainName
    source: str
    note: Text | None = None


class NotOfficial(Strict):
    domain: DomainName
    note: Text


class IssuerInfo(Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]
    name: Text
    timezone: str
    holidays: str
    brand_words: list[str] = []


class IssuerFile(Strict):
    schema_version: Literal[1]
    issuer: IssuerInfo
    sources: list[Source]
    schedules: list[Schedule]
    cards: list[Card]
    tables: list[Table]
    online_routes: list[OnlineRoute] = []
    phishing_report: list[ReportRoute] = []
    prepare: Prepare | None = None
    cancellation_caveats: list[SourcedText] = []
    # What to do besides calling, each said once however many tables name it.
    advice: list[SourcedText] = []
    hours_not_covered: list[DaySpan] = []
    sending_domains: list[DomainEntry] = []
    link_domains: list[DomainEntry] = []
    not_official: list[NotOfficial] = []

    @model_validator(mode="after")
    def _references_resolve(self) -> IssuerFile:
        sources = {s.id for s in self.sources}
        schedules = {s.id for s in self.schedules}
        cards = {c.id for c in self.cards} | {"*"}
        problems: list[str] = []

        def need(kind: str, value: str, known: set[str]) -> None:
            if value not in known:
                problems.append(f"unknown {kind} {value!r}")

        advice = {a.id for a in self.advice}
        for table in self.tables:
            for each in table.advice:
                need("advice", each, advice)
            need("schedule", table.schedule, schedules)
            need("source", table.source, sources)
            for card in table.cards or []:
                need("card", card, cards)
            for row in table.rows:
                if row.card is not None:
                    need("card", row.card, cards)
        cited = [r.source for r in self.online_routes] + [r.source for r in self.phishing_report]
        cited += [d.source for d in self.sending_domains] + [d.source for d in self.link_domains]
        cited += [c.source for c in self.cancellation_caveats] + [a.source for a in self.advice]
        problems += [f"advice without an id: {a.ja!r}" for a in self.advice if not a.id]
        cited += [d.source for d in self.hours_not_covered]
        if self.prepare:
            for group in (self.prepare.before_call, self.prepare.no_connect, self.prepare.why_they_call):
                cited += [item.source for item in group]
        for source in cited:
            need("source", source, sources)
        for kind, ids in (("source", [s.id for s in self.sources]), ("card", [c.id for c in self.cards]),
                          ("schedule", [s.id for s in self.schedules]),
                          ("advice", [a.id for a in self.advice])):
            dupes = {i for i in ids if ids.count(i) > 1}
            if dupes:
                problems.append(f"duplicate {kind} ids {sorted(dupes)}")
        if problems:
            raise ValueError("; ".join(problems))
        return self
