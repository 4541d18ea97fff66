"""The shipped American Express Japan data against a list written down by hand from the seed
directory (shared/seeds/001_…txt). The test reads the data, not the seed: if a number is mistyped,
dropped or invented in the data file, this fails."""

from __future__ import annotations

from collections import Counter

import pytest

from cardguard.directory import load_directory
from cardguard.directory.lookup import issuer_lines

# (purpose, card, number) for every row of the seed's per-card tables, in the seed's order.
SEED_CARD_ROWS = [
    # ① 新規入会
    ("apply", "amex", "0120-020222"), ("apply", "skytraveler", "0120-010060"),
    ("apply", "hilton", "0120-210635"), ("apply", "spg", "0120-085109"),
    ("apply", "ana", "0120-773577"), ("apply", "delta", "0120-530056"),
    ("apply", "persona-stacia", "0120-356562"), ("apply", "amex-business", "0120-145108"),
    # ② 紛失・再発行 and ③ 盗難・不正利用 print the same fourteen rows
    *[(purpose, card, number) for purpose in ("lost", "fraud") for card, number in [
        ("amex", "0120-020120"), ("amex-gold", "0120-010120"), ("amex-platinum", "0120-376107"),
        ("skytraveler", "0120-020120"), ("skytraveler-premier", "0120-010120"),
        ("hilton", "0120-168062"), ("hilton-premium", "0120-168061"), ("spg", "0120-010120"),
        ("ana", "0120-965877"), ("ana-gold", "0120-958677"), ("ana-premium", "0120-126626"),
        ("delta", "0120-020120"), ("delta-gold", "0120-010120"), ("persona-stacia", "0120-020120"),
    ]],
    # ④ 総合案内 and ⑧ 解約 print the same twelve rows
    *[(purpose, card, number) for purpose in ("general", "cancel") for card, number in [
        ("amex", "0120-020120"), ("amex-gold", "0120-010120"), ("amex-business", "0120-941760"),
        ("amex-business-gold", "0120-941780"), ("skytraveler", "0120-020120"),
        ("skytraveler-premier", "0120-010120"), ("ana", "0120-965877"), ("ana-gold", "0120-958677"),
        ("spg", "0120-010120"), ("delta", "0120-020120"), ("delta-gold", "0120-010120"),
        ("persona-stacia", "0120-020120"),
    ]],
]

# Business cards are in neither ② nor ③: the page routes their theft, fraud and loss to their line
# in ④ (総合案内), which answers emergencies 24 hours (issue 10).
SEED_BUSINESS_URGENT = [(purpose, card, number) for purpose in ("lost", "fraud") for card, number in [
    ("amex-business", "0120-941760"), ("amex-business-gold", "0120-941780")]]

# Lines for every card: 審査の進捗状況, ⑤ 申し込み後に届かない, ⑥ FAX.
SEED_SHARED_ROWS = [("apply", "0120-020120"), ("not-arrived", "0120-020120"), ("fax", "03-4540-6869")]

# ⑦ オーバーシーズ・アシスト, by country (ISO code) or by the seed's catch-all region.
SEED_OVERSEAS = [
    ("US", "1-800-866-8630"), ("CA", "1-800-866-8630"), ("latin-america", "1-804-673-1669"),
    ("FR", "0800-90-86-29"), ("DE", "0800-181-0740"), ("GB", "0800-824-482"), ("ES", "900-99-4446"),
    ("IT", "800-871-972"), ("CH", "0800-55-47-02"), ("europe-africa-middle-east", "44-20-8840-6462"),
    ("KR", "00798-651-7031"), ("HK", "800-96-3012"), ("TW", "00801-65-1168"), ("SG", "1800-535-1561"),
    ("AU", "1800-553-154"), ("NZ", "0800-44-9347"), ("asia-oceania", "65-6535-1561"),
]
SEED_OVERSEAS_CARDS = {"amex-gold", "skytraveler-premier", "hilton-premium", "spg", "ana-gold", "delta-gold",
                       "amex-business", "amex-business-gold"}

CARD_IDS = ["amex", "amex-gold", "amex-platinum", "amex-business", "amex-business-gold", "skytraveler",
            "skytraveler-premier", "hilton", "hilton-premium", "spg", "ana", "ana-gold", "ana-premium",
            "delta", "delta-gold", "persona-stacia"]


@pytest.fixture(scope="module")
def amex():
    directory = load_directory(with_user_files=False)
    issuer = directory.issuer("amex-jp")
    return directory, issuer, issuer_lines(directory, issuer)


def test_every_card_row_of_the_seed_is_in_the_data_and_nothing_else(amex):
    _, _, lines = amex
    in_data = Counter((line.purpose, line.card, line.number) for line in lines if line.card)
    assert in_data == Counter(SEED_CARD_ROWS + SEED_BUSINESS_URGENT)


