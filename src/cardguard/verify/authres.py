"""Authentication-Results headers (RFC 8601), read with the `authres` parser (quoted strings and
comments as the grammar has them). Anyone can write one, so only the header a receiver the user
named as trusted stamped itself is believed: the one with its authserv-id inside its own block of
headers at the top (see receiver.py). RFC 8601 §5 has receivers remove headers carrying their own id
from incoming mail, so a second header with that id, or one below the receiver's block, was written
by somebody else: that is tampering, and then no header is believed at all."""

from __future__ import annotations

import re
from dataclasses import field

import authres as authres_parser

from cardguard.values import record
from cardguard.verify import receiver

_LEADING_ID = re.compile(r"^\s*(?:\([^)]*\)\s*)*([^\s;()]+)")


@record(mutable=True)
class Results:
    authserv_id: str
    methods: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)  # (method, result, properties)

    def first(self, method: str) -> tuple[str, dict[str, str]] | None:
        for name, result, props in self.methods:
            if name == method:
                return result, props
        return None

    def all(self, method: str) -> list[tuple[str, dict[str, str]]]:
        return [(result, props) for name, result, props in self.methods if name == method]


@record(mutable=True)
class Reading:
    """What the Authentication-Results headers of a mail say, as far as the user's trust goes."""

    trusted: Results | None = None
    tampered: str | None = None  # why no header is believed: "duplicate", "below", "unplaced", "unreadable"
    receiver: str | None = None  # the trusted id the tampering was found for
    ignored: int = 0  # headers from receivers the user did not name


def parse(value: str) -> Results | None:
    try:
        header = authres_parser.AuthenticationResultsHeader.parse_value(value)
    except Exception:  # noqa: BLE001 - the parser raises its own SyntaxError and others on hostile text
        return None
    results = Results(str(header.authserv_id).lower())
    for result in header.results:
        props = {f"{p.type}.{p.name}".lower(): str(p.value).strip('"').lower() for p in result.properties
                 if p.type and p.name and p.value is not None}
        results.methods.append((str(result.method).lower(), str(result.result).lower(), props))
    return results


def leading_id(value: str) -> str:
    """The authserv-id a header shows first, even when the rest of it does not parse."""
    found = _LEADING_ID.match(value)
    return found.group(1).lower().strip('"') if found else ""


def read(headers: list[tuple[str, str]], trusted_ids: list[str]) -> Reading:
    wanted = {i.strip().lower() for i in trusted_ids if i.strip()}
    end = receiver.block_end(headers, trusted_ids) if wanted else 0
    trace_end = receiver.trace_end(headers, trusted_ids) if wanted else 0
    reading = Reading()
    mine: list[tuple[int, Results | None, str]] = []
    for index, (name, value) in enumerate(headers):
        if name.lower() != "authentication-results":
            continue
        if not wanted:
            reading.ignored += 1  # no receiver is trusted: whose header it is changes nothing
            continue
        parsed = parse(value)
        ident = parsed.authserv_id if parsed else leading_id(value)
        if ident in wanted:
            mine.append((index, parsed, ident))
        else:
            reading.ignored += 1
    if not mine:
        return reading
    index, parsed, ident = mine[0]
    if len(mine) > 1:
        reading.tampered, reading.receiver = "duplicate", ident
    elif end <= index < trace_end:
        # Among the trace stamps just below the entry line, where this receiver is not known to
        # write: its own stamp or the sender's first header. Not believed, and not called forged.
        reading.tampered, reading.receiver = "unplaced", ident
    elif index >= end:
        reading.tampered, reading.receiver = "below", ident
    elif parsed is None:
        reading.tampered, reading.receiver = "unreadable", ident
    else:
        reading.trusted = parsed
    return reading
