"""Opening hours, computed in Asia/Tokyo with Japan's public holidays, at the edges that matter."""

from __future__ import annotations

from datetime import datetime

import pytest

from cardguard.directory import load_directory
from cardguard.directory.lookup import find_lines


@pytest.fixture(scope="module")
def directory():
    return load_directory(with_user_files=False)


def status(directory, purpose: str, when: str, card: str = "amex"):
    moment = datetime.fromisoformat(when)
    line = find_lines(directory, card=card, purpose=purpose, at=moment)[0]
    return line.status(moment)


# 2025-11-20 is a Thursday, an ordinary working day.
@pytest.mark.parametrize("purpose, clock, open_now", [
    ("general", "08:59", False), ("general", "09:00", True), ("general", "16:59", True), ("general", "17:00", False),
    ("apply", "08:59", False), ("apply", "09:00", True), ("apply", "20:59", True), ("apply", "21:00", False),
    ("fax", "16:59", True), ("fax", "17:00", False),
])
def test_edges_of_the_working_day(directory, purpose, clock, open_now):
    assert status(directory, purpose, f"2025-11-20T{clock}:00+09:00").open_now is open_now


def test_open_line_says_when_it_closes(directory):
    result = status(directory, "general", "2025-11-20T10:00+09:00")
    assert result.closes_at.isoformat() == "2025-11-20T17:00:00+09:00" and result.opens_at is None


def test_before_opening_it_opens_the_same_day(directory):
    assert status(directory, "general", "2025-11-20T08:59+09:00").opens_at.isoformat() == "2025-11-20T09:00:00+09:00"


@pytest.mark.parametrize("when, opens", [
    # Saturday: next Monday
    ("2025-11-15T10:00+09:00", "2025-11-17T09:00:00+09:00"),
    # Culture Day, Monday 2025-11-03: next day
    ("2025-11-03T10:00+09:00", "2025-11-04T09:00:00+09:00"),
    # Substitute holiday Monday 2025-11-24 (for Labor Thanksgiving Day on Sunday the 23rd)
    ("2025-11-24T10:00+09:00", "2025-11-25T09:00:00+09:00"),
    # 国民の休日 2026-09-22, between Respect for the Aged Day and the Autumnal Equinox
    ("2026-09-21T12:00+09:00", "2026-09-24T09:00:00+09:00"),
    # Friday 2025-12-26 after hours: the source says nothing about 12/29-1/3 (年末年始), so the
    # next opening it speaks of is Monday 5 January
    ("2025-12-26T18:00+09:00", "2026-01-05T09:00:00+09:00"),
])
def test_closed_days_and_the_next_opening(directory, when, opens):
    result = status(directory, "general", when)
    assert result.open_now is False
    assert result.opens_at.isoformat() == opens


@pytest.mark.parametrize("when", ["2025-12-29T10:00+09:00", "2025-12-31T10:00+09:00", "2026-01-02T10:00+09:00",
                                  "2026-01-03T23:00+09:00"])
def test_year_end_office_hours_are_not_promised(directory, when):
    # The page gives 9:00-17:00 and 土日祝 and nothing about 年末年始: neither open nor closed.
    result = status(directory, "general", when)
    assert result.open_now is None and result.not_covered_today
    assert result.opens_at.isoformat() == "2026-01-05T09:00:00+09:00"


def test_the_day_after_year_end_is_covered_again(directory):
    assert status(directory, "general", "2026-01-05T10:00+09:00").open_now is True
    assert status(directory, "general", "2025-12-26T10:00+09:00").open_now is True


@pytest.mark.parametrize("when", ["2025-11-22T03:00+09:00", "2025-11-24T12:00+09:00", "2026-01-01T00:00+09:00",
                                  "2025-12-31T10:00+09:00"])
def test_fraud_and_lost_lines_never_close(directory, when):
    for purpose in ("fraud", "lost"):
        result = status(directory, purpose, when)
        assert result.open_now and result.always_open and result.opens_at is None and result.closes_at is None


def test_the_seed_night_in_another_offset(directory):
    # 14:30 UTC is 23:30 in Tokyo on the Friday before the three-day weekend.
    result = status(directory, "general", "2025-11-21T14:30:00+00:00")
    assert result.open_now is False
    assert result.opens_at.isoformat() == "2025-11-25T09:00:00+09:00"


def test_machine_time_zone_does_not_matter(cardguard):
    for tz in ("America/Los_Angeles", "Pacific/Kiritimati", "UTC"):
        run = cardguard("contacts", "--card", "amex", "--purpose", "general", "--at", "2025-11-21T14:30:00Z", "--json",
                        env={"TZ": tz})
        assert run.code == 0, run.err
        (line,) = run.json()["calls"]
        assert line["open_now"] is False
        assert line["opens_at"] == "2025-11-25T09:00:00+09:00"


def test_a_moment_without_offset_is_japan_time(cardguard):
    run = cardguard("contacts", "--card", "amex", "--purpose", "general", "--at", "2025-11-20T09:30", "--json",
                    env={"TZ": "America/New_York"})
    assert run.json()["calls"][0]["open_now"] is True
