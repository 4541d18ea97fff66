"""Reading a moment the user typed: ISO 8601, with an offset or read in a given zone."""

from __future__ import annotations

import os
import re
from contextvars import ContextVar
from datetime import datetime, timezone, tzinfo
from zoneinfo import ZoneInfo

from cardguard.errors import UserError
from cardguard.shortened import shortened

# The zone a front end has decided the holder reads times in (the web: per request); None: decide here.
HOLDER_ZONE: ContextVar[tzinfo | None] = ContextVar("holder_zone", default=None)


_ZONE_KEY = re.compile(r"[A-Za-z0-9_+-]+(?:/[A-Za-z0-9_+-]+)*")
# Files of the zone database that are no place's time: "Factory" shows "-00", "posixrules" and
# "localtime" are whatever the system was set to, "posix/" and "right/" are copies of the tree.
_NOT_ZONES = frozenset({"Factory", "posixrules", "localtime", "posix", "right"})


def known_zone(name: str) -> tzinfo | None:
    """The IANA zone ``name``, or None when it is none. ZoneInfo reads any file under the zone
    database and raises more than the two errors it documents: "America" (a folder) raised
    IsADirectoryError, which made every web page a 500. (Asking the database for its list of names
    instead costs 110 ms, at every start.)"""
    name = name.strip()
    if not _ZONE_KEY.fullmatch(name) or name.split("/")[0] in _NOT_ZONES:
        return None
    try:
        return ZoneInfo(name)
    except Exception:  # noqa: BLE001 - ValueError, ZoneInfoNotFoundError, any OSError reading the file
        return None


def zone_named(name: str) -> tzinfo:
    """An IANA zone the user named (CARDGUARD_TZ, config): unknown is an error, never a silent UTC."""
    zone = known_zone(name)
    if zone is None:
        raise UserError("error.bad_tz", given=shortened(name, 60))
    return zone


def holder_zone(*, browser_zone: str | None = None, page_lang: str | None = None, page: bool = False) -> tzinfo:
    """Where the holder reads times, for every front end: the zone a front end chose for this request,
    else CARDGUARD_TZ, else config.toml's ``tz`` (an unknown name in either is an error, never a silent
    UTC), else the zone the holder's browser sends, else Asia/Tokyo for a Japanese page (a browser
    that sends none), else the TZ variable, else this machine's zone.

    A web ``page`` goes on past a wrong config.toml ``tz``: the call page must answer whatever the
    file says (the CLI names the mistake)."""
    chosen = HOLDER_ZONE.get()
    if chosen is not None:
        return chosen
    if os.environ.get("CARDGUARD_TZ"):
        return zone_named(os.environ["CARDGUARD_TZ"])
    from cardguard.config import configured_zone

    try:
        configured = configured_zone()
    except UserError:
        if not page:
            raise
        configured = None
    if configured is not None:
        return configured
    if browser_zone:
        zone = known_zone(browser_zone[:64])
        if zone is not None:
            return zone  # else a browser's odd zone name is not the holder's mistake: fall through
    if page_lang == "ja":
        return ZoneInfo("Asia/Tokyo")
    zone = known_zone(os.environ["TZ"]) if os.environ.get("TZ") else None
    return zone or datetime.now().astimezone().tzinfo or timezone.utc


def parse_moment(given: str | None, zone: tzinfo) -> datetime:
    """``given`` as an aware datetime (now, if empty); without an offset it is read in ``zone``."""
    if not given:
        return datetime.now(timezone.utc)
    try:
        moment = datetime.fromisoformat(given.strip())
    except ValueError:
        raise UserError("error.bad_time", given=given) from None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=zone)
    # Opening hours look days ahead and time zones shift a moment by hours: near the ends of the
    # calendar Python can hold, neither is possible, and no card company's hours mean anything there.
    if not 1900 <= moment.year <= 2999:
        raise UserError("error.bad_time", given=given)
    return moment
