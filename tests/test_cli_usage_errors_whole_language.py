"""A usage error is in one language from end to end. Click words its sentences through gettext, but
Typer glues "Did you mean ...?" after them, the Click Typer vendors words its option suggestions and
extra arguments itself, and a number Typer cannot read is worded by Pydantic: under a Japanese
locale those stayed English inside the Japanese error. English stays English."""

from __future__ import annotations

import re

import pytest

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
    (("check", "--jobs", "x"), "'--jobs' / '-j' の値が正しくありません：整数で指定してください",
     "Invalid value for '--jobs' / '-j': Input should be a valid integer, unable to parse string as an integer"),
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
