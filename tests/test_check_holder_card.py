"""`check --card` names the card as `contacts --card` does: one of the holder's registered cards (its
number, nickname or last four digits) first, else a card product. A new user's registered card was
refused by `check` ("カードが見つかりません") while `contacts` took it; and a mail that reached a
card's registered alias listed every product's fraud line instead of that card's, without the
number on its back."""

from __future__ import annotations

import re

import pytest

PHISH = ("From: American Express <safekey@americanexpress.com>\r\n"
         "To: {to}\r\n"
         "Subject: =?utf-8?b?44K744O844OV44Kt44O8?=\r\n"
         "Date: Fri, 21 Nov 2025 23:28:00 +0900\r\n"
         "Message-ID: <x1@americanexpress.com>\r\n"
         "MIME-Version: 1.0\r\n"
         "Content-Type: text/plain; charset=utf-8\r\n"
         "\r\n"
         "認証コード：482913\r\nご確認はこちら https://amex-safekey-jp.com/login\r\n")


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


@pytest.fixture
def two_cards(cardguard):
    for nickname, product, last4, alias in (("メイン", "amex-gold", "1005", "me+amex@example.com"),
                                            ("出張用", "amex-platinum", "2006", "trip+amex@example.com")):
        added = cardguard("cards", "add", "--nickname", nickname, "--product", product, "--last4", last4,
                          "--back-number", "0120-020120", "--alias", alias)
        assert added.code == 0, added.err
    return cardguard


def _calls(run) -> list[dict]:
    assert run.code == 0, run.err + run.out
    return run.json()["calls"]


@pytest.mark.parametrize("named", ["メイン", "#1", "1005", "ﾒｲﾝ"])
def test_check_card_names_a_registered_card_and_calls_its_back_number_first(two_cards, tmp_path, named):
    mail = tmp_path / "m.eml"
    mail.write_text(PHISH.format(to="someone@example.com"), encoding="utf-8")
    calls = _calls(two_cards("check", str(mail), "--offline", "--card", named, "--json"))
    assert calls[0]["printed_on_card"] is True and "メイン" in calls[0]["topic"]
    # Only the gold card's lines: the platinum card's own desk is not this card's.
    assert {c["card"] for c in calls} == {"amex-gold"}
    text = two_cards("check", str(mail), "--offline", "--card", named, "--lang", "ja")
    assert text.code == 0 and "カードが見つかりません" not in text.out + text.err
    assert "裏面に記載の番号" in text.out or "0120-020120" in text.out


def test_the_registered_alias_the_mail_reached_picks_the_card(two_cards, tmp_path):
    mail = tmp_path / "m.eml"
    mail.write_text(PHISH.format(to="trip+amex@example.com"), encoding="utf-8")
    calls = _calls(two_cards("check", str(mail), "--offline", "--json"))
    assert calls[0]["printed_on_card"] is True and "出張用" in calls[0]["topic"]
    assert {c["card"] for c in calls} == {"amex-platinum"}


def test_a_product_name_still_works_and_a_card_nobody_has_is_an_error(two_cards, tmp_path):
    mail = tmp_path / "m.eml"
    mail.write_text(PHISH.format(to="someone@example.com"), encoding="utf-8")
    # A product the holder has no card of: its lines, and no back number of anyone's card.
    calls = _calls(two_cards("check", str(mail), "--offline", "--card", "amex", "--json"))
    assert {c["card"] for c in calls} == {"amex"} and not any(c["printed_on_card"] for c in calls)
    wrong = two_cards("check", str(mail), "--offline", "--card", "存在しないカード", "--lang", "ja")
    assert wrong.code != 0 and "カードが見つかりません" in wrong.out + wrong.err


def test_an_incident_from_a_mail_to_a_registered_alias_is_about_that_card(two_cards, tmp_path):
    mail = tmp_path / "m.eml"
    mail.write_text(PHISH.format(to="trip+amex@example.com"), encoding="utf-8")
    started = two_cards("incident", "start", "--from-mail", str(mail), "--offline", "--json")
    assert started.code == 0, started.err + started.out
    assert [c["nickname"] for c in started.json()["cards"]] == ["出張用"]
    # A card named on the command line wins over the alias.
    named = two_cards("incident", "start", "--from-mail", str(mail), "--offline", "--card", "メイン", "--json")
    assert [c["nickname"] for c in named.json()["cards"]] == ["メイン"]


def test_a_back_number_of_no_line_is_shown_as_the_cards_own_not_as_every_cards(cardguard):
    # Found by a new user: with --card, the number on the back of the holder's card was listed
    # "for: every card" in the verdict's lines (contacts already said whose card it is on).
    added = cardguard("cards", "add", "--nickname", "ゴールド", "--product", "amex-gold", "--last4", "1005",
                      "--back-number", "03-1234-5678")
    assert added.code == 0, added.err
    out = cardguard("check", "-", "--offline", "--card", "ゴールド", "--lang", "ja",
                    input=PHISH.format(to="me@example.com").encode()).out
    lines = out.split("03-1234-5678", 1)[1].split("\n")
    assert "ゴールド" in lines[1] and "全カード" not in lines[1]
    assert "0120-010120" in out  # the card's own 24-hour line still follows
