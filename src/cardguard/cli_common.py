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


def verify_bytes(data: bytes, language: Lang, *, offline: bool, resolver: str | None, trust: list[str] | None,
                 alias: list[str] | None, card: str | None, mail=None, store=None):
    """`cardguard check` as a function: the user's settings merged with the options given."""
    from cardguard.directory import load_directory
    from cardguard.verify import check_message

    options = check_options(language, offline=offline, resolver=resolver, trust=trust, alias=alias, card=card,
                            store=store)
    return check_message(data, load_directory(language), options, mail)


def check_options(language: Lang, *, offline: bool, resolver: str | None, trust: list[str] | None,
                  alias: list[str] | None, card: str | None, store=None):
    """The CheckOptions of `cardguard check`: the user's settings merged with the options given."""
    from cardguard.config import load_settings
    from cardguard.verify import CheckOptions

    settings = load_settings(language)
    alias_cards = registered_aliases(store)
    server = resolver or settings.check.resolver
    if server:
        from cardguard.verify.resolver import parse_resolver  # loads dnspython: only when a server is named
    return CheckOptions(
        offline=offline,
        resolver=parse_resolver(server) if server else None,
        trust_authserv=list(trust or []) + settings.check.trust_authserv,
        aliases=list(alias or []) + [a for addresses in settings.aliases.values() for a in addresses]
        + list(alias_cards),
        card=card,
        alias_cards={a: product for a, product in alias_cards.items() if product},
    )


def registered_aliases(store=None) -> dict[str, str | None]:
    """The alias addresses of the holder's active cards (address -> product), if a registry exists.
    A long-running caller (the web app) passes its open store instead of opening one each time."""
    from cardguard.store.read import registered_cards

    return {c.alias_email.lower(): c.product for c in registered_cards(store)
            if c.status in ("active", "stopped") and c.alias_email}
