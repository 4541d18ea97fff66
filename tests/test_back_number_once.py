"""The number on the back of the holder's card, when it is also a directory line, is one entry in
every front end: `contacts` (text and --json), the incident's call step (CLI and web) and the web's
call page. The core (directory.calls.whom_to_call) gives one answer; the front ends only word it."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from cardguard.web.app import create_app

SEED_NIGHT = "2025-11-21T23:30+09:00"
JA = {"accept-language": "ja-JP,ja;q=0.9"}


@pytest.fixture
def client(profile):
    return TestClient(create_app(), base_url="http://127.0.0.1", raise_server_exceptions=False)


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _fraud_numbers_in_text(out: str, heading: str) -> list[str]:
    """The numbers the text lists under a purpose heading ("● 盗難・不正利用  0120-020120 ...")."""
    return [m.group(1) for m in re.finditer(rf"^[●○?] {heading}\s+([\d-]+)", out, re.M)]


@pytest.mark.parametrize("written", ["0120-020120", "0120020120", "０１２０－０２０１２０"])
def test_a_back_number_that_is_the_fraud_line_is_listed_once_everywhere(cardguard, client, written):
    added = cardguard("cards", "add", "--nickname", "メイン", "--product", "amex", "--last4", "1005",
                      "--back-number", written)
    assert added.code == 0, added.err

    doc = cardguard("contacts", "--card", "メイン", "--purpose", "fraud", "--at", SEED_NIGHT, "--json").json()
    (call,) = [c for c in doc["calls"] if _digits(c["number"]) == "0120020120"]
    # The one entry keeps what the directory says (the card, hours, open now) and says it is on the card.
    assert call["printed_on_card"] is True and call["card_name"] == "American Express Card"
    assert call["open_now"] is True and call["always_open"] is True and call["hours_stated"] is True
    assert "Printed on the back of your card (メイン)" in call["topic"]
    assert doc["calls"][0] is not None and _digits(doc["calls"][0]["number"]) == "0120020120"

    ja = cardguard("contacts", "--card", "メイン", "--purpose", "fraud", "--at", SEED_NIGHT, "--lang", "ja").out
    assert [_digits(n) for n in _fraud_numbers_in_text(ja, "盗難・不正利用")] == ["0120020120"]
    assert ja.count("裏面に記載の番号") == 1 and "受付中（24時間）" in ja
    en = cardguard("contacts", "--card", "メイン", "--at", SEED_NIGHT, "--lang", "en").out
    assert [_digits(n) for n in _fraud_numbers_in_text(en, "Theft and fraud")] == ["0120020120"]
    # Other purposes that share the number still say what else it answers.
    assert [_digits(n) for n in _fraud_numbers_in_text(en, "Loss and reissue")] == ["0120020120"]

    started = cardguard("incident", "start", "--kind", "unknown-code", "--card", "1005", "--lang", "en")
    assert started.code == 0, started.err
    for shown in (started.out, cardguard("incident", "show", "--lang", "ja").out):
        step = shown.split("call-fraud")[1].split("stop-reissue")[0]
        assert [_digits(n) for n in re.findall(r"☎ ([\d-]+)", step)] == ["0120020120"]
    data = cardguard("incident", "show", "--json").json()
    (call_step,) = [s for s in data["steps"] if s["id"] == "call-fraud"]
    assert [(_digits(c["number"]), c["printed_on_card"]) for c in call_step["call"]] == [("0120020120", True)]

    page = client.get("/incidents/1", headers=JA).text
    step_html = page.split('id="step-call-fraud"')[1].split("</li>")[0]
    assert re.findall(r'href="(tel:[^"]+)"', step_html) == ["tel:0120020120"]
    call_page = client.get("/call", headers=JA).text
    assert re.findall(r'<a class="call" href="(tel:[^"]+)"', call_page) == ["tel:0120020120"]
    assert call_page.count("裏面に記載の番号") == 1


def test_a_card_without_its_product_folds_every_row_with_its_back_number(cardguard):
    # Four cards of the directory share 0120-020120; the holder's card is one of them, which one is
    # not recorded: one entry for the back number, not five.
    cardguard("cards", "add", "--issuer", "amex-jp", "--nickname", "noprod", "--last4", "1111",
              "--back-number", "0120-020120")
    doc = cardguard("contacts", "--card", "noprod", "--purpose", "fraud", "--at", SEED_NIGHT, "--json").json()
    matching = [c for c in doc["calls"] if _digits(c["number"]) == "0120020120"]
    assert len(matching) == 1 and matching[0]["printed_on_card"] and matching[0]["card_name"] is None
    assert doc["calls"][0] == matching[0]
    text = cardguard("contacts", "--card", "noprod", "--purpose", "fraud", "--at", SEED_NIGHT, "--lang", "en").out
    block = text.split("0120-020120")[1].split("●")[0]
    assert "every card" not in block  # the holder's own card, not "every card"


def test_abroad_the_back_number_is_one_entry_after_the_country_line(cardguard):
    cardguard("cards", "add", "--nickname", "main", "--product", "amex", "--last4", "1005", "--back-number", "0120-020120")
    doc = cardguard("contacts", "--card", "main", "--country", "FR", "--purpose", "fraud", "--at", SEED_NIGHT,
                    "--json").json()
    numbers = [_digits(c["number"]) for c in doc["calls"]]
    assert numbers[0] == "0800908629" and numbers.count("0120020120") == 1
    back = doc["calls"][numbers.index("0120020120")]
    assert back["printed_on_card"] and [c["code"] for c in back["caveats"]] == ["calls.caveat.not_diallable_abroad"]
    assert "call this first" not in back["topic"]


def test_a_back_number_of_no_line_stays_the_cards_own(cardguard):
    cardguard("cards", "add", "--nickname", "main", "--product", "amex", "--last4", "1005", "--back-number", "03-1234-5678")
    calls = cardguard("contacts", "--card", "main", "--purpose", "fraud", "--at", SEED_NIGHT, "--json").json()["calls"]
    assert [(c["number"], c["origin"], c["printed_on_card"]) for c in calls] == [
        ("03-1234-5678", "card", True), ("0120-020120", "directory", False)]


def test_a_back_number_of_no_line_names_its_source_in_the_pages_language(cardguard, client):
    # Found by a new user: the web's call page said 出典：the back of your card on a Japanese page.
    cardguard("cards", "add", "--nickname", "main", "--product", "amex", "--last4", "1005", "--back-number", "03-1234-5678")
    page = client.get("/call", headers=JA).text
    assert "the back of your card" not in page and "カード裏面" in page
    ja = cardguard("contacts", "--card", "main", "--purpose", "fraud", "--json", "--lang", "ja").json()["calls"]
    assert [c["source"] for c in ja if c["origin"] == "card"] == ["お手元のカード裏面"]


@pytest.mark.parametrize(("one", "other"), [
    ("+81 (0)3-1234-5678", "03-1234-5678"), ("＋８１ ３ １２３４ ５６７８", "03-1234-5678"),
    ("81-3-1234-5678", "03-1234-5678"), ("0120‐020‐120", "0120-020120"), ("+1-800-866-8630", "1-800-866-8630")])
def test_numbers_a_phone_dials_alike_are_one_line_everywhere(one, other):
    # The call lists grouped numbers by their digits alone while the check compared them as a phone
    # dials them: "+81 (0)3 …" and full-width digits were two lines on one page and one in a verdict.
    from cardguard.directory.lookup import same_number_key

    assert same_number_key(one) == same_number_key(other)
