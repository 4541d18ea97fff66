"""What to do besides calling is said once. The source gives the police report under both the loss
(②) and the theft/fraud (③) table; the directory held it inside each table's note, so an answer
listing both tables said it twice, in two wordings. It is now one piece of advice that both
tables name, and an answer says each piece once, in `contacts` (text, --json) and on the web."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from cardguard.web.app import create_app

SEED_NIGHT = "2025-11-21T23:30+09:00"


@pytest.fixture
def client(profile):
    return TestClient(create_app(), base_url="http://127.0.0.1", raise_server_exceptions=False)


@pytest.mark.parametrize(("lang", "police"), [("ja", "警察"), ("en", "police")])
@pytest.mark.parametrize("args", [("--card", "amex"), ("--issuer", "amex-jp"), ("--card", "amex", "--country", "FR")])
def test_contacts_gives_the_police_advice_once(cardguard, lang, police, args):
    run = cardguard("contacts", *args, "--at", SEED_NIGHT, "--lang", lang)
    assert run.code == 0, run.err
    advice = [line for line in run.out.splitlines() if line.startswith("・")]
    assert sum(police in line for line in advice) == 1, run.out
    # Nothing the two tables said is lost: the loss table's delivery time and the fraud table's 60 days.
    assert any(("1週間〜10日" if lang == "ja" else "1 week to 10 days") in line for line in advice)
    assert any("60" in line for line in advice)


def test_contacts_json_lists_each_piece_of_advice_once(cardguard):
    doc = cardguard("contacts", "--card", "amex", "--at", SEED_NIGHT, "--json").json()
    ids = [a["id"] for a in doc["advice"]]
    assert ids == ["police", "fraud-60-days", "reissue-arrives", "cancel-in-person"]
    assert sum("police" in a["message"] for a in doc["advice"]) == 1
    fraud = cardguard("contacts", "--card", "amex", "--purpose", "fraud", "--json", "--lang", "ja").json()
    assert [a["id"] for a in fraud["advice"]] == ["police", "fraud-60-days"] and "警察" in fraud["advice"][0]["message"]


def test_the_web_call_page_gives_the_advice_once_for_every_card(cardguard, client):
    # Two cards of the holder, two answers: the police advice is still one line.
    for nickname, last4 in (("one", "1005"), ("two", "2006")):
        assert cardguard("cards", "add", "--nickname", nickname, "--product", "amex", "--last4", last4).code == 0
    for purpose in ("fraud", "lost"):
        page = client.get(f"/call?purpose={purpose}", headers={"accept-language": "ja"}).text
        advice = page.split('<ul class="advice">')[1].split("</ul>")[0]
        assert advice.count("警察") == 1, purpose


def test_a_table_naming_advice_the_issuer_does_not_have_is_refused(cardguard, profile):
    from pathlib import Path

    from cardguard import directory

    shipped = (Path(directory.__file__).parent / "data" / "amex-jp.toml").read_text(encoding="utf-8")
    broken = shipped.replace('advice = ["police", "fraud-60-days"]', 'advice = ["police", "no-such-advice"]')
    assert broken != shipped
    folder = profile / "config" / "issuers"
    folder.mkdir()
    (folder / "amex-jp.toml").write_text(broken, encoding="utf-8")
    run = cardguard("contacts", "--card", "amex", "--lang", "en")
    assert run.code != 0 and "no-such-advice" in run.err and "Traceback" not in run.err
