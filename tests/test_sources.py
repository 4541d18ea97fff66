"""Every source the shipped data cites says what the data takes from it: the data is held to the
words of the source as they are recorded in the data file (titles, quoted spans, addresses)."""

from __future__ import annotations

import re
from datetime import date

import pytest

from cardguard.directory.load import load_directory

ISSUERS = list(load_directory().issuers.values())
ERAS = {"明治": 1, "大正": 2, "昭和": 3, "平成": 4, "令和": 5}  # e-Gov law IDs start with the era's digit
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


@pytest.mark.parametrize("issuer", ISSUERS, ids=lambda i: i.id)
def test_the_days_the_hours_do_not_cover_are_the_ones_the_cited_law_names(issuer):
    for span in issuer.data.hours_not_covered:
        source = issuer.sources[span.source]
        quoted = re.search(r"(\d+)月(\d+)日から翌年の(\d+)月(\d+)日まで", source.title)
        assert quoted, source.title
        m1, d1, m2, d2 = map(int, quoted.groups())
        assert (span.start, span.end) == (f"{m1:02d}-{d1:02d}", f"{m2:02d}-{d2:02d}")
        # The span's name, shown to the holder, says the same days in both languages.
        assert f"{m1}月{d1}日〜{m2}月{d2}日" in span.name.ja
        assert f"{d1} {MONTHS[m1 - 1]} to {d2} {MONTHS[m2 - 1]}" in span.name.en
        # The address is e-Gov's page for the very law the title names (era, year, number).
        era, year, number = re.search(r"(明治|大正|昭和|平成|令和)(\d+)年法律第(\d+)号", source.title).groups()
        assert source.url == f"https://laws.e-gov.go.jp/law/{ERAS[era]}{int(year):02d}AC{int(number):010d}"
        # Across New Year: the last day of the year and the first of the next are inside, the days
        # around the span are not.
        inside = [date(2026, m1, d1), date(2026, 12, 31), date(2027, 1, 1), date(2027, m2, d2)]
        outside = [date(2026, m1, d1 - 1), date(2027, m2, d2 + 1)]
        assert all(span.covers(day) for day in inside) and not any(span.covers(day) for day in outside)


@pytest.mark.parametrize("issuer", ISSUERS, ids=lambda i: i.id)
def test_every_published_source_has_an_address(issuer):
    # Only a holder's own account (a seed document) has none to give.
    for source in issuer.data.sources:
        if "seed document" in source.publisher:
            continue
        assert source.url and source.url.startswith("https://"), source.id


def test_icloud_user_name_is_the_name_part_as_the_copies_of_apples_page_give_it():
    # Apple's iCloud Mail server settings (as Lifewire's and clean.email's copies give it): the name
    # part of the address, the whole address only if that does not connect. The help once said
    # "your email address", which the README repeated.
    from pathlib import Path

    from cardguard.mailbox.presets import presets

    icloud = presets()["icloud"]
    assert "@ より前の部分" in icloud.password_help.ja and "before the @" in icloud.password_help.en
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    row = next(line for line in readme.splitlines() if line.startswith("| `icloud` |"))
    assert "before the @" in row
