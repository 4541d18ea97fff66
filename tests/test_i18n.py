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
    japanese = re.compile(r"[\u3001-\u30ff\u4e00-\u9fff]")  # kana, kanji, and Japanese punctuation (、。)
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


def _messages(text: str) -> list[tuple[str, bytes]]:
    return [("messages.toml", text.encode())]


def test_messages_are_read_from_the_parsed_copy_only_while_the_files_are_unchanged(tmp_path, monkeypatch):
    from cardguard.i18n import _catalog_from

    monkeypatch.setenv("CARDGUARD_CACHE_DIR", str(tmp_path / "cache"))
    first = _catalog_from(_messages('[greet]\nja = "こんにちは"\nen = "Hello"\n'))
    assert first == {"greet": {"ja": "こんにちは", "en": "Hello"}}
    copies = list((tmp_path / "cache").glob("messages-*.json"))
    assert len(copies) == 1
    assert _catalog_from(_messages('[greet]\nja = "こんにちは"\nen = "Hello"\n')) == first

    # An edited file is what the holder reads; copies of other versions are kept, a few at most
    # (two checkouts reading one cache dir must not rebuild each other's every time).
    edited = _catalog_from(_messages('[greet]\nja = "こんばんは"\nen = "Good evening"\n'))
    assert edited["greet"]["en"] == "Good evening"
    assert len(list((tmp_path / "cache").glob("messages-*.json"))) == 2
    for n in range(8):
        assert _catalog_from(_messages(f'[greet]\nja = "{n}"\nen = "{n}"\n'))["greet"]["en"] == str(n)
    from cardguard.rebuilt import KEEP

    assert len(list((tmp_path / "cache").glob("messages-*.json"))) == KEEP
    assert _catalog_from(_messages('[greet]\nja = "7"\nen = "7"\n'))["greet"]["ja"] == "7"

    # A duplicate key is refused whether or not a copy exists for other bytes.
    with pytest.raises(RuntimeError, match="defined twice"):
        _catalog_from([("a.toml", b'[x]\nja = "1"\nen = "1"\n'), ("b.toml", b'[x]\nja = "2"\nen = "2"\n')])


def test_a_damaged_or_unwritable_copy_never_changes_a_message(tmp_path, monkeypatch):
    from cardguard.i18n import _catalog_from

    source = _messages('[greet]\nja = "こんにちは"\nen = "Hello"\n')
    monkeypatch.setenv("CARDGUARD_CACHE_DIR", str(tmp_path / "cache"))
    _catalog_from(source)
    (copy,) = (tmp_path / "cache").glob("messages-*.json")
    for damage in ('{"greet": {"ja": 1}}', '{"greet": {"en": "Hello"}}', '[]', '{"gre', ''):
        copy.write_text(damage, encoding="utf-8")
        assert _catalog_from(source) == {"greet": {"ja": "こんにちは", "en": "Hello"}}, damage
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("a file where the cache folder would be")
    monkeypatch.setenv("CARDGUARD_CACHE_DIR", str(blocked))
    assert _catalog_from(source)["greet"]["ja"] == "こんにちは"
