"""Statement files read in each issuer's layout and encoding, and recurring charges found in them
(statements/parse.py and statements/recurrence.py; pure functions, no database)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import statementkit as kit
from cardguard.errors import UserError
from cardguard.statements.layouts import known_layouts
from cardguard.statements.parse import merchant_key, merchant_name, parse_statement
from cardguard.statements.recurrence import Seen, find_recurring


def reasons(statement) -> list[str]:
    return [s.reason for s in statement.skipped]


def test_amex_current_layout_in_shift_jis():
    data = kit.amex([(date(2026, 1, 10), "NETFLIX.COM*M5A2B3C4", "1,490", ""),
                     (date(2026, 1, 12), "AMAZON WEB SERVICES", "3,012", "20.00 USD"),
                     (date(2026, 1, 26), "前回分口座振替金額", "-361,429", "")])
    statement = parse_statement(data)
    assert (statement.layout.id, statement.encoding) == ("amex_jp", "cp932")
    netflix, aws = statement.charges
    assert netflix.merchant == "NETFLIX.COM*M5A2B3C4"  # as written, without the full-width padding
    assert netflix.merchant_key == "NETFLIX.COM"
    assert (netflix.amount_text, netflix.amount, netflix.currency) == ("1,490", Decimal("1490"), "JPY")
    assert aws.foreign_text == "20.00 USD" and aws.foreign == (Decimal("20.00"), "USD")
    assert reasons(statement) == ["not_merchant"]  # the repayment is not a merchant
    assert statement.period == (date(2026, 1, 10), date(2026, 1, 12))


def test_amex_older_layout_after_a_preamble_with_a_blank_extra_column():
    statement = parse_statement(kit.amex_older([(date(2025, 5, 3), "ＡＰＰＬＥ．ＣＯＭ／ＢＩＬＬ", "1,300")]))
    assert statement.layout.id == "amex_jp_older"
    (charge,) = statement.charges
    assert charge.merchant == "ＡＰＰＬＥ．ＣＯＭ／ＢＩＬＬ" and charge.merchant_key == "APPLE.COM/BILL"


def test_vpass_without_header_reads_every_card_block_and_keeps_no_name_or_number():
    statement = parse_statement(kit.vpass([[(date(2026, 2, 1), "ＮＨＫ受信料", 1100), (date(2026, 2, 3), "スーパー", 2480)],
                                           [(date(2026, 2, 7), "コンビニ", 550)]]))
    assert statement.layout.id == "smbc_vpass"
    assert [c.merchant for c in statement.charges] == ["ＮＨＫ受信料", "スーパー", "コンビニ"]
    assert reasons(statement) == ["no_date", "card_heading", "no_date"]  # total, next card's heading, total
    kept = repr(statement.charges)
    assert kit.VPASS_MASKED not in kept and "ヤマダ" not in kept


@pytest.mark.parametrize("encoding", ["cp932", "utf-8"])
def test_rakuten_month_named_columns_are_matched_by_prefix(encoding):
    for month in (1, 11):
        statement = parse_statement(kit.rakuten([(date(2026, 3, 2), "楽天モバイル", 3278)], encoding=encoding,
                                                month=month))
        assert statement.layout.id == "rakuten" and statement.encoding == encoding
        assert [(c.merchant, c.amount) for c in statement.charges] == [("楽天モバイル", Decimal("3278"))]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_jcb_header_is_found_after_the_preamble(encoding):
    statement = parse_statement(kit.jcb([(date(2026, 3, 5), "ＥＴＣ利用料", 1200), (date(2026, 3, 9), "スポティファイ", 980)],
                                        encoding=encoding))
    assert statement.layout.id == "jcb" and statement.encoding == encoding
    assert [c.amount_text for c in statement.charges] == ["1,200", "980"]
    assert statement.skipped == []  # the preamble is above the header, not a row


def test_epos_dates_totals_footnotes_and_cancellations():
    statement = parse_statement(kit.epos([(date(2026, 1, 10), "マルイ", 5400)],
                                         cancelled=(date(2026, 1, 12), "マルイ", 5400)))
    assert statement.layout.id == "epos"
    (charge,) = statement.charges
    assert charge.charged_on == date(2026, 1, 10)
    assert reasons(statement) == ["refund", "no_date", "no_date"]  # cancellation, total, footnote


def test_aeon_reads_only_after_the_marker_and_never_the_bank_account():
    statement = parse_statement(kit.aeon([(date(2026, 1, 8), "イオン", 3200), (date(2026, 1, 20), "Ｕ－ＮＥＸＴ", 2189)]))
    assert statement.layout.id == "aeon"
    assert [(c.charged_on, c.merchant) for c in statement.charges] == [(date(2026, 1, 8), "イオン"),
                                                                      (date(2026, 1, 20), "Ｕ－ＮＥＸＴ")]
    # The discount (no date, negative) and the instalment section are not merchants of this statement.
    assert reasons(statement) == ["no_date", "other_section", "other_section", "other_section"]
    assert all(word not in repr(statement) for word in kit.BANK_WORDS)
    assert min(s.line for s in statement.skipped) > 6  # nothing before the marker was even looked at as a row


def test_a_title_that_starts_like_the_marker_is_not_the_marker():
    data = kit.aeon([(date(2026, 1, 8), "イオン", 3200)]).replace(b"\r\n\x82\xb2\x97\x98\x97p\x96\xbe\x8d\xd7\r\n", b"\r\n")
    data = "ご利用明細書\r\n".encode("cp932") + data
    with pytest.raises(UserError) as caught:
        parse_statement(data)
    assert caught.value.key == "statements.unknown_layout"


def test_every_layout_names_its_source():
    assert {layout.id for layout in known_layouts()} >= {"amex_jp", "amex_jp_older", "smbc_vpass", "rakuten", "jcb",
                                                         "epos", "aeon"}
    assert all("facts/statements.md" in layout.source for layout in known_layouts())


def test_unknown_layout_names_the_known_ones_and_mapping_in_both_languages():
    with pytest.raises(UserError) as caught:
        parse_statement("日付,店,金額\r\n2026/01/01,店A,100\r\n".encode("cp932"))
    ja, en = caught.value.message("ja"), caught.value.message("en")
    assert "楽天カード" in ja and "イオンカード" in ja and "--map" in ja
    assert "Rakuten" in en and "AEON" in en and "--map" in en and "never its name" in en
    mapped = parse_statement("日付,店,金額\r\n2026/01/01,店A,100\r\n".encode("cp932"),
                             mapping={"date": "日付", "merchant": "店", "amount": "金額"})
    assert [(c.merchant, c.amount) for c in mapped.charges] == [("店A", Decimal("100"))]


def test_a_row_holding_a_card_number_is_not_kept():
    data = kit.amex([(date(2026, 1, 10), "SHOP 4111 1111 1111 1111", "100", "")])
    statement = parse_statement(data)
    assert statement.charges == [] and reasons(statement) == ["card_number"]


def test_merchant_names_are_normalised_for_grouping():
    assert merchant_key("ＮＥＴＦＬＩＸ．ＣＯＭ＊Ｍ５Ａ２Ｂ３Ｃ４　　") == "NETFLIX.COM"
    assert merchant_key("netflix.com*ZZ9Y8X7W") == merchant_key("NETFLIX.COM*M5A2B3C4")
    assert merchant_key("AMAZON *PRIME") == "AMAZON *PRIME"  # a word after the star is part of the name
    assert merchant_name("NETFLIX.COM*M5A2B3C4　") == "NETFLIX.COM"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=400),
                 st.lists(st.sampled_from([kit.amex([(date(2026, 1, 1), "A", "1", "")]), b",", b'"', b"\r\n", b"\x00",
                                           "ご利用明細".encode("cp932"), b"\xef\xbb\xbf", b"\x82", b"9" * 20,
                                           "ご利用日,利用者区分,ご利用先,支払方法,,,ご利用金額".encode("cp932")]),
                          max_size=12).map(b"".join)))
def test_any_bytes_are_a_statement_or_a_clear_error(data):
    try:
        statement = parse_statement(data)
    except UserError as error:
        assert error.message("ja") and error.message("en")
    else:
        assert all(c.amount > 0 and c.merchant for c in statement.charges)


# ------------------------------------------------------------------------------------ recurrence

def seen(day: date, merchant: str, amount: str, foreign: str | None = None) -> Seen:
    return Seen(day, merchant, merchant_key(merchant), amount, Decimal(amount.replace(",", "")), "JPY", foreign)


def test_monthly_needs_three_occurrences_a_month_apart():
    days = [date(2026, 1, 10), date(2026, 2, 12), date(2026, 3, 8)]
    two = find_recurring([seen(d, "NETFLIX.COM*A1B2C3", "1,490") for d in days[:2]])
    assert two == []
    (found,) = find_recurring([seen(d, f"NETFLIX.COM*A1B2C{n}", "1,490") for n, d in enumerate(days)]
                              + [seen(date(2026, 2, 20), "家電量販店", "89,800")])  # a one-off is not proposed
    assert (found.cycle, found.merchant, len(found.seen)) == ("monthly", "NETFLIX.COM", 3)
    assert found.next_charge == date(2026, 4, 8) and found.confidence == "medium"
    assert found.as_json()["evidence"][0] == {"date": "2026-01-10", "amount": "1,490"}


def test_amounts_must_stay_within_tolerance_unless_the_foreign_amount_is_the_same():
    days = [date(2026, 1, 5), date(2026, 2, 5), date(2026, 3, 5)]
    assert find_recurring([seen(d, "GYM", a) for d, a in zip(days, ["8,000", "8,000", "9,000"])]) == []
    assert len(find_recurring([seen(d, "GYM", a) for d, a in zip(days, ["8,000", "8,300", "8,000"])])) == 1
    (usd,) = find_recurring([seen(d, "OPENAI *CHATGPT", a, "20.00 USD") for d, a in zip(days, ["2,900", "3,150", "3,060"])])
    assert usd.amount == (Decimal("20.00"), "USD") and "foreign_same" in usd.notes


def test_a_day_far_from_the_usual_one_breaks_the_run():
    days = [date(2026, 1, 5), date(2026, 2, 5), date(2026, 3, 14)]
    assert find_recurring([seen(d, "GYM", "8,000") for d in days]) == []


def test_yearly_needs_two_charges_a_year_apart_and_thirteen_months_of_history():
    domain = [seen(date(2025, 2, 3), "お名前.com", "1,408"), seen(date(2026, 2, 4), "お名前.com", "1,408")]
    filler = [seen(d, "スーパー", str(int(1000 * 1.2 ** n))) for n, d in enumerate(kit.months_from(date(2025, 1, 20), 13))]
    (found,) = find_recurring(domain + filler)
    assert (found.cycle, found.merchant, found.next_charge) == ("yearly", "お名前.com", date(2027, 2, 4))
    # Statements read for twelve months only: a yearly charge cannot be told from a coincidence yet.
    assert find_recurring(domain + filler, history=(date(2025, 3, 1), date(2026, 2, 28))) == []
    assert find_recurring(domain[:1] + filler) == []  # seen once is not yearly
    half = [seen(date(2025, 2, 3), "お名前.com", "1,408"), seen(date(2025, 8, 4), "お名前.com", "1,408")]
    assert find_recurring(half + filler) == []


def test_the_thirteen_months_are_the_statements_read_over_time_not_the_yearly_merchants_own_charges(profile):
    """The yearly rule counts the months every imported file of the card covered (each file's first
    to last charge, the only period a statement CSV states), across separate imports: a domain renewed
    nine days early spans twelve months by its own two charges, yet thirteen monthly statements, each
    with a single sparse charge, were read. Counted from the merchant alone it would not be found."""
    from cardguard.directory import load_directory
    from cardguard.statements.ledger import import_statements
    from cardguard.store.db import Store
    from cardguard.wallet import registry

    store = Store()
    try:
        with store.session() as session:
            card = registry.add_card(session, load_directory(), {"nickname": "イオン", "last4": "4649"})
            for index, day in enumerate(kit.months_from(date(2025, 1, 28), 13)):
                rows = [(day, f"店{index}", 500 + index)]
                rows += [(date(2025, 2, 5), "お名前.com", 1408)] if index == 1 else []
                rows += [(date(2026, 1, 27), "お名前.com", 1408)] if index == 12 else []
                report = import_statements(session, card, [(f"{day:%Y%m}.csv", parse_statement(kit.aeon(sorted(rows))))])
            (found,) = report.proposals
            assert (found.merchant, found.cycle) == ("お名前.com", "yearly")
    finally:
        store.close()


def test_a_charge_not_seen_lately_may_have_stopped():
    old = [seen(d, "HULU", "1,026") for d in kit.months_from(date(2025, 1, 15), 4)]
    later = [seen(date(2025, 12, 1), "スーパー", "500")]
    (found,) = find_recurring(old + later)
    assert found.confidence == "low" and "stopped" in found.notes


def test_a_subscription_among_many_purchases_at_the_same_merchant_is_still_found():
    purchases = [seen(date(2026, 1 + n % 4, 1 + n % 27), "AMAZON.CO.JP", f"{137 * n + 1000:,}") for n in range(400)]
    prime = [seen(d, "AMAZON.CO.JP", "600") for d in kit.months_from(date(2026, 1, 28), 4)]
    (found,) = find_recurring(purchases + prime)
    assert [s.amount_text for s in found.seen] == ["600"] * 4
    assert "other_charges" in found.notes and found.confidence == "medium"
    assert find_recurring(purchases) == []  # a hundred purchases a month line up by chance, not by contract


_PIECES = [kit.amex([(date(2026, 1, 10), "NETFLIX.COM*M5A2B3C4", "1,490", "20.00 USD")]), b"\r\n", b",", b'"',
           "2026/02/10,2026/02/10,＊Ａ１Ｂ２,x,-1,\"9" .encode("cp932"), b"9" * 14, b"2099/12/31,", b"\x81",
           "ご利用明細\r\nご利用日,利用者区分,ご利用先,支払方法,,,ご利用金額\r\n991231,本人,Ｘ,１回,,,1\r\n".encode("cp932")]


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=8).map(b"".join))
def test_whatever_parses_is_stored_and_proposed_without_error(profile, data):
    from cardguard.directory import load_directory
    from cardguard.statements.ledger import import_statements
    from cardguard.store.db import Store
    from cardguard.wallet import registry

    try:
        statement = parse_statement(data)
    except UserError:
        return
    store = Store()
    try:
        with store.session() as session:
            card = registry.add_card(session, load_directory(), {"nickname": "statement", "last4": "9999"})
            report = import_statements(session, card, [("f.csv", statement), ("f.csv", statement)])
            assert report.files[1].already_imported and report.files[1].added == 0
            session.rollback()  # each example starts from an empty registry
    finally:
        store.close()
