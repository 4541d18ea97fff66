"""Options every command shares, and the language help texts are written in."""

from __future__ import annotations

import os
import re
import sys
from typing import Annotated, Optional

import typer

from cardguard.errors import UserError, os_reason
from cardguard.i18n import Lang, detect_lang, t
from cardguard.output import report_error

# Help texts are chosen before parsing, from --lang if given and otherwise the locale.
HELP_LANG: Lang = detect_lang(sys.argv)


def h(key: str) -> str:
    return t(key, HELP_LANG)


_QUOTED = re.compile(r"'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"")
_KEPT = re.compile(r"\x00(\d+)\x00")


def _click_words(lang: Lang):
    """What Click and Typer print, in ``lang``: a function of their English text.

    Each [click] message is a pattern of Click's English (a placeholder matches what Click put there)
    and its replacement, the most specific (most literal words) first. What the holder typed or can
    type is carried over as written: a quoted value or name ('file', '--jobs') and every placeholder
    but a nested {message} are set aside before a later, shorter word ("file", "path") can match
    inside them, so `cards file` is never answered with a command 'ファイル'."""
    from cardguard.i18n import catalog

    rules, sentences = [], {}
    for key, entry in catalog().items():
        if not key.startswith("click."):
            continue
        english, replacement = entry["en"], entry[lang]
        sentences[english] = replacement
        # A quoted part of the sentence itself ("Try '{command} {option}' for help.") is set aside like
        # any quoted text: it is matched, and carried over, as one.
        for index, part in enumerate(re.findall(r"'[^']*'", english)):
            english = english.replace(part, f"{{quoted{index}!r}}", 1)
            replacement = replacement.replace(part, f"{{quoted{index}!r}}", 1)
        pattern, at = "", 0
        for found in re.finditer(r"\{(\w+)(![rs])?\}", english):
            pattern += re.escape(english[at:found.start()])
            name, quoted = found.group(1), found.group(2) == "!r"
            if quoted:
                shape = r"\x00\d+\x00"  # a repr: set aside with every quoted text before any rule runs
            elif found.start() == 0:
                shape = r"(?<!\S)\S+"  # a leading value (5 in "5 is not in the range") is one word
            else:
                shape = ".+" if found.end() == len(english) else ".+?"
            pattern += f"(?P<{name}>{shape})"
            at = found.end()
        pattern += re.escape(english[at:])
        # A word of Click's never inside a longer word or an option name ("file" in --ca-file).
        if english[:1].isalnum():
            pattern = r"(?<![\w-])" + pattern
        if english[-1:].isalnum():
            pattern = pattern + r"(?![\w-])"
        elif english[-1:] in ".?)" and at < len(english) <= at + 1:
            pattern += r"(?!\S)"  # the sentence's own end, not a dot inside its value (x<=1.5.)
        if english in ("Options", "Commands", "Arguments", "Usage:"):
            # Headings only where Click writes them, not the word inside a sentence.
            pattern = r"(?m)^" + pattern + (r"(?=:?$| )" if english == "Usage:" else r"(?=:$)")
        literal = len(re.sub(r"\{\w+(?:![rs])?\}", "", english))
        rules.append((literal, re.compile(pattern), replacement))
    rules.sort(key=lambda rule: -rule[0])

    def translated(text: str) -> str:
        kept: list[str] = []

        def keep(value: str) -> str:
            kept.append(value)
            return f"\x00{len(kept) - 1}\x00"

        def fill(replacement: str, match: re.Match) -> str:
            return re.sub(r"\{(\w+)(?:![rs])?\}",
                          lambda slot: match[slot[1]] if slot[1] == "message" else keep(match[slot[1]]), replacement)

        text = _QUOTED.sub(lambda match: keep(match[0]), text)
        for _, pattern, replacement in rules:
            text = pattern.sub(lambda match, replacement=replacement: fill(replacement, match), text)
        while _KEPT.search(text):
            text = _KEPT.sub(lambda match: kept[int(match[1])], text)
        return text

    translated.sentences = sentences  # type: ignore[attr-defined]  # each as gettext is asked for it
    return translated


def _usage_errors_as_json(lang: Lang) -> None:
    """With --json a usage error (a misspelt command or option, a missing value) is the JSON error
    every other error is, on standard output, worded in the reader's language; still exit 2."""
    if "--json" not in sys.argv[1:]:
        return
    from typer._click import exceptions

    words = _click_words(lang) if lang != "en" else (lambda text: text)

    def show(self, file=None) -> None:  # noqa: ARG001 - JSON goes where every JSON error goes
        import json

        print(json.dumps({"error": {"code": "error.usage", "message": words(self.format_message()), "details": []}},
                         ensure_ascii=False, indent=2))

    exceptions.UsageError.show = show


def _speak_click(lang: Lang) -> None:
    """The Click Typer ships words its help and usage errors in English ("Usage:", "Options", "Show
    this message and exit.", "No such option") and Typer asks gettext for a few of its own
    ("No such command", "[required]"). In Japanese these get the [click] messages: Typer's through
    gettext (by the very sentence it asks for), and everything the Click copy prints as it prints it."""
    if lang == "en":
        return
    import importlib

    import typer.core

    translated = _click_words(lang)

    def gettext(message: str) -> str:
        return translated.sentences.get(message, message)

    typer.core._ = gettext
    # Each module of the copy holds its own name for echo; the prompts (termui) too.
    for name in ("typer._click", "typer._click.decorators", "typer._click.exceptions", "typer._click.core",
                 "typer._click.termui"):
        module = importlib.import_module(name)
        original = module.echo

        def echo(message=None, *args, _original=original, **kwargs):
            return _original(translated(message) if isinstance(message, str) else message, *args, **kwargs)

        module.echo = echo


def _option_is_no_value() -> None:
    """`contacts --card --json` took "--json" as the card's name, and the holder got an answer about a
    card called --json. Every option of every command takes its value from here: a next word that is
    itself an option (starts with "--", or is one of this command's option names such as -j or -h) is a
    usage error naming both (worded by [click] option_value_is_option). A negative number (-5) is not an
    option name and is read as written; `--card=--x` still gives a value that starts with dashes."""
    from typer._click.exceptions import BadOptionUsage
    from typer._click.parser import _OptionParser

    taken, read_word = _OptionParser._get_value_from_state, _OptionParser._process_opts

    def process_opts(self, arg, state):
        state.cardguard_word = arg
        return read_word(self, arg, state)

    def value_from_state(self, option_name, option, state):
        value = taken(self, option_name, option, state)
        word_typed = getattr(state, "cardguard_word", "")
        if isinstance(value, str) and value != word_typed and word_typed.endswith(value):
            return value  # written onto the option itself (--card=--x, -j5): what the holder meant
        long_name = next(iter(option._long_opts), option_name)  # -j=5 would be "=5"; --jobs=5 is 5
        for word in (value,) if isinstance(value, str) else value:
            if word.startswith("--") or word in self._short_opt or word in self._long_opt:
                raise BadOptionUsage(
                    option_name,
                    f"Option {option_name!r} needs a value, but got the option {word!r}. "
                    f"Write the value right after {option_name} (or {long_name}=VALUE).",
                    ctx=self.ctx)
        return value

    _OptionParser._get_value_from_state = value_from_state
    _OptionParser._process_opts = process_opts


_speak_click(HELP_LANG)
_usage_errors_as_json(HELP_LANG)
_option_is_no_value()


def _values_as_words(lang: Lang) -> None:
    """Typer shows what an option takes as the Click type's Python name (`--card <str>`, `--jobs
    <int>`) and an argument by its name alone; a holder reads `--card TEXT`, `--alias TEXT...` for an
    option that may be given again, and `item INTEGER` for an argument."""
    from typer._click import types
    from typer.core import TyperArgument, TyperOption
    from typer.models import TyperPath

    # An int range is an int. A choice, a date (its formats) or a UUID keeps what Typer shows: it says
    # what it takes itself.
    kinds = ((types.IntParamType, "integer"), (types.FloatParamType, "number"), (TyperPath, "path"),
             (types.StringParamType, "text"))

    def word(param) -> str | None:
        kind = next((kind for cls, kind in kinds if isinstance(param.type, cls)), None)
        if kind is None:
            return None
        again = param.nargs != 1 or getattr(param, "multiple", False)
        return t(f"cli_value.{kind}", lang) + (t("cli_value.again", lang) if again else "")

    option_shown, argument_shown = TyperOption.make_metavar, TyperArgument.make_metavar

    def option_metavar(self, ctx):
        return (self.metavar is None and word(self)) or option_shown(self, ctx)

    def argument_metavar(self, ctx, *, usage: bool = False):
        shown = argument_shown(self, ctx, usage=usage)
        if usage or not (taken := word(self)):
            return shown  # the usage line names the argument; its help line says what it takes
        return f"{shown} {taken}"

    TyperOption.make_metavar = option_metavar
    TyperArgument.make_metavar = argument_metavar


_values_as_words(HELP_LANG)


JsonOpt = Annotated[bool, typer.Option("--json", help=h("opt.json"))]
LangOpt = Annotated[Optional[str], typer.Option("--lang", help=h("opt.lang"))]


def language_of(given: str | None) -> Lang:
    if given is None:
        # `cardguard --lang ja cards list`: the root's --lang holds for the command under it.
        return detect_lang(sys.argv, env=os.environ)
    if given not in ("ja", "en"):
        fallback = detect_lang(env=os.environ)
        raise typer.Exit(report_error(UserError("error.bad_lang", given=given), fallback, "--json" in sys.argv))
    return given  # type: ignore[return-value]


def read_input(path: str | None) -> bytes:
    """The raw message from a file or standard input, never more than the size limit in memory. A
    larger input is refused with its real size (what is past the limit is counted, not kept)."""
    from cardguard.verify.message import MAX_BYTES

    if path in (None, "-"):
        if path is None and sys.stdin.isatty():
            raise UserError("error.stdin_tty")
        return _within_limit(sys.stdin.buffer, MAX_BYTES)
    try:
        with open(path, "rb") as handle:
            return _within_limit(handle, MAX_BYTES)
    except OSError as exc:
        raise UserError("error.input_unreadable", path=path, **os_reason(exc)) from None


def _within_limit(handle, limit: int) -> bytes:
    data = handle.read(limit + 1)
    if len(data) <= limit:
        return data
    size = len(data)
    while chunk := handle.read(1 << 20):
        size += len(chunk)
    mb = 1024 * 1024
    shown = f"{size / mb:.0f}" if size % mb == 0 or size >= 10 * mb else f"{size / mb:.1f}"
    raise UserError("error.message_too_large", size=shown, limit=limit // mb)



def __getattr__(name: str):
    # `check` is a core function (verify/run.py); the CLI's commands import it from here as they always
    # did, loaded only when asked so that --help and contacts never import the verifier.
    if name in ("check_options", "check_setup", "verify_bytes"):
        from cardguard.verify import run

        return getattr(run, name)
    raise AttributeError(name)


def incident_command(path: str | None, *, offline: bool, resolver: str | None, trust: list[str] | None,
                     alias: list[str] | None, card: str | None) -> str:
    """The `incident start --from-mail` that judges the mail as this check did: without the same
    --offline, --resolver, --trust-authserv and --alias the incident could record another verdict."""
    import shlex

    words = ["cardguard", "incident", "start", "--from-mail", path if path and path != "-" else "FILE"]
    if offline:
        words.append("--offline")
    if resolver:
        words += ["--resolver", resolver]
    for name in trust or []:
        words += ["--trust-authserv", name]
    for address in alias or []:
        words += ["--alias", address]
    if card:
        words += ["--card", card]
    return shlex.join(words)
