"""How results and errors reach the user: JSON with a stable shape, or text through Rich."""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from cardguard.errors import UserError
from cardguard.i18n import Lang

if TYPE_CHECKING:
    from rich.console import Console


def console() -> Console:
    from rich.console import Console  # ~40 ms: loaded only when something is printed as text

    # Width is fixed when stdout is not a terminal, so piped text does not wrap mid-number.
    return Console(highlight=False, soft_wrap=not sys.stdout.isatty())


@contextmanager
def working(text: str):
    """A spinner with ``text`` on a terminal while something may take seconds (a live DNS check on
    a slow network); nothing otherwise, so pipes and --json get only their output."""
    if not sys.stderr.isatty():
        yield
        return
    from rich.console import Console

    with Console(stderr=True, highlight=False).status(text):
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
        from rich.console import Console

        err = Console(stderr=True, highlight=False, soft_wrap=True)
        err.print(error.message(lang), markup=False)
        for detail in error.details_in(lang):
            err.print("  " + detail, markup=False)
    return error.exit_code
