"""The shape of an issuer data file. Checked at load (cardguard.records) so that a typo in a number
or a dangling reference is caught before a card holder ever reads it."""

from __future__ import annotations

import re
from dataclasses import field
from datetime import date, time
from typing import Annotated, Literal

from cardguard.i18n import Text, both
from cardguard.records import Check, Matches, Problem, Unreadable
from cardguard.shortened import shortened
from cardguard.values import record

# The product's vocabulary of purposes, in the order a card holder in trouble needs them.
PURPOSES: tuple[str, ...] = ("fraud", "lost", "general", "not-arrived", "fax", "overseas", "apply", "cancel")
Purpose = Literal["fraud", "lost", "general", "not-arrived", "fax", "overseas", "apply", "cancel"]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# As printed: ASCII digits in groups joined by one dash, a leading + allowed; 3 to 15 digits (E.164's
# longest). `\d` took any script's digits (०१२०) and dashes in a row.
_PHONE = re.compile(r"\+?[0-9]+(?:-[0-9]+)*")
_DOMAIN = re.compile(r"(?=.{1,253}\Z)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")


def _phone(value: str) -> str:
    value = value.strip()
    if not _PHONE.fullmatch(value) or not 3 <= sum(char.isdigit() for char in value) <= 15:
        raise ValueError(both("record.phone", value=shortened(value, 60)))
    return value


def _domain(value: str) -> str:
    value = value.strip().lower().rstrip(".")
    if not _DOMAIN.fullmatch(value):
        raise ValueError(both("record.domain", value=shortened(value, 60)))
    return value


def _month_day(value: str) -> str:
    # A day of every year, MM-DD: 02-29 is one (a leap year's), 99-99 none.
    if re.fullmatch(r"[0-9]{2}-[0-9]{2}", value):
        try:
            date.fromisoformat(f"2024-{value}")
            return value
        except ValueError:
            pass
    raise ValueError(both("record.month_day", value=shortened(value, 60)))


def _calendar(value: str) -> str:
    from cardguard.directory.hours import known_calendar

    if not known_calendar(value):
        raise ValueError(both("record.calendar", value=shortened(value, 60)))
    return value


PhoneNumber = Annotated[str, Check(_phone)]
DomainName = Annotated[str, Check(_domain)]
Id = Annotated[str, Matches(r"[a-z0-9][a-z0-9-]*")]


@record
class Source:
    id: str
    title: str
    publisher: str
    url: str | None = None
    as_of: date


@record
class Schedule:
    id: str
    always_open: bool = False
    opens: time | None = None
    closes: time | None = None
    closed_weekdays: list[Weekday] = field(default_factory=list)
    closed_on_public_holidays: bool = False
    # Membership Services: office hours, yet "緊急の場合24時間・年中無休".
    emergency_always_open: bool = False
    # A number the holder recorded (printed on their card) whose hours no source gives.
    unknown: bool = False
    text: Text

    def _consistent(self) -> None:
        if self.unknown:
            return
        if self.always_open:
            if self.opens or self.closes or self.closed_weekdays or self.closed_on_public_holidays:
                raise ValueError("a schedule open around the clock has no opening time or closed days")
        elif self.opens is None or self.closes is None or self.opens >= self.closes:
            raise ValueError("opens and closes are required, and opens must come before closes")


@record
class Card:
    id: Id
    name: Text
    aliases: list[str] = field(default_factory=list)


@record
class Row:
    card: str | None = None  # "*": every card of the issuer
    countries: list[Annotated[str, Matches(r"[A-Z]{2}")]] = field(default_factory=list)
    region: str | None = None
    # The UN M49 subregions (as the country_converter package names them) a regional line serves:
    # the source names regions in words ("other Asia and Oceania"), the dataset says which country
    # lies in which.
    un_regions: list[str] = field(default_factory=list)
    place: Text | None = None
    number: PhoneNumber
    # Printed in international format without its "+" (44-20-…): dialled as +44-20-… from anywhere.
    international: bool = False


@record
class Table:
    """One table of the directory: a purpose, its hours, and a number per card (or per country)."""

    purpose: Purpose
    kind: Literal["phone", "fax"] = "phone"
    schedule: str
    toll_free: bool
    source: str
    topic: Text | None = None
    note: Text | None = None
    advice: list[str] = field(default_factory=list)  # ids of the issuer's [[advice]] that go with these lines
    cards: list[str] | None = None  # cards the whole table is for (Overseas Assist's eligible cards)
    rows: list[Row]

    def _consistent(self) -> None:
        for row in self.rows:
            if row.card is None and not (row.countries or row.region):
                raise ValueError("each row names a card, or a country or region")


