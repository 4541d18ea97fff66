"""Loading the shipped issuer files, issuer files the user added, and the user's own overrides.

A malformed file is refused whole with the file, the line and the field named: a card holder who
typed the number from the back of their card must learn at once that it was not taken.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError

from cardguard import paths
from cardguard.directory.hours import holiday_calendar
from cardguard.directory.schema import (
    Card,
    IssuerFile,
    PhoneNumber,
    Purpose,
    Schedule,
    Source,
    Strict,
)
from cardguard.errors import UserError
from cardguard.i18n import Lang, t


@dataclass(frozen=True)
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

    def is_holiday(self, day: date) -> bool:
        return day in holiday_calendar(self.data.issuer.holidays)


class OverrideLine(Strict):
    """A line the user corrected or added, such as the number printed on the back of their card."""

    issuer: str = "amex-jp"
    card: str = "*"
    purpose: Purpose
    number: PhoneNumber
    kind: Literal["phone", "fax"] = "phone"
    toll_free: bool | None = None
    schedule: str | None = None
    countries: list[str] = []
    note: str | None = None
    source: str = Field(min_length=1)
    as_of: date


class OverridesFile(Strict):
    line: list[OverrideLine] = []


@dataclass(frozen=True)
class Directory:
    issuers: dict[str, Issuer]
    overrides: list[OverrideLine] = field(default_factory=list)
    overrides_path: str | None = None

    def issuer(self, issuer_id: str) -> Issuer:
        try:
            return self.issuers[issuer_id]
        except KeyError:
            raise UserError("error.unknown_issuer", given=issuer_id, choices=", ".join(sorted(self.issuers))) from None


def _problem(error: dict, lang: Lang) -> str:
    kind = error.get("type", "")
    if kind == "missing":
        return t("error.field_missing", lang)
    if kind == "extra_forbidden":
        return t("error.field_unknown", lang)
    if kind == "literal_error":
        return t("error.field_choices", lang, choices=error.get("ctx", {}).get("expected", ""))
    if kind.startswith("date"):
        return t("error.field_date", lang)
    return str(error.get("msg", kind)).removeprefix("Value error, ")


def _locate(text: str, loc: tuple) -> tuple[int, str]:
    """The line number of ``loc`` (as pydantic reports it) in a TOML file: the key inside the
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


def _parse_toml(path: Path, lang: Lang) -> tuple[dict, str]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise UserError("error.file_not_utf8", file=str(path)) from None
    except OSError as exc:
        raise UserError("error.file_unreadable", file=str(path), reason=exc.strerror or str(exc)) from None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        raise UserError(
            "error.file_invalid", file=str(path), line=found.group(1) if found else "?", field="-",
            problem=t("error.toml_syntax", lang, detail=str(exc)),
        ) from None


def _validation_error(path: Path, text: str, exc: ValidationError, lang: Lang) -> UserError:
    first = exc.errors()[0]
    line, fieldname = _locate(text, tuple(first["loc"]))
    details = []
    for error in exc.errors()[1:]:
        other_line, other_field = _locate(text, tuple(error["loc"]))
        details.append(f"{path}:{other_line}: {other_field}: {_problem(error, lang)}")
    return UserError("error.file_invalid", details=details, file=str(path), line=line, field=fieldname,
                     problem=_problem(first, lang))


