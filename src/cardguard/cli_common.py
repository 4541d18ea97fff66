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


def _click_words(lang: Lang) -> list[tuple[re.Pattern, str]]:
    """The [click] messages as (pattern of Click's English, replacement in ``lang``), longest first.
    A placeholder ({name}, {name!r}) matches what Click put there and is carried over."""
    from cardguard.i18n import catalog

    out = []
    for key, entry in catalog().items():
        if not key.startswith("click."):
            continue
        names = re.findall(r"\{(\w+)(?:![rs])?\}", entry["en"])
        pattern = re.escape(entry["en"])
        for index, name in enumerate(names):
            last = index == len(names) - 1 and entry["en"].endswith("}")
            pattern = re.sub(r"\\\{" + name + r"(?:!r|!s)?\\\}", f"(?P<{name}>.+)" if last else f"(?P<{name}>.+?)",
                             pattern, count=1)
        replacement = re.sub(r"\{(\w+)(?:![rs])?\}", r"\\g<\1>", entry[lang])
        # A word of Click's never inside a longer word or an option name ("file" in --ca-file).
        if entry["en"][:1].isalnum():
            pattern = r"(?<![\w-])" + pattern
        if entry["en"][-1:].isalnum():
            pattern = pattern + r"(?![\w-])"
        if entry["en"] in ("Options", "Commands", "Arguments", "Usage:"):
            # Headings only where Click writes them, not the word inside a sentence.
            pattern = r"(?m)^" + pattern + (r"(?=:?$| )" if entry["en"] == "Usage:" else r"(?=:$)")
        out.append((re.compile(pattern), replacement, len(entry["en"])))
    return [(pattern, replacement) for pattern, replacement, _ in sorted(out, key=lambda item: -item[2])]


def _usage_errors_as_json(lang: Lang) -> None:
    """With --json a usage error (a misspelt command or option, a missing value) is the JSON error
    every other error is, on standard output, worded in the reader's language; still exit 2."""
    if "--json" not in sys.argv[1:]:
        return
    try:
        from typer._click import exceptions
    except ImportError:
        return
    words = _click_words(lang) if lang != "en" else []

    def show(self, file=None) -> None:  # noqa: ARG001 - JSON goes where every JSON error goes
        import json

        message = self.format_message()
        for pattern, replacement in words:
            message = pattern.sub(replacement, message)
        print(json.dumps({"error": {"code": "error.usage", "message": message, "details": []}},
                         ensure_ascii=False, indent=2))

    exceptions.UsageError.show = show


def _speak_click(lang: Lang) -> None:
    """Click (and the copy of it Typer ships) word their own help and usage errors in English
    ("Usage:", "Options", "Show this message and exit.", "No such option"). In Japanese these words
    get the [click] messages: through gettext where Click asks it, and on what it prints otherwise."""
    if lang == "en":
        return
    import importlib

    words = _click_words(lang)
    table = {pattern.pattern: replacement for pattern, replacement in words}

    def translated(text: str) -> str:
        for pattern, replacement in words:
            text = pattern.sub(replacement, text)
        return text

    def gettext(message: str) -> str:
        return translated(message)

    def ngettext(singular: str, plural: str, count: int) -> str:
        return gettext(singular if count == 1 else plural)

    for name in ("click.core", "click.decorators", "click.exceptions", "click.formatting", "click.parser",
                 "click.termui", "click.types", "click.utils", "typer.core"):
        module = importlib.import_module(name)
        if hasattr(module, "_"):
            module._ = gettext
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext
    try:
        vendored = [importlib.import_module(f"typer._click.{name}") for name in ("decorators", "exceptions", "core")]
    except ImportError:
        return
    for module in vendored:
        original = getattr(module, "echo", None)
        if original is None:
            continue

        def echo(message=None, *args, _original=original, **kwargs):
            return _original(translated(message) if isinstance(message, str) else message, *args, **kwargs)

        module.echo = echo
    del table


def _option_is_no_value() -> None:
    """`contacts --card --json` took "--json" as the card's name, and the holder got an answer about a
    card called --json. Every option of every command takes its value from here: a next word that is
    itself an option (starts with "--", or is one of this command's option names such as -j or -h) is a
    usage error naming both (worded by [click] option_value_is_option). A negative number (-5) is not an
    option name and is read as written; `--card=--x` still gives a value that starts with dashes."""
    try:
        from typer._click.exceptions import BadOptionUsage
        from typer._click.parser import _OptionParser
    except ImportError:  # pragma: no cover - a Typer that no longer ships its own Click
        return
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
    """Typer 0.29 shows what an option takes as Python types (`--card <str>`, `--alias <list[str]>`);
    a holder reads `--card TEXT`, and `--alias TEXT...` for an option that may be given again."""
    try:
        from typer.core import _TyperParameter
    except ImportError:  # pragma: no cover - a Typer without it shows its own words
        return
    shown = _TyperParameter.display_type
    kinds = {"str": "text", "int": "integer", "float": "number", "datetime": "moment", "Path": "path", "path": "path"}

    def display_type(self, ctx):
        label = shown(self, ctx)
        inner = label[1:-1] if isinstance(label, str) and label.startswith("<") and label.endswith(">") else None
        if inner is None:
            return label
        repeated = inner.startswith("list[") and inner.endswith("]")
        kind = kinds.get(inner[5:-1] if repeated else inner)
        if kind is None:
            return label  # a choice (a|b) and the rest say what they are
        return t(f"cli_value.{kind}", lang) + (t("cli_value.again", lang) if repeated else "")

    _TyperParameter.display_type = display_type


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
