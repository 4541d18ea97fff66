"""A user's own numbers (such as the one on the back of their card) win; a broken file is refused
with the file, the line and the field named."""

from __future__ import annotations


def write_overrides(profile, text: str):
    path = profile / "config" / "overrides.toml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD = """\
# my own numbers
[[line]]
card = "amex"
purpose = "fraud"
number = "0120-111111"
source = "printed on the back of my card"
as_of = 2026-11-01
"""


def test_override_wins_over_the_directory(cardguard, profile):
    write_overrides(profile, GOOD)
    lines = cardguard("contacts", "--card", "amex", "--purpose", "fraud", "--json").json()["calls"]
    assert [(line["number"], line["origin"], line["source"], line["always_open"]) for line in lines] == \
        [("0120-111111", "override", "printed on the back of my card", True)]
    # Other cards keep the directory's number.
    gold = cardguard("contacts", "--card", "amex-gold", "--purpose", "fraud", "--json").json()["calls"]
    assert [line["number"] for line in gold] == ["0120-010120"]


def test_override_of_a_shared_line_for_one_card(cardguard, profile):
    write_overrides(profile, GOOD.replace('purpose = "fraud"', 'purpose = "not-arrived"'))
    lines = cardguard("contacts", "--card", "amex", "--purpose", "not-arrived", "--json").json()["calls"]
    assert [line["number"] for line in lines] == ["0120-111111"]
    others = cardguard("contacts", "--card", "ana", "--purpose", "not-arrived", "--json").json()["calls"]
    assert [line["number"] for line in others] == ["0120-020120"]


def test_override_shown_as_the_users_own(cardguard, profile):
    write_overrides(profile, GOOD)
    out = cardguard("contacts", "--card", "amex", "--purpose", "fraud", "--lang", "ja").out
    assert "0120-111111" in out and "ご自身で登録した番号" in out and "0120-020120" not in out


def test_malformed_number_names_file_line_and_field(cardguard, profile):
    path = write_overrides(profile, GOOD.replace('"0120-111111"', '"call me maybe"'))
    run = cardguard("contacts", "--card", "amex")
    assert run.code != 0
    assert str(path) in run.err and "line 5" in run.err and "field number" in run.err
    assert "Traceback" not in run.err


def test_toml_syntax_error_names_the_line(cardguard, profile):
    path = write_overrides(profile, GOOD.replace('purpose = "fraud"', 'purpose = fraud'))
    run = cardguard("contacts", "--json")
    assert run.code != 0
    message = run.json()["error"]["message"]
    assert str(path) in message and "line 4" in message


def test_unknown_field_and_missing_field(cardguard, profile):
    write_overrides(profile, GOOD.replace("as_of = 2026-11-01", "numbr = \"1\""))
    run = cardguard("contacts", "--lang", "ja")
    assert run.code != 0
    # The missing field points at its table's header, the unknown one at its own line.
    assert "2 行目、項目 as_of" in run.err and "必須" in run.err
    assert "overrides.toml:7: numbr" in run.err


def test_unknown_card_in_overrides(cardguard, profile):
    write_overrides(profile, GOOD.replace('card = "amex"', 'card = "titanium"'))
    run = cardguard("contacts")
    assert run.code != 0 and "line 3" in run.err and "field card" in run.err and "titanium" in run.err
    # "Choose one of these:" is followed by the cards to choose from (it was followed by nothing).
    assert "\n  amex-gold " in run.err, run.err
    details = cardguard("contacts", "--json").json()["error"]["details"]
    assert any(line.startswith("amex-gold ") for line in details), details


def test_new_line_without_hours_must_name_a_schedule(cardguard, profile):
    text = GOOD.replace('card = "amex"', 'card = "amex-platinum"').replace('"fraud"', '"general"')
    write_overrides(profile, text)
    run = cardguard("contacts")
    assert run.code != 0 and "schedule" in run.err
    write_overrides(profile, text + 'schedule = "office"\n')
    lines = cardguard("contacts", "--card", "amex-platinum", "--purpose", "general", "--at",
                      "2025-11-21T23:30+09:00", "--json").json()["calls"]
    assert [(line["number"], line["open_now"]) for line in lines] == [("0120-111111", False)]


def test_two_numbers_of_the_holders_for_one_purpose_are_both_shown(cardguard, profile):
    """A second line for the same purpose (a new number added without deleting the old, or one for
    every card beside one for this card) crashed every command that reads the directory."""
    second = GOOD.replace('"0120-111111"', '"0120-222222"')
    every = GOOD.replace('card = "amex"', 'issuer = "amex-jp"\ncard = "*"').replace('"0120-111111"', '"0120-333333"')
    for text in (GOOD + "\n" + second, every + "\n" + GOOD):
        write_overrides(profile, text)
        run = cardguard("contacts", "--card", "amex", "--purpose", "fraud", "--json")
        assert run.code == 0, run
        numbers = [line["number"] for line in run.json()["calls"]]
        assert {"0120-111111"} < set(numbers) and ({"0120-222222"} < set(numbers) or {"0120-333333"} < set(numbers))
        assert all(line["always_open"] for line in run.json()["calls"] if line["origin"] == "override")


def test_a_line_of_the_holders_for_one_card_says_which_card_in_a_verdict(cardguard, profile, tmp_path):
    """In a verdict's list of lines, the holder's own number for the Gold card read "for: every card",
    sending a Platinum holder to it."""
    from mailkit import message

    write_overrides(profile, GOOD.replace('card = "amex"', 'card = "amex-gold"').replace('"0120-111111"', '"0120-999999"'))
    mail = tmp_path / "m.eml"
    mail.write_bytes(message())
    calls = cardguard("check", "--offline", "--json", str(mail)).json()["calls"]
    (mine,) = [group for group in calls if group["number"] == "0120-999999"]
    assert mine["card_names"] == ["American Express Gold Card"], mine
    shown = cardguard("check", "--offline", "--lang", "en", str(mail)).out
    assert "0120-999999  OPEN: 24 hours\n    for: American Express Gold Card" in shown, shown


def test_the_number_on_the_card_stays_first_beside_an_own_line_for_its_purpose(cardguard, profile):
    """With the holder's own fraud line for the Gold card, `contacts --card ゴールド --purpose fraud`
    showed only that line: the number printed on the card had moved to "lost" and was filtered out."""
    assert cardguard("cards", "add", "--nickname", "ゴールド", "--product", "amex-gold", "--last4", "1234",
                     "--back-number", "0120-010120").code == 0
    write_overrides(profile, GOOD.replace('card = "amex"', 'card = "amex-gold"').replace('"0120-111111"', '"0120-999999"'))
    calls = cardguard("contacts", "--card", "ゴールド", "--purpose", "fraud", "--json").json()["calls"]
    assert [(c["number"], c["origin"]) for c in calls] == [("0120-010120", "card"), ("0120-999999", "override")], calls