def test_business_urgent_lines_are_the_general_line_with_its_emergency_hours(amex):
    _, issuer, lines = amex
    for purpose, card, number in SEED_BUSINESS_URGENT:
        (line,) = [x for x in lines if (x.purpose, x.card) == (purpose, card)]
        general = [x for x in lines if (x.purpose, x.card) == ("general", card)]
        assert [g.number for g in general] == [number] and line.schedule == general[0].schedule
        assert line.schedule.emergency_always_open and "総合案内" in line.topic.ja


def test_cancellation_hours_are_not_stated_by_the_source(amex):
    _, _, lines = amex
    cancel = [line for line in lines if line.purpose == "cancel"]
    assert cancel and all(line.schedule.unknown for line in cancel)


def test_lines_for_every_card_and_overseas_rows(amex):
    _, _, lines = amex
    shared = sorted((line.purpose, line.number) for line in lines if line.card is None and line.purpose != "overseas")
    assert shared == sorted(SEED_SHARED_ROWS)
    overseas = [line for line in lines if line.purpose == "overseas"]
    assert sorted((line.countries[0] if line.countries else line.region, line.number) for line in overseas) \
        == sorted(SEED_OVERSEAS)
    assert all(set(line.eligible_cards) == SEED_OVERSEAS_CARDS for line in overseas)


def test_card_ids_are_the_stable_ones(amex):
    _, issuer, _ = amex
    assert [card.id for card in issuer.data.cards] == CARD_IDS


@pytest.mark.parametrize("purpose, always, opens, closes, closed_days, holidays_closed, emergency, toll_free", [
    ("apply", False, "09:00", "21:00", ["sat", "sun"], True, False, True),
    ("lost", True, None, None, [], False, False, True),
    ("fraud", True, None, None, [], False, False, True),
    ("general", False, "09:00", "17:00", ["sat", "sun"], True, True, True),
    ("not-arrived", False, "09:00", "17:00", ["sat", "sun"], True, False, True),
    ("fax", False, "09:00", "17:00", ["sat", "sun"], True, False, False),
    ("overseas", True, None, None, [], False, False, True),
])
def test_hours_of_each_purpose_as_the_seed_prints_them(amex, purpose, always, opens, closes, closed_days,
                                                       holidays_closed, emergency, toll_free):
    _, _, lines = amex
    # The screening-progress line is the apply purpose's office-hours exception.
    line = next(line for line in lines if line.purpose == purpose and (purpose != "apply" or line.topic is None))
    schedule = line.schedule
    assert schedule.always_open is always
    assert (schedule.opens.strftime("%H:%M") if schedule.opens else None) == opens
    assert (schedule.closes.strftime("%H:%M") if schedule.closes else None) == closes
    assert schedule.closed_weekdays == closed_days
    assert schedule.closed_on_public_holidays is holidays_closed
    assert schedule.emergency_always_open is emergency
    assert line.toll_free is toll_free


def test_fax_is_a_fax(amex):
    _, _, lines = amex
    assert [line.kind for line in lines if line.purpose == "fax"] == ["fax"]
    assert {line.kind for line in lines if line.purpose != "fax"} == {"phone"}


def test_every_line_has_a_source_and_an_as_of_date(amex):
    _, _, lines = amex
    for line in lines:
        assert line.source_title.startswith("30秒でわかる")
        assert line.as_of.year >= 2025


def test_phishing_report_route_is_never_invented(amex):
    _, issuer, _ = amex
    routes = issuer.data.phishing_report
    own = [r for r in routes if "American Express" in r.name.en]
    assert own and all(not r.known and r.address is None for r in own)
    assert [r.address for r in routes if r.known] == ["info@antiphishing.jp"]


def test_cancellation_caveats_are_the_seeds_eight(amex):
    _, issuer, _ = amex
    caveats = issuer.data.cancellation_caveats
    assert len(caveats) == 8
    assert "ポイントが失効" in caveats[0].ja and "ETCカード" in caveats[4].ja


def test_official_domains_come_with_sources(amex):
    _, issuer, _ = amex
    sending = {d.domain for d in issuer.data.sending_domains}
    assert {"welcome.americanexpress.com", "americanexpress.com"} <= sending
    assert "americanexpress.co.jp" not in sending
    for entry in issuer.data.sending_domains + issuer.data.link_domains:
        assert entry.source in issuer.sources


def test_every_region_named_by_a_regional_line_exists_in_the_country_dataset(amex):
    # A misspelt subregion would silently send its countries to "the source does not say".
    from cardguard.directory.countries import countries, un_regions

    _, _, lines = amex
    named = {region for line in lines for region in line.un_regions}
    assert named and named <= un_regions()
    # Every inhabited M49 subregion but Northern America (US and Canada have their own rows) is served.
    served = {c.un_region for c in countries().values() if c.un_region} - named
    assert served == {"Northern America", "Antarctica"}
