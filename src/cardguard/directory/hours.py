"""Is a line open at a given moment, and if not, when does it open?

Pure functions: the moment, the zone and the holiday calendar come in as values, so "Friday night
before a three-day weekend" is a test, not a wait.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from cardguard.directory.schema import WEEKDAYS, Schedule
from cardguard.values import record

# Far enough to cross the longest run of closed days (Golden Week plus weekends), short enough
# that a schedule closed every day cannot loop forever.
_SEARCH_DAYS = 31


@record
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


def known_calendar(country: str) -> bool:
    """Whether the public holidays of ``country`` (an ISO code such as JP) can be told: shipped with
    cardguard, or known to the holidays package (asked only for a country not shipped)."""
    import re
    from pathlib import Path

    if not re.fullmatch(r"[A-Z]{2}", country):
        return False
    if (Path(__file__).parent / "holidays" / f"{country}.json").is_file():
        return True
    from holidays.registry import COUNTRIES

    return any(country in names for names in COUNTRIES.values())


@cache
def _shipped(country: str) -> tuple[range, dict[date, tuple[str, str]]] | None:
    """The holidays package's dates and names for ``country``, precomputed for the years around now
    (``holidays/<country>.json``): importing the package costs 60-100 ms of every command that
    says whether a line is open. A test holds the file equal to the package; regenerate it with
    ``write_holidays()`` after upgrading `holidays`."""
    import json
    from importlib import resources

    shipped = resources.files("cardguard.directory").joinpath("holidays", f"{country.upper()}.json")
    if not shipped.is_file():
        return None
    data = json.loads(shipped.read_text(encoding="utf-8"))
    return (range(data["first_year"], data["last_year"] + 1),
            {date.fromisoformat(day): (ja, en) for day, (ja, en) in data["holidays"].items()})


@cache
def _package_calendar(country: str):
    # Years are filled in on demand; substitute (振替休日) and national (国民の休日) holidays included.
    return _calendar_class(country)()


class _Holidays:
    """``day in calendar``: the shipped table within its years, the holidays package beyond them."""

    def __init__(self, country: str) -> None:
        self.country = country

    def __contains__(self, day: date) -> bool:
        day = day.date() if isinstance(day, datetime) else day
        shipped = _shipped(self.country)
        if shipped and day.year in shipped[0]:
            return day in shipped[1]
        return day in _package_calendar(self.country)


@cache
def holiday_calendar(country: str) -> _Holidays:
    return _Holidays(country)


def holiday_name(country: str, day: date, lang: str) -> str | None:
    day = day.date() if isinstance(day, datetime) else day
    shipped = _shipped(country)
    if shipped and day.year in shipped[0]:
        names = shipped[1].get(day)
        return names[0 if lang == "ja" else 1] if names else None
    names = _calendar_class(country)(years=day.year, language="ja" if lang == "ja" else "en_US")
    return names.get(day)


def write_holidays(country: str = "JP", years: range = range(2020, 2041)) -> None:
    import json
    from pathlib import Path

    ja = _calendar_class(country)(years=years, language="ja")
    en = _calendar_class(country)(years=years, language="en_US")
    import holidays

    data = {"source": f"the holidays package {holidays.__version__} (country_holidays({country!r}), "
                      "languages ja and en_US); regenerate with cardguard.directory.hours.write_holidays()",
            "first_year": years.start, "last_year": years.stop - 1,
            "holidays": {day.isoformat(): [ja[day], en[day]] for day in sorted(ja)}}
    target = Path(__file__).with_name("holidays") / f"{country.upper()}.json"
    target.parent.mkdir(exist_ok=True)
    days = ",\n".join(f"{json.dumps(day)}: {json.dumps(names, ensure_ascii=False)}"
                      for day, names in data.pop("holidays").items())
    head = json.dumps(data, ensure_ascii=False, indent=0)[:-2]
    target.write_text(f'{head},\n"holidays": {{\n{days}\n}}\n}}\n', encoding="utf-8")


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
