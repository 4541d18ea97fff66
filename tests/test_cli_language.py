"""The whole command line speaks the holder's language: Click's own words in help and usage errors,
--lang before the command, and the size of a file too large to read."""

from __future__ import annotations

import re

import pytest


def test_lang_before_the_command_and_japanese_help(cardguard):
    run = cardguard("--lang", "ja", "--help")
    assert run.code == 0, run.err
    assert "使い方：" in run.out and "オプション:" in run.out and "コマンド:" in run.out
    assert "このヘルプを表示して終了します。" in run.out
    for english in ("Usage:", "Options", "Show this message and exit"):
        assert english not in run.out
    sub = cardguard("services", "import", "--help", "--lang", "ja")
    assert "使い方：" in sub.out and "Usage" not in sub.out and "引数:" in sub.out
    assert "Usage:" in cardguard("--help").out  # English stays English


def test_usage_errors_in_japanese(cardguard):
    run = cardguard("--lang", "ja", "cards", "list", "--bogus")
    assert run.code == 2 and "エラー：そのオプションはありません：--bogus" in run.err and "Error" not in run.err
    missing = cardguard("services", "add", "--lang", "ja")
    assert missing.code == 2 and "引数 'name' がありません" in missing.err


def test_lang_given_before_the_command_holds_for_it(cardguard):
    run = cardguard("--lang", "ja", "cards", "list")
    assert "カードはまだ登録されていません" in run.out


@pytest.mark.parametrize("lang,expected", [("en", "The message is 60 MB"), ("ja", "メッセージが 60 MB あります")])
def test_a_60_mb_file_is_reported_with_its_real_size(cardguard, tmp_path, lang, expected):
    big = tmp_path / "big.eml"
    with big.open("wb") as handle:
        handle.truncate(60 * 1024 * 1024)
    run = cardguard("check", str(big), "--offline", "--lang", lang)
    assert run.code == 2 and expected in run.err, run.err
    piped = cardguard("check", "-", "--offline", "--lang", lang, input=b"x" * (60 * 1024 * 1024))
    assert expected in piped.err, piped.err


def test_japanese_help_names_every_option_as_it_is_typed(cardguard):
    """Click's words are translated in help text, never inside an option name (--ca-file is not
    --ca-ファイル): what the help shows must be what the command accepts."""
    import re

    import typer.main

    from cardguard.cli import app

    root = typer.main.get_command(app)
    for path in (["mail", "add"], ["services", "import"], ["services", "export"], ["check"], ["incident", "export"],
                 ["cards", "add"]):
        command = root
        for name in path:
            command = command.commands[name]
        declared = {opt for param in command.params for opt in getattr(param, "opts", []) if opt.startswith("--")}
        shown = cardguard("--lang", "ja", *path, "--help")
        assert shown.code == 0, shown
        named = set(re.findall(r"(?<![\w-])--[A-Za-z][\w-]*", shown.out))
        assert named <= declared | {"--help"}, (path, sorted(named - declared))


@pytest.mark.parametrize("command", [["check"], ["contacts"], ["cards", "add"], ["incident", "start"], ["mail", "scan"],
                                     ["statements", "import"], ["serve"], ["services", "export"], ["reissue", "mark"]])
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_help_says_what_an_option_takes_in_words_not_python_types(cardguard, command, lang):
    # Found by a new user: `--card <str>`, `--alias <list[str]>`, `--jobs <int>` in every help.
    run = cardguard(*command, "--help", "--lang", lang)
    assert run.code == 0, run.err
    assert not re.search(r"<(?:str|int|float|path|Path|list\[[a-zA-Z]+\])>", run.out), run.out


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_help_says_what_an_option_and_an_argument_take(cardguard, lang):
    """TEXT, INTEGER and PATH after each option and each argument, TEXT... for one given again (Typer
    0.28 names an argument alone and an option by its Python type)."""
    mark = cardguard("reissue", "mark", "--help", "--lang", lang)
    assert re.search(r"^  item INTEGER +\S", mark.out, re.M) and re.search(r"^  status TEXT +\S", mark.out, re.M), mark.out
    check = cardguard("check", "--help", "--lang", lang)
    for shown in (r"paths\.\.\. TEXT\.\.\.", r"--alias TEXT\.\.\.", r"-j, --jobs INTEGER", r"--card TEXT"):
        assert re.search(rf"^  {shown} +\S", check.out, re.M), (shown, check.out)
    imported = cardguard("services", "import", "--help", "--lang", lang)
    assert re.search(r" PATH +\S", imported.out) and re.search(r"^  --map TEXT\.\.\. +\S", imported.out, re.M), imported.out
    # The usage line names the arguments as they are written, without what they take.
    assert re.search(r"^\S+ .*cardguard reissue mark \[OPTIONS\] \{item\} \{status\}$", mark.out, re.M), mark.out


@pytest.mark.parametrize("command", ["show", "log", "close", "export"])
def test_help_names_an_argument_as_the_holder_knows_it_not_as_python_does(cardguard, command):
    shown = cardguard("incident", command, "--help", "--lang", "ja").out
    assert "[INCIDENT]" in shown and "incident_arg" not in shown.lower(), shown
