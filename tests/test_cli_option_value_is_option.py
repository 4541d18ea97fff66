"""An option that takes a value, followed by another option, is a usage error: `contacts --card --json`
used to answer about a card called "--json". Every command of the CLI, in both languages; a negative
number and a value written onto the option (--card=--x) are still read as the holder wrote them."""

from __future__ import annotations

import pytest

JA = {"LANG": "ja_JP.UTF-8"}


def _every_option_that_takes_a_value():
    """(command words, option name, the command's click object) for every value-taking option."""
    import typer.main

    from cardguard.cli import app

    found = []

    def walk(command, words):
        for param in command.params:
            if param.param_type_name == "option" and not param.is_flag and not getattr(param, "count", False):
                long_name = next(name for name in param.opts if name.startswith("--"))
                for name in param.opts + param.secondary_opts:
                    found.append((tuple(words), name, long_name, command))
        for name, sub in (getattr(command, "commands", None) or {}).items():
            walk(sub, [*words, name])

    walk(typer.main.get_command(app), [])
    return found


def test_every_value_taking_option_of_every_command_refuses_another_option_as_its_value():
    from typer._click.exceptions import BadOptionUsage

    options = _every_option_that_takes_a_value()
    assert len(options) > 60  # the walk really saw the whole CLI
    taken_as_value = []
    for words, name, long_name, command in options:
        for following in ("--json", "--help", "-h"):
            try:
                context = command.make_context(" ".join(["cardguard", *words]), [name, following],
                                               help_option_names=["-h", "--help"])  # as the root sets it
            except BadOptionUsage as error:
                assert error.format_message() == (
                    f"Option {name!r} needs a value, but got the option {following!r}. Write the value right "
                    f"after {name} (or {long_name}=VALUE).")
                continue
            except Exception as error:  # noqa: BLE001 - any other outcome is the bug, reported below
                taken_as_value.append((words, name, following, type(error).__name__))
                continue
            taken_as_value.append((words, name, following, context.params))
    assert taken_as_value == []


def test_contacts_card_followed_by_json_is_a_json_usage_error_in_english_and_japanese(cardguard):
    english = cardguard("contacts", "--card", "--json")
    assert english.code == 2
    assert english.json() == {"error": {"code": "error.usage", "details": [], "message": (
        "Option '--card' needs a value, but got the option '--json'. "
        "Write the value right after --card (or --card=VALUE).")}}
    for japanese in (cardguard("contacts", "--card", "--json", env=JA),
                     cardguard("contacts", "--card", "--json", "--lang", "ja")):
        assert japanese.code == 2
        assert japanese.json()["error"]["message"] == (
            "オプション '--card' には値が必要ですが、別のオプション '--json' が続いています。"
            "--card のすぐ後に値を書いてください（または --card=値）。")


@pytest.mark.parametrize(("args", "option"), [
    (("cards", "add", "--issuer", "amex-jp", "--nickname", "--last4", "1234"), "--nickname"),
    (("services", "add", "Netflix", "--card", "--amount", "1490"), "--card"),
    (("incident", "start", "--card", "--kind", "otp"), "--card"),
    (("mail", "add", "home", "--host", "--port", "993"), "--host"),
    (("statements", "import", "march.csv", "--card", "--map", "x"), "--card"),
    (("check", "--offline", "-j", "--resolver", "127.0.0.1"), "-j"),
], ids=lambda value: " ".join(value[:2]) if isinstance(value, tuple) else value)
def test_in_every_command_the_error_is_shown_in_the_holders_language_and_nothing_is_done(cardguard, args, option):
    japanese = cardguard(*args, env=JA)
    assert japanese.code == 2, japanese
    assert f"エラー：オプション '{option}' には値が必要ですが、別のオプション" in japanese.err
    english = cardguard(*args, "--lang", "en", env=JA)
    assert english.code == 2 and f"Error: Option '{option}' needs a value, but got the option" in english.err
    # Nothing was saved under a name that was really an option.
    assert cardguard("cards", "list", "--json").json() == []
    assert cardguard("services", "list", "--json").json() == []


def test_a_negative_number_and_a_value_written_onto_the_option_are_read_as_the_holder_wrote_them(cardguard):
    negative = cardguard("check", "--offline", "--jobs", "-5", "--json", input=b"")
    assert negative.json()["error"]["code"] == "batch.bad_jobs"
    assert "-5" in negative.json()["error"]["message"]  # the command's own "at least 1, not -5"
    attached = cardguard("contacts", "--card=--json", "--json")
    assert attached.json()["error"]["code"] == "error.unknown_card"
    assert "--json" in attached.json()["error"]["message"]
