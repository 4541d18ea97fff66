import re
import string

import pytest

from cardguard.i18n import catalog, detect_lang


def test_every_message_exists_in_both_languages_with_the_same_placeholders():
    fields = lambda text: {name for _, name, _, _ in string.Formatter().parse(text) if name}  # noqa: E731
    for key, entry in catalog().items():
        assert set(entry) == {"ja", "en"}, key
        assert entry["ja"].strip() and entry["en"].strip(), key
        assert fields(entry["ja"]) == fields(entry["en"]), key


def test_japanese_messages_are_japanese():
    japanese = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
    for key, entry in catalog().items():
        if entry["ja"] != entry["en"]:
            assert japanese.search(entry["ja"]), key


@pytest.mark.parametrize("env, argv, expected", [
    ({"LANG": "ja_JP.UTF-8"}, [], "ja"),
    ({"LANG": "en_US.UTF-8"}, [], "en"),
    ({"LC_ALL": "ja_JP.UTF-8", "LANG": "en_US.UTF-8"}, [], "ja"),
    ({"LANG": "C"}, [], "en"),
    ({"LANG": "ja_JP.UTF-8"}, ["--lang", "en"], "en"),
    ({"CARDGUARD_LANG": "ja", "LANG": "en_US"}, [], "ja"),
    ({"LANGUAGE": "ja:en"}, [], "ja"),
])
def test_language_detection(env, argv, expected):
    assert detect_lang(argv, env) == expected


def test_every_command_has_json_and_lang_options():
    import typer.main

    from cardguard.cli import app

    def walk(command, path):
        subcommands = getattr(command, "commands", None)
        if subcommands:
            for name, sub in subcommands.items():
                yield from walk(sub, f"{path} {name}")
        else:
            yield path, {opt for param in command.params for opt in getattr(param, "opts", [])}

    commands = dict(walk(typer.main.get_command(app), "cardguard"))
    assert len(commands) >= 25
    for name, options in commands.items():
        assert {"--json", "--lang"} <= options, name
