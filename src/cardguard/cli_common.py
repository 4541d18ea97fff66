"""Options every command shares, and the language help texts are written in."""

from __future__ import annotations

import os
import sys
from typing import Annotated, Optional

import typer

from cardguard.errors import UserError
from cardguard.i18n import Lang, detect_lang, t
from cardguard.output import report_error

# Help texts are chosen before parsing, from --lang if given and otherwise the locale.
HELP_LANG: Lang = detect_lang(sys.argv)


def h(key: str) -> str:
    return t(key, HELP_LANG)


JsonOpt = Annotated[bool, typer.Option("--json", help=h("opt.json"))]
LangOpt = Annotated[Optional[str], typer.Option("--lang", help=h("opt.lang"))]


def language_of(given: str | None) -> Lang:
    if given is None:
        return detect_lang(env=os.environ)
    if given not in ("ja", "en"):
        fallback = detect_lang(env=os.environ)
        raise typer.Exit(report_error(UserError("error.bad_lang", given=given), fallback, "--json" in sys.argv))
    return given  # type: ignore[return-value]


def read_input(path: str | None) -> bytes:
    """The raw message from a file or standard input, never more than the size limit plus one byte."""
    from cardguard.verify.message import MAX_BYTES

    if path in (None, "-"):
        if path is None and sys.stdin.isatty():
            raise UserError("error.stdin_tty")
        return sys.stdin.buffer.read(MAX_BYTES + 1)
    try:
        with open(path, "rb") as handle:
            return handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise UserError("error.input_unreadable", path=path, reason=exc.strerror or str(exc)) from None



def __getattr__(name: str):
    # `check` is a core function (verify/run.py); the CLI's commands import it from here as they always
    # did, loaded only when asked so that --help and contacts never import the verifier.
    if name in ("check_options", "check_setup", "registered_aliases", "verify_bytes"):
        from cardguard.verify import run

        return getattr(run, name)
    raise AttributeError(name)
