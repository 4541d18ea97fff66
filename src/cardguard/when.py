"""Reading a moment the user typed: ISO 8601, with an offset or read in a given zone."""

from __future__ import annotations

from contextvars import ContextVar
from datetime import datetime, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cardguard.errors import UserError

# The zone a front end has decided the holder reads times in (the web: per request); None: decide here.
HOLDER_ZONE: ContextVar[tzinfo | None] = ContextVar("holder_zone", default=None)


def zone_named(name: str) -> tzinfo:
    """An IANA zone the user named (CARDGUARD_TZ, config): unknown is an error, never a silent UTC."""
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise UserError("error.bad_tz", given=name[:60]) from None


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
