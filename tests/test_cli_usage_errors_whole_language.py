"""A usage error is in one language from end to end. Typer words a few sentences through gettext and
glues "Did you mean ...?" after them, and the Click Typer ships words everything else itself (option
suggestions, extra arguments, a value it cannot read): under a Japanese locale those stayed English
inside the Japanese error. English stays English. What the holder typed is quoted as typed."""

from __future__ import annotations

import enum
import re
import uuid
from datetime import datetime
from pathlib import Path
from typing import Literal, Optional

import pytest
import typer
from ttykit import on_terminal

JA = {"LANG": "ja_JP.UTF-8"}

# (arguments, what the Japanese error says, what the English one says)
CASES = [
    (("chekc",), "そのコマンドはありません：'chekc'。'check' のことですか？",
     "No such command 'chekc'. Did you mean 'check'?"),
    (("cards", "ad"), "そのコマンドはありません：'ad'。'add' のことですか？",
     "No such command 'ad'. Did you mean 'add'?"),
    (("contacts", "--jsno"), "そのオプションはありません：--jsno（次のいずれかのことですか：--json）",
     "No such option: --jsno (Possible options: --json)"),
    (("cards", "list", "--al"), "そのオプションはありません：--al（次のいずれかのことですか：--all, --help, --lang）",
     "No such option: --al (Possible options: --all, --help, --lang)"),
    (("contacts", "extra", "more"), "余分な引数があります（extra more）", "Got unexpected extra argument(s) (extra more)"),
    (("check", "--jobs", "x"), "'--jobs' / '-j' の値が正しくありません：'x' は整数ではありません。",
     "Invalid value for '--jobs' / '-j': 'x' is not a valid int."),
    # A word the holder typed that is also one of Click's words ("file", "path") was translated inside
    # the error: `cards file` named a command 'ファイル' nobody typed.
    (("cards", "file"), "そのコマンドはありません：'file'", "No such command 'file'."),
    (("contacts", "file", "path"), "余分な引数があります（file path）", "Got unexpected extra argument(s) (file path)"),
]


def _english_words(error: str, typed: tuple[str, ...]) -> list[str]:
    """English words left in the error line once what the user typed, quoted names and option names
    (what they can type instead) are taken out."""
    text = "\n".join(line for line in error.splitlines() if line.startswith("エラー"))
    for word in typed:
        text = text.replace(word, " ")
    return re.findall(r"[A-Za-z]{2,}", re.sub(r"'[^']*'|--?[\w-]+", " ", text))


@pytest.mark.parametrize(("args", "ja", "en"), CASES, ids=[" ".join(c[0]) for c in CASES])
def test_a_usage_error_is_japanese_under_a_japanese_locale_and_english_otherwise(cardguard, args, ja, en):
    japanese = cardguard(*args, env=JA)
    assert japanese.code == 2
    assert "エラー：" + ja in japanese.err, japanese.err
    assert _english_words(japanese.err, args) == [], japanese.err
    # --lang wins over the locale, both ways.
    assert "エラー：" + ja in cardguard(*args, "--lang", "ja").err
    english = cardguard(*args)
    assert english.code == 2 and "Error: " + en in english.err, english.err
    assert "Error: " + en in cardguard(*args, "--lang", "en", env=JA).err


@pytest.mark.parametrize(("args", "ja", "en"), CASES, ids=[" ".join(c[0]) for c in CASES])
def test_with_json_a_usage_error_is_the_json_error_in_the_readers_language(cardguard, args, ja, en):
    japanese = cardguard(*args, "--json", env=JA)
    assert japanese.code == 2 and japanese.json() == {"error": {"code": "error.usage", "message": ja, "details": []}}
    english = cardguard(*args, "--json")
    assert english.code == 2 and english.json()["error"]["message"] == en


class Kind(str, enum.Enum):
    phishing = "phishing"
    lost = "lost"


