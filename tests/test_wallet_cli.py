"""Cards, services and the reissue checklist, end to end through the CLI on a real SQLite file."""

from __future__ import annotations

import sqlite3

import pytest

FULL = "4242 4242 4242 4242"  # Luhn-valid test number
AMEX_FULL = "378282246310005"


@pytest.fixture
def holder(cardguard):
    """The seed holder's registry: one Amex card and the services that store it."""
    assert cardguard("cards", "add", "--nickname", "メインのアメックス", "--product", "amex", "--last4", "1005",
                     "--expiry", "12/29", "--issued", "2019-04-01", "--alias", "amex.7f3k@icloud.com").code == 0
    for args in (["Netflix", "--amount", "¥1,490", "--next-charge", "2025-12-05", "--holds", "typed"],
                 ["Apple Music", "--amount", "1080", "--currency", "JPY", "--next-charge", "2025-12-01",
                  "--holds", "wallet"],
                 ["Old VPN", "--amount", "600", "--last-charged", "2023-01-01"],
                 ["Amazon", "--cycle", "yearly", "--amount", "5900", "--next-charge", "2026-03-01"]):
        run = cardguard("services", "add", *args, "--card", "1005")
        assert run.code == 0, run.err
    return cardguard


def test_card_json_shape(holder):
    (card,) = holder("cards", "list", "--json").json()
    assert card["nickname"] == "メインのアメックス" and card["last4"] == "1005" and card["expiry"] == "12/29"
    assert card["product"] == "amex" and card["product_name"] == "American Express Card"
    assert card["services"] == 4 and card["status"] == "active"


def test_reissue_flow_end_to_end(holder):
    run = holder("reissue", "メインのアメックス", "--last4", "2008", "--expiry", "11/30", "--json")
    assert run.code == 0, run.err
    doc = run.json()
    assert doc["new_card"]["last4"] == "2008" and doc["new_card"]["replaces"] is not None
    items = doc["checklist"]["items"]
    # One item per service, ordered by next charge; the wallet follows by itself.
    assert [i["title"] for i in items] == ["Apple Music", "Netflix", "Amazon", "Old VPN"]
    assert [i["follows_by_itself"] for i in items] == [True, False, False, False]
    assert doc["checklist"]["progress"] == {"done": 0, "total": 4}
    assert doc["checklist"]["due_first"]["title"] == "Apple Music"

    cards = {c["last4"]: c["status"] for c in holder("cards", "list", "--all", "--json").json()}
    assert cards == {"1005": "replaced", "2008": "active"}

    ids = {i["title"]: i["id"] for i in items}
    assert holder("reissue", "mark", str(ids["Apple Music"]), "not-needed").code == 0
    assert holder("reissue", "mark", str(ids["Netflix"]), "updated").code == 0
    assert holder("reissue", "mark", str(ids["Old VPN"]), "cancelled").code == 0
    status = holder("reissue", "status", "--json").json()
    assert status["progress"] == {"done": 3, "total": 4}
    assert status["due_first"]["title"] == "Amazon"
    # Updated and self-following services now hold the new card; the cancelled one is gone from the list.
    services = {s["name"]: s for s in holder("services", "list", "--json").json()}
    assert services["Netflix"]["card"]["last4"] == "2008" and services["Apple Music"]["card"]["last4"] == "2008"
    assert services["Amazon"]["card"]["last4"] == "1005"
    assert "Old VPN" not in services
    text = holder("reissue", "status", "--lang", "ja").out
    assert "4 件中 3 件完了" in text and "Amazon" in text

    bad = holder("reissue", "mark", str(ids["Amazon"]), "maybe")
    assert bad.code != 0 and "updated" in bad.err


def test_close_card_gives_the_seed_checklist(holder):
    run = holder("cards", "close", "1005", "--yes", "--json", "--lang", "ja")
    assert run.code == 0, run.err
    titles = [i["title"] for i in run.json()["items"]]
    assert titles[0] == "メンバーシップ・リワードのポイントが失効する"
    assert any("ETCカード" in title for title in titles)
    assert any("Apple Pay" in title for title in titles)
    assert "Netflix の支払い方法を変更する" in titles
    assert len(titles) == 8 + 4


def test_review(holder):
    (entry,) = holder("cards", "review", "--json").json()["cards"]
    assert entry["services"] == 4 and entry["age_days"] > 365 * 5
    assert [s["name"] for s in entry["idle_services"]] == ["Old VPN"]
    assert "再発行は" in holder("cards", "review", "--lang", "ja").out


@pytest.mark.parametrize("args", [
    ["cards", "add", "--nickname", f"card {FULL}", "--last4", "4242"],
    ["cards", "add", "--nickname", "x", "--last4", "4242", "--alias", f"{AMEX_FULL}@example.com"],
    ["services", "add", "Shop", "--notes", f"paid with {AMEX_FULL}"],
    ["services", "add", f"Shop {FULL.replace(' ', '-')}"],
    ["cards", "add", "--nickname", "x", "--last4", FULL],
])
def test_full_card_numbers_are_refused_and_never_written(cardguard, profile, args):
    cardguard("cards", "add", "--nickname", "seed", "--last4", "0005")  # the database exists
    run = cardguard(*args)
    assert run.code != 0
    assert "card number" in run.err or "last four" in run.err
    for digits in ("4242424242424242", "4242 4242 4242 4242", "378282246310005"):
        assert digits not in run.err and digits not in run.out
    for path in (profile / "data").iterdir():
        content = path.read_bytes()
        assert b"4242424242424242" not in content and b"4242 4242" not in content
        assert b"378282246310005" not in content


def test_unknown_card_reference_lists_cards(holder):
    run = holder("services", "add", "Hulu", "--card", "9999")
    assert run.code != 0 and "No card matches" in run.err and "メインのアメックス" in run.err


def test_contacts_uses_the_registered_card_and_its_back_number(holder):
    holder("cards", "edit", "1005", "--back-number", "0120-020120")
    lines = holder("contacts", "--card", "メインのアメックス", "--purpose", "fraud", "--at",
                   "2025-11-21T23:30+09:00", "--json").json()["calls"]
    # The back number is this card's fraud line: one entry, said to be on the card.
    assert lines[0]["printed_on_card"] and lines[0]["number"] == "0120-020120" and lines[0]["open_now"] is True
    assert [line["number"] for line in lines].count("0120-020120") == 1


def test_locked_database_is_a_clear_error(holder, profile):
    db = sqlite3.connect(profile / "data" / "cardguard.db", timeout=1)
    db.execute("BEGIN EXCLUSIVE")
    try:
        run = holder("cards", "add", "--nickname", "second", "--last4", "0001")
    finally:
        db.rollback()
        db.close()
    assert run.code != 0 and "locked" in run.err and "Traceback" not in run.err
    assert len(holder("cards", "list", "--json").json()) == 1


def test_read_only_database_is_a_clear_error(holder, profile):
    url = f"sqlite:///file:{profile / 'data' / 'cardguard.db'}?mode=ro&uri=true"
    run = holder("cards", "add", "--nickname", "second", "--last4", "0001", env={"CARDGUARD_DATABASE_URL": url})
    assert run.code != 0 and "read-only" in run.err
    listed = holder("cards", "list", "--json", env={"CARDGUARD_DATABASE_URL": url})
    assert listed.code == 0 and len(listed.json()) == 1
