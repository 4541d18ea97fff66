"""Records a person writes in TOML (an issuer file, the holder's overrides and settings, a recovery
plan), read into records (`cardguard.values.record`: frozen value classes) and checked against the
records' own annotations.

``read(Kind, raw)`` checks every value, collects every problem with where it is (a path of table
names and row numbers, which directory/load.py turns into a line of the file) and what is wrong in
both languages, and returns the record only when nothing is wrong. A value is never changed to fit:
a number where text belongs is a problem, not text.

Pydantic did this before. Its import and its model classes cost ~190 ms of the start-up of every
command that reads the directory (`check`, `contacts`), for a few dozen small records; this reads
the same files in a few milliseconds.
"""

from __future__ import annotations

import re
import types
from collections.abc import Callable
from dataclasses import MISSING
from datetime import date, datetime, time
from typing import Annotated, Any, Literal, Union, get_args, get_origin, get_type_hints

from cardguard.i18n import Text, both
from cardguard.shortened import shortened
from cardguard.values import record


def _fields_of(kind: type) -> tuple[tuple[str, object, object], ...] | None:
    """A record's fields (name, default, factory); None for any other class."""
    return kind.__dict__.get("__record_fields__")


class Matches:
    """Annotated[str, Matches(r"[a-z]+")]: the whole value matches the pattern."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern


class NotEmpty:
    """Annotated[str, NotEmpty()]: at least one character."""


class Check:
    """Annotated[str, Check(fn)]: ``fn`` returns the value as kept (a domain lower-cased) or raises
    ValueError with what is wrong (a Text, or a plain sentence)."""

    def __init__(self, keep: Callable[[Any], Any]) -> None:
        self.keep = keep


@record
class Problem:
    where: tuple[str | int, ...]
    what: Text | str


class Unreadable(ValueError):
    """What is wrong with a record, every problem in the order of the fields."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"{'.'.join(map(str, p.where)) or '-'}: {p.what}" for p in problems))
        self.problems = problems


def read(kind: type, raw: object):
    """``raw`` (as tomllib gives it) as a ``kind``; Unreadable when anything is wrong."""
    problems: list[Problem] = []
    made = _reader(kind)(raw, (), problems)
    if problems:
        raise Unreadable(problems)
    return made


_BAD = object()  # a value that did not read; its problem is already noted
_READERS: dict[object, Callable] = {}

Reader = Callable[[object, tuple, list], object]


def _reader(kind: object) -> Reader:
    try:
        return _READERS[kind]
    except KeyError:
        pass
    except TypeError:  # an annotation that cannot be a key is built each time
        return _build(kind)
    _READERS[kind] = made = _build(kind)
    return made


def _simple(accepts: Callable[[object], bool], key: str, **values: object) -> Reader:
    def read_one(value, where, problems):
        if accepts(value):
            return value
        problems.append(Problem(where=where, what=both(key, **values)))
        return _BAD
    return read_one


def _build(kind: object) -> Reader:
    origin = get_origin(kind)
    if origin is Annotated:
        base, *rules = get_args(kind)
        return _with_rules(_reader(base), rules)
    if origin in (Union, types.UnionType):
        options = [arg for arg in get_args(kind) if arg is not type(None)]
        if len(options) != 1:
            raise TypeError(f"only X | None is supported, not {kind!r}")
        inner = _reader(options[0])
        return lambda value, where, problems: None if value is None else inner(value, where, problems)
    if origin is Literal:
        return _choice(get_args(kind))
    if origin is list:
        (item_kind,) = get_args(kind)
        return _list(_reader(item_kind))
    if origin is dict:
        key_kind, value_kind = get_args(kind)
        if key_kind is not str:
            raise TypeError(f"only str keys are supported, not {kind!r}")
        return _table(_reader(value_kind))
    if kind is str:
        return _simple(lambda v: isinstance(v, str), "record.text")
    if kind is bool:
        return _simple(lambda v: isinstance(v, bool), "record.true_false")
    if kind is int:
        return _simple(lambda v: isinstance(v, int) and not isinstance(v, bool), "record.integer")
    if kind is date:
        return _written_as(date, r"[0-9]{4}-[0-9]{2}-[0-9]{2}", "error.field_date")
    if kind is time:
        return _written_as(time, r"[0-9]{2}:[0-9]{2}(:[0-9]{2})?", "record.time")
    if kind is Any:
        return lambda value, where, problems: value
    if isinstance(kind, type) and _fields_of(kind) is not None:
        return _record(kind)
    raise TypeError(f"no reader for {kind!r}")


