"""`cardguard contacts` as a card holder uses it."""

from __future__ import annotations

import pytest

SEED_NIGHT = "2025-11-21T23:30+09:00"
KEYS = {"issuer", "card", "purpose", "number", "kind", "toll_free", "hours", "always_open", "open_now", "opens_at",
        "closes_at", "source", "as_of"}


def test_the_seed_night_fraud_line_is_open_and_general_is_closed(cardguard):
    run = cardguard("contacts", "--card", "amex", "--at", SEED_NIGHT, "--json")
    assert run.code == 0, run.err
    lines = run.json()["calls"]
    assert all(KEYS <= set(line) for line in lines)
    fraud = [line for line in lines if line["purpose"] == "fraud"]
    assert [(f["number"], f["open_now"], f["always_open"]) for f in fraud] == [("0120-020120", True, True)]
    general = [line for line in lines if line["purpose"] == "general"]
    assert [(g["number"], g["open_now"], g["opens_at"]) for g in general] == \
        [("0120-020120", False, "2025-11-25T09:00:00+09:00")]
    # Urgent purposes first, and the first line answers around the clock.
    assert lines[0]["purpose"] == "fraud" and lines[0]["always_open"]
    assert lines[1]["purpose"] == "lost"


def test_the_seed_night_in_japanese_text(cardguard):
    run = cardguard("contacts", "--card", "amex", "--at", SEED_NIGHT, "--lang", "ja")
    assert run.code == 0, run.err
    first = run.out.splitlines()[2]
    assert "盗難・不正利用" in first and "0120-020120" in first
    assert "受付中（24時間）" in run.out
    assert "2025年11月25日(火) 9:00から" in run.out
    assert "緊急時は24時間対応" in run.out


def test_japanese_locale_picks_japanese(cardguard):
    run = cardguard("contacts", "--card", "amex", "--purpose", "fraud", "--at", SEED_NIGHT, env={"LANG": "ja_JP.UTF-8"})
    assert "盗難・不正利用" in run.out
    run = cardguard("contacts", "--card", "amex", "--purpose", "fraud", "--at", SEED_NIGHT, env={"LANG": "en_US.UTF-8"})
    assert "Theft and fraud" in run.out


@pytest.mark.parametrize("given", ["amex-gold", "AMEX-GOLD", "アメリカン・エキスプレス・ゴールド・カード",
                                   "American Express Gold Card", "ａｍｅｒｉｃａｎ ｅｘｐｒｅｓｓ ｇｏｌｄ ｃａｒｄ",
                                   "アメリカンエキスプレスゴールドカード"])
def test_card_by_id_or_name_case_and_width_insensitive(cardguard, given):
    run = cardguard("contacts", "--card", given, "--purpose", "fraud", "--json")
    assert run.code == 0, run.err
    assert [(line["card"], line["number"]) for line in run.json()["calls"]] == [("amex-gold", "0120-010120")]


def test_unknown_card_lists_the_choices(cardguard):
    run = cardguard("contacts", "--card", "titanium")
    assert run.code != 0
    assert "Unknown card: titanium" in run.err
    assert "amex-platinum" in run.err and "persona-stacia" in run.err
    assert "Traceback" not in run.err + run.out


def test_unknown_card_in_json_and_japanese(cardguard):
    run = cardguard("contacts", "--card", "titanium", "--json", "--lang", "ja")
    assert run.code != 0
    error = run.json()["error"]
    assert error["code"] == "error.unknown_card" and "カードが見つかりません" in error["message"]
    assert any(d.startswith("amex-gold") for d in error["details"])


def test_unknown_purpose_lists_the_choices(cardguard):
    run = cardguard("contacts", "--purpose", "pizza")
    assert run.code != 0
    assert "Unknown purpose: pizza" in run.err and "not-arrived" in run.err


@pytest.mark.parametrize("given, purpose", [("theft", "fraud"), ("不正利用", "fraud"), ("紛失", "lost"), ("解約", "cancel")])
def test_purpose_names(cardguard, given, purpose):
    run = cardguard("contacts", "--card", "amex", "--purpose", given, "--json")
    assert {line["purpose"] for line in run.json()["calls"]} == {purpose}


def test_bad_time_is_a_clear_error(cardguard):
    run = cardguard("contacts", "--at", "friday night")
    assert run.code != 0 and "ISO 8601" in run.err and "Traceback" not in run.err


def test_overseas_by_country_for_an_eligible_card(cardguard):
    lines = cardguard("contacts", "--card", "amex-gold", "--country", "FR", "--json").json()["calls"]
    assert [(line["number"], line["always_open"]) for line in lines][:1] == [("0800-90-86-29", True)]
    by_name = cardguard("contacts", "--card", "amex-gold", "--country", "イギリス", "--json").json()["calls"]
    assert by_name[0]["number"] == "0800-824-482"


def test_overseas_country_not_listed_gets_its_regional_centre(cardguard):
    # Thailand is in UN M49 South-eastern Asia: "上記以外のアジア、オセアニア" (the Singapore centre).
    lines = cardguard("contacts", "--card", "ana-gold", "--country", "TH", "--json").json()["calls"]
    overseas = [line["number"] for line in lines if line["purpose"] == "overseas"]
    assert overseas == ["65-6535-1561"] and lines[0]["number"] == "65-6535-1561"


def test_card_not_eligible_for_overseas_says_so(cardguard):
    run = cardguard("contacts", "--card", "amex", "--purpose", "overseas")
    assert run.code == 0
    assert "not eligible for Overseas Assist" in run.out
    assert cardguard("contacts", "--card", "amex", "--purpose", "overseas", "--json").json()["calls"] == []


def test_fax_route(cardguard):
    (line,) = cardguard("contacts", "--purpose", "fax", "--json").json()["calls"]
    assert line["kind"] == "fax" and line["number"] == "03-4540-6869" and line["toll_free"] is False


def test_prepare(cardguard):
    run = cardguard("contacts", "--prepare", "--json")
    assert run.code == 0, run.err
    (amex,) = run.json()
    texts = " ".join(item["text"] for item in amex["before_call"])
    assert "back of your card" in texts
    assert any("extra 0" in item["text"] for item in amex["no_connect"])
    assert any(route["address"] == "info@antiphishing.jp" for route in amex["phishing_report"])
    assert len(amex["cancellation_caveats"]) == 8
    text = cardguard("contacts", "--prepare", "--lang", "ja").out
    assert "電話がつながらないとき" in text and "0の数が多かったり" in text


def test_without_a_card_every_number_is_listed(cardguard):
    lines = cardguard("contacts", "--json").json()["calls"]
    # ①, 審査, ② and ③ (with the business cards' route through ④), ④, ⑤, ⑥, ⑦, ⑧
    assert len(lines) == 8 + 1 + (14 + 2) + (14 + 2) + 12 + 1 + 1 + 17 + 12


def test_help_in_both_languages(cardguard):
    assert "Whom to call" in cardguard("contacts", "--help", "--lang", "en").out
    assert "電話" in cardguard("contacts", "--help", env={"LANG": "ja_JP.UTF-8"}).out


def test_bad_lang(cardguard):
    run = cardguard("contacts", "--lang", "fr")
    assert run.code != 0 and "ja or en" in run.err
