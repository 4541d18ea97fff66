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