def _with_rules(base: Reader, rules: list) -> Reader:
    def read_one(value, where, problems):
        value = base(value, where, problems)
        if value is _BAD:
            return value
        for rule in rules:
            if isinstance(rule, Matches):
                if re.fullmatch(rule.pattern, value) is None:
                    problems.append(Problem(where=where, what=both("record.pattern", value=shortened(value, 60))))
                    return _BAD
            elif isinstance(rule, NotEmpty):
                if not value:
                    problems.append(Problem(where=where, what=both("record.empty")))
                    return _BAD
            elif isinstance(rule, Check):
                try:
                    value = rule.keep(value)
                except ValueError as exc:
                    said = exc.args[0] if exc.args else ""
                    problems.append(Problem(where=where, what=said if isinstance(said, Text) else str(exc)))
                    return _BAD
        return value

    # An unknown rule would be a promise nobody keeps: refused when the record kind is first read.
    for rule in rules:
        if not isinstance(rule, Matches | NotEmpty | Check):
            raise TypeError(f"unknown rule {rule!r}")
    return read_one


def _choice(choices: tuple) -> Reader:
    shown = ", ".join(str(choice) for choice in choices)

    def read_one(value, where, problems):
        # `True == 1`: a choice must be the very kind of value it is written as.
        if any(value == choice and type(value) is type(choice) for choice in choices):
            return value
        problems.append(Problem(where=where, what=both("error.field_choices", choices=shown)))
        return _BAD
    return read_one


def _list(item: Reader) -> Reader:
    return _many(item, list, "record.list", enumerate, lambda made: [value for _, value in made])


def _table(item: Reader) -> Reader:
    return _many(item, dict, "record.table", dict.items, dict)


def _many(item: Reader, kind: type, wrong: str, entries: Callable, build: Callable) -> Reader:
    """A list or a table of ``item``s: each read where it stands (its index or key)."""
    def read_one(value, where, problems):
        if not isinstance(value, kind):
            problems.append(Problem(where=where, what=both(wrong)))
            return _BAD
        made = [(at, item(each, (*where, at), problems)) for at, each in entries(value)]
        return _BAD if any(each is _BAD for _, each in made) else build(made)
    return read_one


def _written_as(kind: type, pattern: str, key: str) -> Reader:
    written = re.compile(pattern)

    def read_one(value, where, problems):
        # tomllib gives a date or a time for a bare TOML value; a quoted one is read the same.
        if isinstance(value, kind) and not isinstance(value, datetime):
            return value
        if isinstance(value, str) and written.fullmatch(value):
            try:
                return kind.fromisoformat(value)
            except ValueError:
                pass
        problems.append(Problem(where=where, what=both(key)))
        return _BAD
    return read_one


def _record(kind: type) -> Reader:
    hints = get_type_hints(kind, include_extras=True)
    known = [(name, default is MISSING and factory is MISSING) for name, default, factory in _fields_of(kind)]
    names = {name for name, _ in known}
    readers: dict[str, Reader] = {}
    # A record's rule across its fields (opening before closing): a method `_consistent` that
    # raises ValueError, or Unreadable with each problem where it is inside the record.
    consistent = getattr(kind, "_consistent", None)

    def read_one(value, where, problems):
        if not isinstance(value, dict):
            problems.append(Problem(where=where, what=both("record.table")))
            return _BAD
        given: dict[str, object] = {}
        fine = True
        for name, required in known:
            if name in value:
                if name not in readers:  # read lazily: a record may name itself (a tree of rows)
                    readers[name] = _reader(hints[name])
                got = readers[name](value[name], (*where, name), problems)
                fine = fine and got is not _BAD
                given[name] = got
            elif required:
                problems.append(Problem(where=(*where, name), what=both("error.field_missing")))
                fine = False
        for name in value:
            if name not in names:
                problems.append(Problem(where=(*where, name), what=both("error.field_unknown")))
                fine = False
        if not fine:
            return _BAD
        made = kind(**given)
        if consistent is not None:
            try:
                consistent(made)
            except Unreadable as exc:  # problems said where they are written inside the record
                problems.extend(Problem(where=(*where, *each.where), what=each.what) for each in exc.problems)
                return _BAD
            except ValueError as exc:
                said = exc.args[0] if exc.args else ""
                problems.append(Problem(where=where, what=said if isinstance(said, Text) else str(exc)))
                return _BAD
        return made

    return read_one
