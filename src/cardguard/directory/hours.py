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
    # The source's hours say nothing about today (年末年始): neither open nor closed is promised.
    not_covered_today: bool = False
    # opens_at skips days the source says nothing about: the line may answer earlier.
    not_covered_before_opening: bool = False


@cache
def holiday_calendar(country: str):
    # Imported on first use: the package loads every country's calendar, which commands that
    # never ask about opening hours should not pay for.
    import holidays

    # Years are filled in on demand; substitute (振替休日) and national (国民の休日) holidays included.
    return holidays.country_holidays(country)


def holiday_name(country: str, day: date, lang: str) -> str | None:
    return _named_holidays(country, day.year, "ja" if lang == "ja" else "en_US").get(day)


@cache
def _named_holidays(country: str, year: int, language: str):
    # Building a year's calendar costs milliseconds; a mailbox scan asks per message.
    import holidays

    return holidays.country_holidays(country, years=year, language=language)


def is_open_day(schedule: Schedule, day: date, is_holiday: Callable[[date], bool]) -> bool:
    if WEEKDAYS[day.weekday()] in schedule.closed_weekdays:
        return False
    return not (schedule.closed_on_public_holidays and is_holiday(day))


def status_at(schedule: Schedule, at: datetime, tz: ZoneInfo, is_holiday: Callable[[date], bool],
              not_covered: Callable[[date], bool] | None = None) -> LineStatus:
    """The line's status at ``at`` (any offset; read in the line's own zone ``tz``). ``not_covered``
    names the days the source's office hours do not speak about; a line open around the clock
    ("年中無休") covers them by its own words."""
    if at.tzinfo is None:
        raise ValueError("a moment without a time zone is ambiguous")
    if schedule.unknown:
        return LineStatus(open_now=None, always_open=False, opens_at=None, closes_at=None)
    if schedule.always_open:
        return LineStatus(open_now=True, always_open=True, opens_at=None, closes_at=None)
    assert schedule.opens is not None and schedule.closes is not None
    local = at.astimezone(tz)
    today = local.date()
    silent = not_covered or (lambda day: False)

    def at_time(day: date, which) -> datetime:
        return datetime.combine(day, which, tzinfo=tz)

    if silent(today):
        following = _next_opening(schedule, today, tz, is_holiday, silent)
        return LineStatus(open_now=None, always_open=False, opens_at=following, closes_at=None, not_covered_today=True,
                          not_covered_before_opening=following is not None)
    if is_open_day(schedule, today, is_holiday):
        opens, closes = at_time(today, schedule.opens), at_time(today, schedule.closes)
        if opens <= local < closes:
            return LineStatus(open_now=True, always_open=False, opens_at=None, closes_at=closes)
        if local < opens:
            return LineStatus(open_now=False, always_open=False, opens_at=opens, closes_at=None)
    following = _next_opening(schedule, today, tz, is_holiday, silent)
    skipped = following is not None and any(silent(today + timedelta(days=n))
                                            for n in range(1, (following.date() - today).days))
    return LineStatus(open_now=False, always_open=False, opens_at=following, closes_at=None,
                      not_covered_before_opening=skipped)


def _next_opening(schedule: Schedule, today: date, tz: ZoneInfo, is_holiday: Callable[[date], bool],
                  silent: Callable[[date], bool]) -> datetime | None:
    """The first opening after ``today`` on a day the source speaks about."""
    for offset in range(1, _SEARCH_DAYS + 1):
        day = today + timedelta(days=offset)
        if not silent(day) and is_open_day(schedule, day, is_holiday):
            return datetime.combine(day, schedule.opens, tzinfo=tz)  # type: ignore[arg-type]
    return None
