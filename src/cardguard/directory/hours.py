"""Is a line open at a given moment, and if not, when does it open?

Pure functions: the moment, the zone and the holiday calendar come in as values, so "Friday night
before a three-day weekend" is a test, not a wait.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from cardguard.directory.schema import WEEKDAYS, Schedule

# Far enough to cross the longest run of closed days (Golden Week plus weekends), short enough
# that a schedule closed every day cannot loop forever.
_SEARCH_DAYS = 31


@dataclass(frozen=True)
class LineStatus:
    open_now: bool | None  # None: hours unknown
    always_open: bool
    opens_at: datetime | None  # next opening, when closed now
    closes_at: datetime | None  # end of the current opening, when open now with office hours


@cache
def _calendar_class(country: str):
    """The holidays package's calendar class for ``country`` (an ISO code such as JP).

    ``import holidays.countries.japan`` would first run ``holidays.countries``, which imports every
    country the package knows (~100 ms); the one country's module is loaded from its file instead.
    It is the package's own code and data, so names and dates are the package's."""
    import importlib.util
    import sys
    from pathlib import Path

    import holidays
    from holidays.registry import COUNTRIES

    for module, names in COUNTRIES.items():
        if country.upper() in names:
            break
    else:
        raise NotImplementedError(f"Country {country} not available")
    loaded = sys.modules.get(f"holidays.countries.{module}")
    if loaded is None:
        path = Path(holidays.__file__).parent / "countries" / f"{module}.py"
        spec = importlib.util.spec_from_file_location(f"cardguard.directory._holidays_{module}", path)
        loaded = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(loaded)
    return getattr(loaded, names[0])


@cache
def holiday_calendar(country: str):
    # Years are filled in on demand; substitute (振替休日) and national (国民の休日) holidays included.
    return _calendar_class(country)()


def holiday_name(country: str, day: date, lang: str) -> str | None:
    names = _calendar_class(country)(years=day.year, language="ja" if lang == "ja" else "en_US")
    return names.get(day)


def is_open_day(schedule: Schedule, day: date, is_holiday: Callable[[date], bool]) -> bool:
    if WEEKDAYS[day.weekday()] in schedule.closed_weekdays:
        return False
    return not (schedule.closed_on_public_holidays and is_holiday(day))


def status_at(schedule: Schedule, at: datetime, tz: ZoneInfo, is_holiday: Callable[[date], bool]) -> LineStatus:
    """The line's status at ``at`` (any offset; read in the line's own zone ``tz``)."""
    if at.tzinfo is None:
        raise ValueError("a moment without a time zone is ambiguous")
    if schedule.unknown:
        return LineStatus(open_now=None, always_open=False, opens_at=None, closes_at=None)
    if schedule.always_open:
        return LineStatus(open_now=True, always_open=True, opens_at=None, closes_at=None)
    assert schedule.opens is not None and schedule.closes is not None
    local = at.astimezone(tz)
    today = local.date()

    def at_time(day: date, which) -> datetime:
        return datetime.combine(day, which, tzinfo=tz)

    if is_open_day(schedule, today, is_holiday):
        opens, closes = at_time(today, schedule.opens), at_time(today, schedule.closes)
        if opens <= local < closes:
            return LineStatus(open_now=True, always_open=False, opens_at=None, closes_at=closes)
        if local < opens:
            return LineStatus(open_now=False, always_open=False, opens_at=opens, closes_at=None)
    for offset in range(1, _SEARCH_DAYS + 1):
        day = today + timedelta(days=offset)
        if is_open_day(schedule, day, is_holiday):
            return LineStatus(open_now=False, always_open=False, opens_at=at_time(day, schedule.opens), closes_at=None)
    return LineStatus(open_now=False, always_open=False, opens_at=None, closes_at=None)
