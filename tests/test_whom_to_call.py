"""Whom to call, as issue 10 read it against the source page, through the CLI a holder uses; and
the one core function (directory.calls.whom_to_call) that every front end renders."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from typer.testing import CliRunner

SEED_NIGHT = "2025-11-21T23:30+09:00"


def add(cardguard, *args: str) -> None:
    run = cardguard("cards", "add", *args)
    assert run.code == 0, run.err


def answer(cardguard, *args: str) -> dict:
    run = cardguard("contacts", *args, "--json")
    assert run.code == 0, run.err
    return run.json()


# ------------------------------------------------------------------ the number on the back of the card

def test_back_number_answers_for_urgent_purposes_with_the_24_hour_hours(cardguard):
    # 0120-020120 is also the number of 審査の進捗状況 (an "apply" line, office hours): it must not
    # lend the back of the card its hours (issue 10, item 2).
    add(cardguard, "--nickname", "メインのアメックス", "--product", "amex", "--last4", "1005", "--back-number", "0120-020120")
    calls = answer(cardguard, "--card", "メインのアメックス", "--at", SEED_NIGHT)["calls"]
    first = calls[0]
    # Also the directory's fraud line for this card: one entry, the directory's, said to be on the card.
    assert (first["printed_on_card"], first["number"], first["purpose"]) == (True, "0120-020120", "fraud")
    assert first["open_now"] is True and first["always_open"] is True and first["hours_stated"] is True
    ja = cardguard("contacts", "--card", "メインのアメックス", "--at", SEED_NIGHT, "--lang", "ja").out.splitlines()
    assert "0120-020120" in ja[2] and "盗難・不正利用" in ja[2] and "新規入会" not in ja[2]
    assert "の裏面に記載の番号" in ja[3] and "受付中（24時間）" in ja[4]
    en = cardguard("contacts", "--card", "メインのアメックス", "--at", SEED_NIGHT, "--lang", "en").out.splitlines()
    assert "Theft and fraud" in en[2] and "OPEN: 24 hours" in en[4] and "CLOSED" not in en[4]


def test_back_number_for_lost_too_and_not_for_new_applications(cardguard):
    add(cardguard, "--nickname", "main", "--product", "amex", "--last4", "1005", "--back-number", "0120-020120")
    lost = answer(cardguard, "--card", "main", "--purpose", "lost", "--at", SEED_NIGHT)["calls"]
    assert (lost[0]["printed_on_card"], lost[0]["purpose"], lost[0]["open_now"]) == (True, "lost", True)
    apply = answer(cardguard, "--card", "main", "--purpose", "apply", "--at", SEED_NIGHT)["calls"]
    assert all(line["origin"] == "directory" and not line["printed_on_card"] for line in apply)


def test_back_number_matching_no_line_is_the_cards_own_with_hours_not_stated(cardguard):
    add(cardguard, "--nickname", "main", "--product", "amex", "--last4", "1005", "--back-number", "0120-020222")
    first = answer(cardguard, "--card", "main", "--purpose", "fraud", "--at", SEED_NIGHT)["calls"][0]
    assert (first["origin"], first["number"], first["open_now"], first["hours_stated"]) == \
        ("card", "0120-020222", None, False)
    ja = cardguard("contacts", "--card", "main", "--purpose", "fraud", "--at", SEED_NIGHT, "--lang", "ja").out
    assert "受付時間はカードの記載のとおり" in ja and "受付時間外" not in ja.split("\n")[4]
    en = cardguard("contacts", "--card", "main", "--purpose", "fraud", "--at", SEED_NIGHT, "--lang", "en").out
    assert "hours as printed on your card" in en


# ----------------------------------------------------------------------------- cards of other issuers

def test_a_nickname_does_not_make_a_card_american_express(cardguard):
    add(cardguard, "--nickname", "楽天カード", "--last4", "4321")
    (card,) = cardguard("cards", "list", "--json").json()
    assert card["issuer"] is None and card["product"] is None
    doc = answer(cardguard, "--card", "楽天カード", "--purpose", "fraud")
    assert doc["calls"] == [] and doc["issuer"] is None
    assert [n["code"] for n in doc["notes"]] == ["calls.issuer_unknown", "calls.no_back_number"]
    ja = cardguard("contacts", "--card", "楽天カード", "--purpose", "fraud", "--lang", "ja")
    assert ja.code == 0 and "カード裏面に記載の番号" in ja.out and "0120-" not in ja.out
    en = cardguard("contacts", "--card", "楽天カード", "--purpose", "fraud", "--lang", "en")
    assert "number printed on the back of your card" in en.out and "American Express" not in en.out


def test_an_issuer_without_data_answers_with_its_back_number(cardguard):
    # JCBセキュリティーデスク, from JCB's own page (shared/facts/jp-issuers.md).
    add(cardguard, "--issuer", "jcb", "--nickname", "JCB", "--last4", "1111", "--back-number", "0120-101-258")
    doc = answer(cardguard, "--card", "JCB", "--purpose", "fraud", "--at", SEED_NIGHT)
    assert [(c["number"], c["origin"], c["issuer"], c["hours_stated"]) for c in doc["calls"]] == \
        [("0120-101-258", "card", None, False)]
    assert doc["issuer_given"] == "jcb" and doc["notes"][0]["code"] == "calls.issuer_without_data"
    text = cardguard("contacts", "--card", "JCB", "--lang", "ja").out
    assert "jcb の窓口データがありません" in text and "0120-101-258" in text and "アメリカン" not in text
    assert "Unknown issuer" not in cardguard("contacts", "--card", "JCB", "--lang", "en").err


def test_a_product_name_says_the_issuer(cardguard):
    add(cardguard, "--nickname", "gold", "--product", "ANAゴールド", "--last4", "2222")
    (card,) = cardguard("cards", "list", "--json").json()
    assert (card["issuer"], card["product"]) == ("amex-jp", "ana-gold")
    run = cardguard("cards", "add", "--nickname", "x", "--product", "ゴールド", "--last4", "3333", "--json")
    assert run.code != 0 and run.json()["error"]["code"] == "error.card_name_ambiguous"
    assert len(cardguard("cards", "list", "--json").json()) == 1


# --------------------------------------------------------------------------------- the source page

def test_cancellation_hours_are_not_stated(cardguard):
    (line,) = answer(cardguard, "--card", "amex", "--purpose", "cancel", "--at", "2025-11-25T10:00+09:00")["calls"]
    assert (line["number"], line["open_now"], line["hours_stated"]) == ("0120-020120", None, False)
    assert "受付時間は出典に記載なし" in cardguard("contacts", "--card", "amex", "--purpose", "解約", "--lang", "ja").out
    assert "hours not stated by the source" in cardguard("contacts", "--card", "amex", "--purpose", "cancel",
                                                         "--lang", "en").out


@pytest.mark.parametrize("card, number", [("amex-business", "0120-941760"), ("ビジネス・ゴールド", "0120-941780")])
def test_business_cards_fraud_goes_to_their_general_line_open_for_emergencies(cardguard, card, number):
    (line,) = answer(cardguard, "--card", card, "--purpose", "fraud", "--at", SEED_NIGHT)["calls"]
    assert (line["number"], line["open_now"], line["always_open"]) == (number, True, True)
    assert "emergencies 24 hours" in line["hours"]
    ja = cardguard("contacts", "--card", card, "--purpose", "fraud", "--at", SEED_NIGHT, "--lang", "ja").out
    assert "盗難・不正利用の表にこのカードはなく" in ja and "受付中（24時間）" in ja


@pytest.mark.parametrize("country, number, tel", [
    ("TR", "44-20-8840-6462", "tel:+442088406462"),  # Western Asia: 中近東, the UK centre
    ("KZ", "44-20-8840-6462", "tel:+442088406462"),  # Central Asia: 旧ソ連邦
    ("KE", "44-20-8840-6462", "tel:+442088406462"),  # Africa
    ("PL", "44-20-8840-6462", "tel:+442088406462"),  # other Europe
    ("Thailand", "65-6535-1561", "tel:+6565351561"),  # other Asia, by its English name
    ("FJ", "65-6535-1561", "tel:+6565351561"),  # Oceania
    ("BR", "1-804-673-1669", "tel:18046731669"),  # Latin America
    ("JM", "1-804-673-1669", "tel:18046731669"),  # the Caribbean
])
def test_unlisted_countries_map_to_the_pages_regions(cardguard, country, number, tel):
    doc = answer(cardguard, "--card", "amex-gold", "--purpose", "overseas", "--country", country, "--at", SEED_NIGHT)
    assert [(c["number"], c["tel_uri"]) for c in doc["calls"]] == [(number, tel)]
    assert doc["abroad"] is True


def test_a_country_the_page_and_the_regions_do_not_place_gets_every_centre_and_says_so(cardguard):
    # Greenland is in M49's Northern America, which the page covers only for the US and Canada.
    doc = answer(cardguard, "--card", "amex-gold", "--purpose", "overseas", "--country", "GL")
    assert sorted(c["number"] for c in doc["calls"]) == ["1-804-673-1669", "44-20-8840-6462", "65-6535-1561"]
    assert doc["notes"][0]["code"] == "calls.region_unstated"
    assert "出典に記載がありません" in cardguard("contacts", "--card", "amex-gold", "--country", "GL", "--lang", "ja").out


def test_an_unknown_country_is_a_clear_error(cardguard):
    run = cardguard("contacts", "--country", "ZZ", "--json", "--lang", "ja")
    assert run.code != 0 and run.json()["error"]["code"] == "error.unknown_country"


@pytest.mark.parametrize("given, card", [("ANAゴールド", "ana-gold"), ("プラチナ", "amex-platinum"),
                                         ("デルタ・ゴールド", "delta-gold"), ("ヒルトン プレミアム", "hilton-premium"),
                                         ("ＡＮＡゴールド", "ana-gold"), ("Platinum", "amex-platinum")])
def test_card_names_as_holders_say_them(cardguard, given, card):
    calls = answer(cardguard, "--card", given, "--purpose", "fraud")["calls"]
    assert {c["card"] for c in calls} == {card}


@pytest.mark.parametrize("given, candidates", [
    ("ゴールド", {"amex-gold", "ana-gold", "delta-gold", "amex-business-gold"}),
    ("ｺﾞｰﾙﾄﾞ", {"amex-gold", "ana-gold", "delta-gold", "amex-business-gold"}),
    ("Gold", {"amex-gold", "ana-gold", "delta-gold", "amex-business-gold"}),
    ("ヒルトン", {"hilton", "hilton-premium"}),
])
def test_a_word_that_fits_several_cards_lists_them_and_asks(cardguard, given, candidates):
    run = cardguard("contacts", "--card", given, "--json", "--lang", "ja")
    assert run.code != 0
    error = run.json()["error"]
    assert error["code"] == "error.card_name_ambiguous" and "複数" in error["message"]
    assert {d.split()[0] for d in error["details"]} == candidates
    text = cardguard("contacts", "--card", given, "--lang", "en")
    assert text.code != 0 and "fits more than one card" in text.err and "Traceback" not in text.err


@pytest.mark.parametrize("moment", ["2025-12-29T10:00+09:00", "2025-12-31T10:00+09:00", "2026-01-02T10:00+09:00"])
def test_year_end_office_hours_are_not_promised(cardguard, moment):
    (line,) = answer(cardguard, "--card", "amex", "--purpose", "general", "--at", moment)["calls"]
    assert line["open_now"] is None and line["not_covered_today"] is True
    ja = cardguard("contacts", "--card", "amex", "--purpose", "general", "--at", moment, "--lang", "ja").out
    assert "年末年始（12月29日〜1月3日）の受付は出典に記載がなく" in ja and "受付中" not in ja.splitlines()[3]
    en = cardguard("contacts", "--card", "amex", "--purpose", "general", "--at", moment, "--lang", "en").out
    assert "does not cover the New Year holidays" in en
    # The fraud line says "年中無休" itself: it is open.
    (fraud,) = answer(cardguard, "--card", "amex", "--purpose", "fraud", "--at", moment)["calls"]
    assert fraud["open_now"] is True


# -------------------------------------------------------------------------------------------- abroad

def test_abroad_the_country_line_comes_first_and_0120_is_said_to_be_undiallable(cardguard):
    add(cardguard, "--nickname", "main", "--product", "amex", "--last4", "1005", "--back-number", "0120-020120")
    doc = answer(cardguard, "--country", "FR", "--card", "main", "--at", SEED_NIGHT)
    first = doc["calls"][0]
    assert first["number"] == "0800-90-86-29"
    # The Green card is not among Overseas Assist's eligible cards: listed, and said.
    assert [c["code"] for c in first["caveats"]] == ["calls.caveat.overseas_not_for_card"]
    domestic = [c for c in doc["calls"] if c["number"].startswith("0120")]
    assert domestic and all(c["caveats"][0]["code"] == "calls.caveat.not_diallable_abroad" for c in domestic)
    back = next(c for c in doc["calls"] if c["printed_on_card"])
    assert doc["calls"].index(back) > 0 and "call this first" not in back["topic"]
    en = cardguard("contacts", "--country", "FR", "--card", "main", "--lang", "en").out.splitlines()
    assert "0800-90-86-29" in en[3] and "cannot be dialled from abroad" in "\n".join(en)
    ja = cardguard("contacts", "--country", "FR", "--card", "main", "--lang", "ja").out
    assert "海外からはかけられません" in ja and "まずこちらへ" not in ja


@pytest.mark.parametrize("purpose", ["fraud", "lost"])
def test_abroad_every_urgent_purpose_has_a_line(cardguard, purpose):
    add(cardguard, "--nickname", "CARD", "--product", "amex-gold", "--last4", "1005")
    calls = answer(cardguard, "--card", "CARD", "--purpose", purpose, "--country", "FR")["calls"]
    assert calls[0]["number"] == "0800-90-86-29" and calls[0]["caveats"] == []
    assert any(c["purpose"] == purpose for c in calls)


def test_at_home_the_country_changes_nothing(cardguard):
    assert answer(cardguard, "--card", "amex", "--country", "JP", "--at", SEED_NIGHT)["calls"] == \
        answer(cardguard, "--card", "amex", "--at", SEED_NIGHT)["calls"]


# --------------------------------------------------------------------------------- one core for all

CASES = [
    ("amex", None, None), ("amex-gold", "fraud", None), ("ana-gold", None, "TH"), ("amex-business", "lost", None),
    ("amex", "fraud", "FR"), (None, "fax", None), ("delta-gold", "cancel", None), ("hilton-premium", "overseas", "US"),
]


@pytest.mark.parametrize("card, purpose, country", CASES)
def test_the_cli_prints_the_core_value(profile, card, purpose, country):
    from cardguard.cli import app
    from cardguard.directory import load_directory
    from cardguard.directory.calls import whom_to_call

    args = ["contacts", "--at", SEED_NIGHT, "--json", "--lang", "ja"]
    for option, value in (("--card", card), ("--purpose", purpose), ("--country", country)):
        if value:
            args += [option, value]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    core = whom_to_call(load_directory(), at=datetime.fromisoformat(SEED_NIGHT), product=card, purpose=purpose,
                        country=country)
    assert json.loads(result.stdout) == json.loads(json.dumps(core.as_json("ja")))


def test_the_verdicts_call_list_is_the_cores_fraud_answer(profile):
    from cardguard.directory import load_directory
    from cardguard.directory.calls import whom_to_call
    from cardguard.verify.check import _calls

    directory = load_directory()
    moment = datetime.fromisoformat(SEED_NIGHT)
    for card in (None, "amex-gold", "amex-business"):
        groups = _calls(directory, directory.issuer("amex-jp"), card, moment)
        core = whom_to_call(directory, at=moment, issuer="amex-jp", product=card, purpose="fraud")
        assert [g.call.number for g in groups] == list(dict.fromkeys(c.number for c in core.calls))


def test_the_directory_is_loaded_once_and_again_when_a_user_file_changes(profile):
    from cardguard.directory import load_directory

    first = load_directory()
    assert load_directory() is first and load_directory("ja") is first
    (profile / "config" / "overrides.toml").write_text(
        '[[line]]\ncard = "amex"\npurpose = "fraud"\nnumber = "0120-111111"\nsource = "my card"\nas_of = 2026-11-01\n',
        encoding="utf-8")
    again = load_directory()
    assert again is not first and [o.number for o in again.overrides] == ["0120-111111"]
    assert again.overrides[0].issuer == "amex-jp"  # from the card's name, not a default


def test_an_incident_for_a_card_of_another_issuer_calls_its_back_number_only(cardguard):
    add(cardguard, "--nickname", "楽天カード", "--last4", "4321")
    run = cardguard("incident", "start", "--kind", "lost-or-stolen", "--card", "楽天カード", "--json", "--lang", "ja")
    assert run.code == 0, run.err
    doc = run.json()
    assert doc["issuer"] in (None, "")
    (step,) = [s for s in doc["steps"] if s["id"] == "call-lost"]
    assert step["call"] == [] and "カード裏面に記載の番号" in step["call_notes"][0]
    text = cardguard("incident", "show", "--lang", "en").out
    assert "number printed on the back of your card" in text and "0120-" not in text


def test_an_incidents_call_step_is_the_cores_answer_for_its_card(cardguard):
    add(cardguard, "--nickname", "main", "--product", "amex-business", "--last4", "1005", "--back-number", "0120-941760")
    doc = cardguard("incident", "start", "--kind", "lost-or-stolen", "--card", "main", "--json").json()
    (step,) = [s for s in doc["steps"] if s["id"] == "call-lost"]
    # The back number is the business card's general line: one entry with that line's topic, said
    # to be on the card (it was listed twice).
    assert [(c["number"], c["printed_on_card"], c["open_now"]) for c in step["call"]] == [("0120-941760", True, True)]
    assert "Membership Services" in step["call"][0]["topic"] and "back of your card" in step["call"][0]["topic"]


def test_a_settings_file_is_read_and_its_errors_are_in_the_readers_language(cardguard, profile):
    # config.toml shares the directory's file reader: it lost its language argument with the directory.
    import mailkit

    mail = profile / "mail.eml"
    mail.write_bytes(mailkit.message(sender="safekey@americanexpress-safekey.com", to="shop.9qz@icloud.com"))
    config = profile / "config" / "config.toml"
    config.write_text('[aliases]\namex-jp = ["amex.7f3k@icloud.com"]\n', encoding="utf-8")
    run = cardguard("check", "--offline", str(mail), "--json")
    assert run.code == 0, run.err
    assert run.json()["verdict"] == "phishing"
    config.write_text('[check]\nresolvr = "127.0.0.1:53"\n', encoding="utf-8")
    ja = cardguard("check", "--offline", str(mail), "--lang", "ja")
    assert ja.code != 0 and "resolvr" in ja.err and "Traceback" not in ja.err and "内部" not in ja.err