@record
class DaySpan:
    """Days of every year (MM-DD to MM-DD, across New Year allowed) that the source's office hours
    do not speak about: on them an office-hours line is neither promised open nor closed."""

    start: Annotated[str, Check(_month_day)]
    end: Annotated[str, Check(_month_day)]
    name: Text
    source: str

    def covers(self, day: date) -> bool:
        here = f"{day.month:02d}-{day.day:02d}"
        if self.start <= self.end:
            return self.start <= here <= self.end
        return here >= self.start or here <= self.end


@record
class OnlineRoute:
    purpose: Purpose
    topic: Text
    steps: list[Text]
    source: str


@record
class ReportRoute:
    name: Text
    address: str | None = None
    known: bool
    note: Text | None = None
    source: str

    def _consistent(self) -> None:
        if self.known != bool(self.address):
            raise ValueError("a known route has an address; an unknown one has none")


@record
class SourcedText:
    id: str | None = None
    ja: str
    en: str
    source: str
    # The purposes of a call this item is about (a review's progress, a card not arrived); none: every call.
    purposes: list[Purpose] | None = None

    def text(self) -> Text:
        return Text(ja=self.ja, en=self.en)


@record
class Prepare:
    before_call: list[SourcedText]
    no_connect: list[SourcedText]
    why_they_call: list[SourcedText]


@record
class DomainEntry:
    domain: DomainName
    source: str
    note: Text | None = None


@record
class NotOfficial:
    domain: DomainName
    note: Text


@record
class IssuerInfo:
    id: Id
    name: Text
    timezone: str
    holidays: Annotated[str, Check(_calendar)]  # whose public holidays close its offices
    brand_words: list[str] = field(default_factory=list)


@record
class IssuerFile:
    schema_version: Literal[1]
    issuer: IssuerInfo
    sources: list[Source]
    schedules: list[Schedule]
    cards: list[Card]
    tables: list[Table]
    online_routes: list[OnlineRoute] = field(default_factory=list)
    phishing_report: list[ReportRoute] = field(default_factory=list)
    prepare: Prepare | None = None
    cancellation_caveats: list[SourcedText] = field(default_factory=list)
    # What to do besides calling, each said once however many tables name it.
    advice: list[SourcedText] = field(default_factory=list)
    hours_not_covered: list[DaySpan] = field(default_factory=list)
    sending_domains: list[DomainEntry] = field(default_factory=list)
    link_domains: list[DomainEntry] = field(default_factory=list)
    not_official: list[NotOfficial] = field(default_factory=list)

    def _consistent(self) -> None:
        """Every id a table or an entry names is defined, and defined once; each problem is said
        where the name is written."""
        known = {"source": {s.id for s in self.sources}, "schedule": {s.id for s in self.schedules},
                 "card": {c.id for c in self.cards} | {"*"}, "advice": {a.id for a in self.advice if a.id}}
        problems: list[Problem] = []

        def need(kind: str, value: str, *where: str | int) -> None:
            if value not in known[kind]:
                problems.append(Problem(where=where, what=both("record.unknown_ref", kind=kind,
                                                               value=shortened(value, 60))))

        for t, table in enumerate(self.tables):
            for a, each in enumerate(table.advice):
                need("advice", each, "tables", t, "advice", a)
            need("schedule", table.schedule, "tables", t, "schedule")
            need("source", table.source, "tables", t, "source")
            for c, card in enumerate(table.cards or []):
                need("card", card, "tables", t, "cards", c)
            for r, row in enumerate(table.rows):
                if row.card is not None:
                    need("card", row.card, "tables", t, "rows", r, "card")
        for name in ("online_routes", "phishing_report", "sending_domains", "link_domains", "cancellation_caveats",
                     "advice", "hours_not_covered"):
            for i, item in enumerate(getattr(self, name)):
                need("source", item.source, name, i, "source")
        if self.prepare:
            for group in ("before_call", "no_connect", "why_they_call"):
                for i, item in enumerate(getattr(self.prepare, group)):
                    need("source", item.source, "prepare", group, i, "source")
        problems += [Problem(where=("advice", i, "id"), what=both("error.field_missing"))
                     for i, item in enumerate(self.advice) if not item.id]
        for name in ("sources", "cards", "schedules", "advice"):
            seen: set[str] = set()
            for i, item in enumerate(getattr(self, name)):
                if item.id is None:
                    continue  # an advice without an id is said above
                if item.id in seen:
                    problems.append(Problem(where=(name, i, "id"), what=both("record.duplicate_id",
                                                                            value=shortened(item.id, 60))))
                seen.add(item.id)
        if problems:
            raise Unreadable(problems)
