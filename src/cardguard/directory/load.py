"""Loading the shipped issuer files, issuer files the user added, and the user's own overrides.

A malformed file is refused whole with the file, the line and the field named: a card holder who
typed the number from the back of their card must learn at once that it was not taken.

The directory is facts: nothing here depends on the reader's language (errors carry both), and a
process loads it once, again only when a user file changed (a mailbox scan asks per message).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import field
from datetime import date, time
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from cardguard import paths
from cardguard.directory.hours import holiday_calendar
from cardguard.directory.schema import (
    Card,
    IssuerFile,
    PhoneNumber,
    Purpose,
    Schedule,
    Source,
)
from cardguard.errors import UserError, os_reason

# Errors name their problem in both languages (a Text): the reader's is not known here.
from cardguard.i18n import Text, both, t
from cardguard.records import Matches, NotEmpty, Unreadable, read
from cardguard.shortened import shortened
from cardguard.values import record, replace
from cardguard.when import known_zone


@record
class Issuer:
    data: IssuerFile
    path: str
    tz: ZoneInfo
    sources: dict[str, Source]
    schedules: dict[str, Schedule]
    cards: dict[str, Card]

    @property
    def id(self) -> str:
        return self.data.issuer.id

    @property
    def home_country(self) -> str:
        # The calendar the issuer keeps is its country's: a holder elsewhere is abroad.
        return self.data.issuer.holidays

    def is_holiday(self, day: date) -> bool:
        return day in holiday_calendar(self.data.issuer.holidays)

    def not_covered(self, day: date) -> bool:
        return any(span.covers(day) for span in self.data.hours_not_covered)

    def known_as(self, given: str) -> bool:
        from cardguard.directory.lookup import normalize

        wanted = normalize(given)
        return bool(wanted) and wanted in {normalize(n) for n in (self.id, self.data.issuer.name.ja,
                                                                 self.data.issuer.name.en, *self.data.issuer.brand_words)}


@record
class OverrideLine:
    """A line the user corrected or added, such as the number printed on the back of their card."""

    # Which issuer: said here, or known from the card's name; never assumed.
    issuer: str | None = None
    card: str = "*"
    purpose: Purpose
    number: PhoneNumber
    kind: Literal["phone", "fax"] = "phone"
    toll_free: bool | None = None
    schedule: str | None = None
    countries: list[Annotated[str, Matches(r"[A-Z]{2}")]] = field(default_factory=list)  # ISO codes: US, FR
    note: str | None = None
    source: Annotated[str, NotEmpty()]
    as_of: date


@record
class OverridesFile:
    line: list[OverrideLine] = field(default_factory=list)


@record
class Directory:
    issuers: dict[str, Issuer]
    overrides: list[OverrideLine] = field(default_factory=list)
    overrides_path: str | None = None

    def issuer(self, issuer_id: str) -> Issuer:
        found = self.find_issuer(issuer_id)
        if found is None:
            raise UserError("error.unknown_issuer", given=issuer_id, choices=", ".join(sorted(self.issuers)))
        return found

    def find_issuer(self, given: str | None) -> Issuer | None:
        """The issuer a card's record or a holder names (its id, its name, or a brand word such as
        "amex"); None when the directory has no data for it."""
        if not given:
            return None
        if given in self.issuers:
            return self.issuers[given]
        return next((each for each in self.issuers.values() if each.known_as(given)), None)


def _locate(text: str, loc: tuple) -> tuple[int, str]:
    """The line number of ``loc`` (a record's Problem.where) in a TOML file: the key inside the
    n-th ``[[table]]`` (or the ``[table]``), else the table's header, else a top-level key."""
    lines = text.splitlines()
    names = [str(p) for p in loc if not isinstance(p, int)]
    indexes = [p for p in loc if isinstance(p, int)]
    if not names:
        return 1, "?"
    table, fieldname = names[0], names[-1]
    header = re.compile(rf"^\s*\[\[?\s*{re.escape(table)}\s*\]\]?\s*(#.*)?$")
    key = re.compile(rf"^\s*{re.escape(fieldname)}\s*=")
    wanted = indexes[0] if indexes else 0
    seen = -1
    for start, line in enumerate(lines):
        if header.match(line):
            seen += 1
            if seen == wanted:
                for number in range(start + 1, len(lines)):
                    if lines[number].lstrip().startswith("["):
                        break
                    if key.match(lines[number]):
                        return number + 1, fieldname
                return start + 1, fieldname
    for number, line in enumerate(lines):
        if key.match(line):
            return number + 1, fieldname
    return 1, fieldname


def _parse_toml(path: Path) -> tuple[dict, str]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise UserError("error.file_not_utf8", file=str(path)) from None
    except OSError as exc:
        raise UserError("error.file_unreadable", file=str(path), **os_reason(exc)) from None
    try:
        return tomllib.loads(text), text
    except RecursionError:
        raise UserError("error.file_invalid", file=str(path), line="?", field="-",
                        problem=both("record.too_deep")) from None
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        said = str(exc).split(" (at ")[0]
        # What the holder most likely wrote, in their language; the parser's own words (English) stay
        # in the English message, where they help.
        hint = next((key for start, key in _TOML_HINTS if said.startswith(start)), None)
        problem = both("error.toml_syntax", detail=str(exc))
        if hint:
            problem = Text(ja=t("error.toml_syntax", "ja", detail=t(hint, "ja")),
                           en=t("error.toml_syntax", "en", detail=f"{t(hint, 'en')}: {exc}"))
        raise UserError("error.file_invalid", file=str(path), line=found.group(1) if found else "?", field="-",
                        problem=problem) from None


# tomllib's messages (Python 3.11-3.14) and what a holder most likely wrote to get them.
_TOML_HINTS = (
    ("Invalid value", "record.toml_value"),
    ("Expected newline or end of document", "record.toml_after_value"),
    ("Invalid date or datetime", "record.toml_date"),
    ("Unterminated string", "record.toml_quote"),
    ("Invalid statement", "record.toml_statement"),
    ("Invalid initial character for a key part", "record.toml_statement"),
    ("Cannot overwrite a value", "record.toml_twice"),
    ("Cannot declare", "record.toml_twice"),
)


# Problems listed past the first: each is looked for in the whole file, and a holder fixes a few
# at a time anyway.
MAX_DETAILS = 20


def _validation_error(path: Path, text: str, exc: Unreadable) -> UserError:
    first, *others = exc.problems
    line, fieldname = _locate(text, first.where)
    details = []
    for problem in others[:MAX_DETAILS]:
        other_line, other_field = _locate(text, problem.where)
        # Details are plain lines; a problem in both languages shows both.
        what = problem.what
        shown = f"{what.ja} / {what.en}" if isinstance(what, Text) else what
        details.append(f"{path}:{other_line}: {shortened(other_field, 60)}: {shown}")
    if len(others) > MAX_DETAILS:
        more = both("record.more_problems", count=len(others) - MAX_DETAILS)
        details.append(f"{more.ja} / {more.en}")
    return UserError("error.file_invalid", details=details, file=str(path), line=line,
                     field=shortened(fieldname, 60), problem=first.what)


def _issuer_from(raw: dict, text: str, path: Path) -> Issuer:
    try:
        data = read(IssuerFile, raw)
    except Unreadable as exc:
        raise _validation_error(path, text, exc) from None
    tz = known_zone(data.issuer.timezone)
    if tz is None:
        raise UserError("error.file_invalid", file=str(path), line=_locate(text, ("issuer", "timezone"))[0],
                        field="timezone", problem=data.issuer.timezone)
    return Issuer(
        data=data, path=str(path), tz=tz,
        sources={s.id: s for s in data.sources},
        schedules={s.id: s for s in data.schedules},
        cards={c.id: c for c in data.cards},
    )


def _shipped_files() -> list[tuple[str, str]]:
    # Beside this module, not through importlib.resources (~3 ms to import, with zipfile):
    # cardguard is installed as files, never run from a zip.
    folder = Path(__file__).parent / "data"
    return sorted((entry.name, entry.read_text(encoding="utf-8")) for entry in folder.iterdir()
                  if entry.name.endswith(".toml"))


def _as_json(value: object) -> object:
    """A parsed TOML value as JSON holds it: a date or a time as the ISO text a record reads back."""
    if isinstance(value, dict):
        return {key: _as_json(each) for key, each in value.items()}
    if isinstance(value, list):
        return [_as_json(each) for each in value]
    if isinstance(value, date | time):
        return value.isoformat()
    return value


def load_overrides(path: Path, issuers: dict[str, Issuer]) -> list[OverrideLine]:
    raw, text = _parse_toml(path)
    try:
        parsed = read(OverridesFile, raw)
    except Unreadable as exc:
        raise _validation_error(path, text, exc) from None
    from cardguard.directory.lookup import (  # the card names live with the lookup
        resolve_card,
        resolve_product,
    )

    checked: list[OverrideLine] = []
    for index, entry in enumerate(parsed.line):
        def refuse(fieldname: str, problem: str, details: list | None = None) -> UserError:
            line, _ = _locate(text, ("line", index, fieldname))
            return UserError("error.file_invalid", file=str(path), line=line, field=fieldname, problem=problem,
                             details=details)

        def in_both(error: UserError) -> Text:
            return Text(ja=error.message("ja"), en=error.message("en"))

        card = entry.card
        if entry.issuer is not None:
            issuer = Directory(issuers).find_issuer(entry.issuer)
            if issuer is None:
                raise refuse("issuer", both("error.unknown_issuer", given=entry.issuer, choices=", ".join(sorted(issuers))))
            if card != "*":
                try:
                    card = resolve_card(issuer, card)
                except UserError as exc:
                    raise refuse("card", in_both(exc), exc.details) from None
        elif card != "*":
            # The card's name says whose it is; a name that fits several issuers' cards is asked about.
            try:
                issuer, card = resolve_product(Directory(issuers), card)
            except UserError as exc:
                raise refuse("card", in_both(exc), exc.details) from None
        else:
            raise refuse("issuer", both("error.override_needs_issuer", choices=", ".join(sorted(issuers))))
        if entry.schedule is not None and entry.schedule not in issuer.schedules:
            raise refuse("schedule", both("error.field_choices", choices=", ".join(issuer.schedules)))
        # The very rule the lookup replaces lines by (purpose, card and countries).
        from cardguard.directory.lookup import _directory_lines, _same_slot

        if entry.schedule is None and not any(_same_slot(line, replace(entry, card=card))
                                              for line in _directory_lines(issuer)):
            # No directory line to take the hours from, and hours are never guessed.
            raise refuse("schedule", both("error.override_needs_schedule", choices=", ".join(issuer.schedules)))
        checked.append(replace(entry, card=card, issuer=issuer.id))
    return checked


@lru_cache(maxsize=1)
def _shipped() -> tuple[Issuer, ...]:
    """The issuer files cardguard ships. Parsing their TOML costs ~4 ms of every check's start-up;
    the copy (cardguard.rebuilt), written only once they were read without a problem, is JSON and
    reads in ~1 ms. It is read as strictly as the files: a copy that does not read is not used."""
    from cardguard.rebuilt import derived

    files = _shipped_files()

    def from_the_files() -> list:
        parsed = [tomllib.loads(text) for _, text in files]
        for (name, text), raw in zip(files, parsed, strict=True):
            _issuer_from(raw, text, Path(name))  # a shipped file with a problem is never copied
        return [_as_json(raw) for raw in parsed]

    copied = derived("issuers", [(name, text.encode()) for name, text in files], from_the_files,
                     lambda copy: isinstance(copy, list) and len(copy) == len(files))
    try:
        return tuple(_issuer_from(raw, text, Path(name)) for (name, text), raw in zip(files, copied, strict=True))
    except UserError:
        return tuple(_issuer_from(tomllib.loads(text), text, Path(name)) for name, text in files)


def _stamp(path: Path) -> tuple:
    try:
        info = path.stat()
    except OSError:
        return (str(path), None)
    return (str(path), info.st_mtime_ns, info.st_size)


def _user_files_stamp() -> tuple:
    """What the user's files are right now: a changed, added or removed file loads anew."""
    extra = paths.user_issuers_dir()
    found = sorted(extra.glob("*.toml")) if extra.is_dir() else []
    return (str(extra), tuple(_stamp(p) for p in found), _stamp(paths.overrides_file()))


@lru_cache(maxsize=4)
def _load(stamp: tuple | None) -> Directory:
    issuers: dict[str, Issuer] = {issuer.id: issuer for issuer in _shipped()}
    if stamp is None:
        return Directory(issuers=issuers)
    extra = paths.user_issuers_dir()
    if extra.is_dir():
        for path in sorted(extra.glob("*.toml")):
            raw, text = _parse_toml(path)
            issuer = _issuer_from(raw, text, path)
            issuers[issuer.id] = issuer  # a user's file of the same issuer replaces the shipped one
    overrides_path = paths.overrides_file()
    overrides = load_overrides(overrides_path, issuers) if overrides_path.is_file() else []
    return Directory(issuers=issuers, overrides=overrides, overrides_path=str(overrides_path))


def load_directory(_ignored_lang: object = None, *, with_user_files: bool = True) -> Directory:
    """The directory, loaded once per process and again only when a user file changed.

    The first parameter is accepted and ignored (the directory has no language) until every caller
    stops passing one; wording happens where the answer is shown."""
    return _load(_user_files_stamp() if with_user_files else None)
