"""Ticking a reissue checklist item when the new card already has a service of that name (the holder
typed it in on the new card, or accepted it from the new card's statement) is one subscription: it
is merged, never a second "Netflix" on the new card. Command line and web, one core function
(registry.mark_item → registry.onto_card)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

JA = {"accept-language": "ja-JP,ja;q=0.9"}


@pytest.fixture
def reissued(cardguard):
    """Old card ****1005 with Netflix (its payment page, amount, notes) reissued as ****2008, on which
    the holder already registered Netflix by hand (no page, no amount)."""
    assert cardguard("cards", "add", "--nickname", "amex", "--product", "amex", "--last4", "1005").code == 0
    assert cardguard("services", "add", "Netflix", "--card", "1005", "--amount", "1490",
                     "--url", "https://www.netflix.com/YourAccount", "--notes", "family plan").code == 0
    assert cardguard("services", "add", "Spotify", "--card", "1005", "--holds", "wallet").code == 0
    checklist = cardguard("reissue", "amex", "--last4", "2008", "--json").json()["checklist"]
    assert cardguard("services", "add", "ＮＥＴＦＬＩＸ", "--card", "2008", "--notes", "new card").code == 0
    return {item["title"]: item["id"] for item in checklist["items"]}


def test_marking_updated_merges_into_the_service_already_on_the_new_card(cardguard, reissued):
    marked = cardguard("reissue", "mark", str(reissued["Netflix"]), "updated", "--lang", "ja")
    assert marked.code == 0, marked.err
    assert "ＮＥＴＦＬＩＸ はすでに amex ****2008 に登録されていました（サービス #3）。" in marked.out
    assert "古いカードのサービス #1 はそこにまとめました（2件目は作っていません）。" in marked.out
    services = cardguard("services", "list", "--json").json()
    netflix = [s for s in services if s["name"].casefold() in ("netflix", "ｎｅｔｆｌｉｘ")]
    assert len(netflix) == 1, services
    (kept,) = netflix
    assert kept["id"] == 3
    # What the old record knew and the new one did not is kept; what the holder typed on the new card wins.
    assert kept["payment_url"] == "https://www.netflix.com/YourAccount" and kept["amount"] == "1490.00"
    assert kept["notes"] == "new card\nfamily plan"
    status = cardguard("reissue", "status", "--json").json()
    row = next(i for i in status["items"] if i["id"] == reissued["Netflix"])
    assert row["status"] == "updated" and row["service_id"] == 3
    assert status["still_on_old_cards"] == []


def test_in_json_the_merge_is_said_too(cardguard, reissued):
    value = cardguard("reissue", "mark", str(reissued["Netflix"]), "updated", "--json").json()
    assert value["merged"]["from"] == 1 and value["merged"]["into"] == 3
    assert "not added a second time" in value["merged"]["message"]


def test_a_wallet_service_that_follows_by_itself_merges_as_well(cardguard, reissued):
    assert cardguard("services", "add", "spotify", "--card", "2008").code == 0
    assert cardguard("reissue", "mark", str(reissued["Spotify"]), "not-needed").code == 0
    names = [s["name"].casefold() for s in cardguard("services", "list", "--json").json()]
    assert names.count("spotify") == 1


def test_two_of_that_name_already_on_the_new_card_is_a_clear_error_and_nothing_changes(cardguard, reissued):
    assert cardguard("services", "add", "Netflix", "--card", "2008", "--allow-duplicate").code == 0
    before = cardguard("services", "list", "--json").json()
    refused = cardguard("reissue", "mark", str(reissued["Netflix"]), "updated", "--lang", "ja")
    assert refused.code != 0 and "Traceback" not in refused.err
    assert "Netflix は新しいカード ****2008 に複数登録されています（#3, #4）" in refused.err
    assert "何も変更していません" in refused.err
    assert cardguard("services", "list", "--json").json() == before
    row = next(i for i in cardguard("reissue", "status", "--json").json()["items"] if i["id"] == reissued["Netflix"])
    assert row["status"] == "todo"
    english = cardguard("reissue", "mark", str(reissued["Netflix"]), "updated", "--json")
    assert english.json()["error"]["code"] == "error.reissue_twins"


def test_without_a_twin_the_service_simply_moves(cardguard, reissued):
    assert cardguard("reissue", "mark", str(reissued["Spotify"]), "updated").code == 0
    spotify = [s for s in cardguard("services", "list", "--json").json() if s["name"] == "Spotify"]
    assert len(spotify) == 1 and spotify[0]["id"] == 2


def test_on_the_web_the_row_says_it_merged_and_the_new_card_has_one_netflix(cardguard, reissued, profile):
    from cardguard.web.app import create_app

    client = TestClient(create_app(), base_url="http://127.0.0.1")
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/cards", headers=JA).text).group(1)
    item = reissued["Netflix"]
    row = client.post(f"/checklist/items/{item}", data={"csrf": token, "status": "updated"},
                      headers={**JA, "hx-request": "true"})
    assert row.status_code == 200
    assert "古いカードのサービス #1 はそこにまとめました（2件目は作っていません）。" in row.text
    page = client.get("/cards", headers=JA).text
    services = page.split('class="services"', 1)[1].split("</ul>", 1)[0]
    assert services.count("ＮＥＴＦＬＩＸ") + services.count("Netflix") == 1