def _issuer_from(raw: dict, text: str, path: Path, lang: Lang) -> Issuer:
    try:
        data = IssuerFile.model_validate(raw)
    except ValidationError as exc:
        raise _validation_error(path, text, exc, lang) from None
    try:
        tz = ZoneInfo(data.issuer.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise UserError("error.file_invalid", file=str(path), line=_locate(text, ("issuer", "timezone"))[0],
                        field="timezone", problem=data.issuer.timezone) from None
    return Issuer(
        data=data, path=str(path), tz=tz,
        sources={s.id: s for s in data.sources},
        schedules={s.id: s for s in data.schedules},
        cards={c.id: c for c in data.cards},
    )


def _shipped_files() -> list[tuple[str, str]]:
    folder = resources.files("cardguard.directory").joinpath("data")
    return sorted((entry.name, entry.read_text(encoding="utf-8")) for entry in folder.iterdir()
                  if entry.name.endswith(".toml"))


def _has_slot(issuer: Issuer, purpose: str, card: str) -> bool:
    return any(table.purpose == purpose and (card == "*" or row.card in (card, "*", None))
               for table in issuer.data.tables for row in table.rows)


def load_overrides(path: Path, issuers: dict[str, Issuer], lang: Lang) -> list[OverrideLine]:
    raw, text = _parse_toml(path, lang)
    try:
        parsed = OverridesFile.model_validate(raw)
    except ValidationError as exc:
        raise _validation_error(path, text, exc, lang) from None
    from cardguard.directory.lookup import resolve_card  # the card names live with the lookup

    checked: list[OverrideLine] = []
    for index, entry in enumerate(parsed.line):
        def refuse(fieldname: str, problem: str) -> UserError:
            line, _ = _locate(text, ("line", index, fieldname))
            return UserError("error.file_invalid", file=str(path), line=line, field=fieldname, problem=problem)

        issuer = issuers.get(entry.issuer)
        if issuer is None:
            raise refuse("issuer", t("error.unknown_issuer", lang, given=entry.issuer, choices=", ".join(sorted(issuers))))
        card = entry.card
        if card != "*":
            try:
                card = resolve_card(issuer, card)
            except UserError as exc:
                raise refuse("card", exc.message(lang)) from None
        if entry.schedule is not None and entry.schedule not in issuer.schedules:
            raise refuse("schedule", t("error.field_choices", lang, choices=", ".join(issuer.schedules)))
        if entry.schedule is None and not _has_slot(issuer, entry.purpose, card):
            # No directory line to take the hours from, and hours are never guessed.
            raise refuse("schedule", t("error.override_needs_schedule", lang, choices=", ".join(issuer.schedules)))
        checked.append(entry.model_copy(update={"card": card}))
    return checked


def _user_files_state() -> tuple:
    """Which user files exist and when each last changed: a cached directory is stale once this differs."""
    files = [paths.overrides_file()]
    extra = paths.user_issuers_dir()
    if extra.is_dir():
        files += sorted(extra.glob("*.toml"))
    state = []
    for path in files:
        try:
            info = path.stat()
            state.append((str(path), info.st_mtime_ns, info.st_size))
        except OSError:
            state.append((str(path), None, None))
    return tuple(state)


_LOADED: dict[tuple, Directory] = {}


def load_directory(lang: Lang = "en", *, with_user_files: bool = True) -> Directory:
    """The issuer directory, read and validated once per process (~10 ms each time otherwise: a
    long-running web app or a many-message check asked for it per message) and again whenever a
    user file changes. ``lang`` is the language of the errors a bad file gives."""
    key = (with_user_files, _user_files_state() if with_user_files else ())
    if key not in _LOADED:
        directory = _read_directory(lang, with_user_files=with_user_files)
        if len(_LOADED) > 8:
            _LOADED.clear()
        _LOADED[key] = directory
    return _LOADED[key]


def _read_directory(lang: Lang, *, with_user_files: bool) -> Directory:
    issuers: dict[str, Issuer] = {}
    for name, text in _shipped_files():
        raw = tomllib.loads(text)
        issuer = _issuer_from(raw, text, Path(name), lang)
        issuers[issuer.id] = issuer
    if not with_user_files:
        return Directory(issuers=issuers)
    extra = paths.user_issuers_dir()
    if extra.is_dir():
        for path in sorted(extra.glob("*.toml")):
            raw, text = _parse_toml(path, lang)
            issuer = _issuer_from(raw, text, path, lang)
            issuers[issuer.id] = issuer  # a user's file of the same issuer replaces the shipped one
    overrides_path = paths.overrides_file()
    overrides = load_overrides(overrides_path, issuers, lang) if overrides_path.is_file() else []
    return Directory(issuers=issuers, overrides=overrides, overrides_path=str(overrides_path))
