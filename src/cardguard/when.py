"""Reading a moment the user typed: ISO 8601, with an offset or read in a given zone."""

from __future__ import annotations

from datetime import datetime, timezone, tzinfo

from cardguard.errors import UserError


def parse_moment(given: str | None, zone: tzinfo) -> datetime:
    """``given`` as an aware datetime (now, if empty); without an offset it is read in ``zone``."""
    if not given:
        return datetime.now(timezone.utc)
    try:
        moment = datetime.fromisoformat(given.strip())
    except ValueError:
        raise UserError("error.bad_time", given=given) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)