def _what_typer_says_for_a_value_it_cannot_read(tmp_path) -> list[str]:
    """Every sentence the Click Typer ships (typer/_click/types.py, typer/_types.py, typer/models.py,
    its parser) gives for a value it cannot read or a missing one, from Typer's own code: one option of
    each kind a command can declare, given a bad value."""
    from typer._click import types
    from typer._click.exceptions import BadParameter, UsageError
    from typer.main import get_command

    app = typer.Typer()

    @app.command()
    def every_kind(count: int = 0, ranged: int = typer.Option(1, min=1), ratio: float = 0.0,
                   limit: float = typer.Option(0.0, max=1.5), ident: Optional[uuid.UUID] = None,
                   when: Optional[datetime] = None, kind: Kind = Kind.lost, lang: Optional[Literal["ja", "en"]] = None,
                   path: Optional[Path] = typer.Option(None, exists=True),
                   file: Optional[Path] = typer.Option(None, exists=True, dir_okay=False),
                   folder: Optional[Path] = typer.Option(None, exists=True, file_okay=False),
                   pair: Optional[tuple[int, int]] = None, need: Kind = typer.Option(...)) -> None:
        pass

    a_file = tmp_path / "statement file.csv"
    a_file.write_text("")
    missing = str(tmp_path / "no such path")
    said = []
    for given in (["--count", "x"], ["--ranged", "x"], ["--ranged", "0"], ["--ratio", "x"], ["--limit", "2"],
                  ["--ident", "x"], ["--when", "tomorrow"], ["--kind", "x"], ["--lang", "xx"], ["--path", missing],
                  ["--file", missing], ["--folder", missing], ["--file", str(tmp_path)], ["--folder", str(a_file)],
                  ["--pair", "1"], ["--count"]):
        with pytest.raises(UsageError) as raised:
            get_command(app).main(["--need", "lost", *given], standalone_mode=False)
        said.append(raised.value.format_message())
    with pytest.raises(UsageError) as raised:
        get_command(app).main([], standalone_mode=False)
    said.append(raised.value.format_message())
    with pytest.raises(BadParameter) as raised:
        types.Tuple([int, int]).convert(("1",), None, None)
    said.append(raised.value.format_message())
    return said


def test_every_sentence_typer_gives_for_a_bad_value_is_japanese_with_what_was_typed_as_typed(tmp_path):
    from cardguard.cli_common import _click_words

    japanese = _click_words("ja")
    said = _what_typer_says_for_a_value_it_cannot_read(tmp_path)
    assert len(said) == 18 and len(set(said)) == 18, said
    for english in said:
        shown = japanese(english)
        quoted = re.findall(r"'[^']*'", english)
        assert all(value in shown for value in quoted), (english, shown)  # 'statement file.csv' stays as typed
        # Choices and a range are values the holder types (phishing, x<=1.5), not words to translate;
        # UUID is written so in Japanese too.
        words = re.findall(r"[A-Za-z]{2,}", re.sub(r"'[^']*'|--?[\w-]+|\t\w+|x[<>]=|UUID", " ", shown))
        assert words == [], (english, shown)


@pytest.mark.parametrize(("env", "said"), [(JA, "エラー：入力が正しくありません"), ({"LANG": "C.UTF-8"}, "Error: invalid input")])
def test_an_answer_a_question_cannot_read_is_said_in_the_holders_language(cardguard, env, said):
    # Typer's prompt said "Error: invalid input" in English under a Japanese question.
    assert cardguard("cards", "add", "--nickname", "main", "--product", "amex", "--last4", "1005").code == 0
    _, shown = on_terminal("cards", "close", "main", answers=[b"maybe", b"n"], env=env)
    assert said in shown and shown.count("[y/N]:") == 2, shown
    assert (env is JA) == ("Error" not in shown), shown
    assert cardguard("cards", "show", "main", "--json").json()["status"] == "active"  # nothing was closed


@pytest.mark.parametrize("command", [("services", "import"), ("mail", "scan"), ("cards", "show")])
def test_an_argument_has_one_name_in_the_usage_line_its_help_and_the_error(cardguard, command):
    # Click's word "path" was translated wherever it stood: the usage line said {パス} while the error,
    # which keeps quoted names as written, said 引数 'path'.
    run = cardguard(*command, env=JA)
    named = re.search(r"引数 '([^']+)' がありません", run.err)
    assert run.code == 2 and named, run.err
    assert "{" + named[1] + "}" in run.err.splitlines()[0], run.err
    shown = cardguard(*command, "--help", env=JA)
    assert re.search(rf"^  {re.escape(named[1])} [A-Z]+ ", shown.out, re.M), shown.out


def test_a_number_typed_in_full_width_digits_is_read_as_the_number(cardguard):
    # A Japanese input method often types ２ for 2: Typer 0.29 (Pydantic) refused it as not an integer.
    mail = b"From: someone@example.com\nSubject: hi\n\nhello\n"
    full_width = cardguard("check", "--jobs", "２", "--offline", "--json", "-", input=mail)
    ascii_digits = cardguard("check", "--jobs", "2", "--offline", "--json", "-", input=mail)
    assert full_width.code == ascii_digits.code != 2, full_width.err
    assert full_width.json() == ascii_digits.json()
