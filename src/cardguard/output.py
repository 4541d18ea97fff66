"""How results and errors reach the user: JSON with a stable shape, or text through Rich."""

from __future__ import annotations

import json
import re
import sys
from contextlib import contextmanager
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from cardguard.errors import UserError
from cardguard.i18n import Lang

if TYPE_CHECKING:
    from rich.console import Console


# Control characters, and the marks that reorder a line: a mail's subject, sender or address can
# carry terminal codes that clear the screen and draw a verdict of their own, or turn a line around.
_UNSEEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_LINE_BREAKS = re.compile("\r\n|[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


def _escape(found: re.Match) -> str:
    code = ord(found.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """``text`` as a terminal can only show it: every control character but line breaks and tabs, and
    every mark that reorders text, written out as an escape (\\x1b)."""
    return _UNSEEN.sub(_escape, text)


def one_line(text: str) -> str:
    """A value that is one line (a subject, an address), kept to one: its line breaks shown as ⏎, so
    that a mail cannot add lines of its own under the verdict."""
    return visible(_LINE_BREAKS.sub(" ⏎ ", text)) if text else text


_CONSOLE: type | None = None


def console(*, stderr: bool = False, **options) -> Console:
    """Every text the CLI prints goes through this console: whatever it is given is shown with
    ``visible``, so no value read from a mail, a file or an argument reaches the terminal as codes."""
    global _CONSOLE
    if _CONSOLE is None:
        from rich.console import Console  # ~40 ms: loaded only when something is printed as text

        class HolderConsole(Console):
            def render_str(self, text: str, *args, **kwargs):
                return super().render_str(visible(text), *args, **kwargs)

        _CONSOLE = HolderConsole
    options.setdefault("highlight", False)
    if not stderr:
        # Width is fixed when stdout is not a terminal, so piped text does not wrap mid-number.
        options.setdefault("soft_wrap", not sys.stdout.isatty())
    return _CONSOLE(stderr=stderr, **options)


@contextmanager
def working(text: str):
    """A spinner with ``text`` on a terminal while something may take seconds (a live DNS check on
    a slow network); nothing otherwise, so pipes and --json get only their output."""
    if not sys.stderr.isatty():
        yield
        return
    with console(stderr=True).status(visible(text)):
        yield


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot serialize {type(value).__name__}")


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2, default=_default) + "\n")


def report_error(error: UserError, lang: Lang, as_json: bool) -> int:
    if as_json:
        print_json(error.as_json(lang))
    else:
        err = console(stderr=True, soft_wrap=True)
        err.print(error.message(lang), markup=False)
        for detail in error.details_in(lang):
            err.print("  " + detail, markup=False)
    return error.exit_code
