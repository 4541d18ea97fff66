"""`check` as one function every front end calls (the CLI, the web, a mailbox watcher): the user's
settings and registered aliases merged with what the caller was given, then the check itself."""

from __future__ import annotations

from cardguard.i18n import Lang


def verify_bytes(data: bytes, language: Lang, *, offline: bool, resolver: str | None, trust: list[str] | None,
                 alias: list[str] | None, card: str | None, mail=None, store=None):
    """The verdict on ``data``; ``mail`` is ``read_mail(data)`` when the caller has already read it.
    A long-running caller (the web app) passes its open store instead of one being opened each time."""
    from cardguard.verify import check_message

    directory, options = check_setup(language, offline=offline, resolver=resolver, trust=trust, alias=alias,
                                     card=card, store=store)
    return check_message(data, directory, options, mail)


def check_setup(language: Lang, *, offline: bool, resolver: str | None, trust: list[str] | None,
                alias: list[str] | None, card: str | None = None, store=None):
    """The directory and the check options, once for any number of messages (`mail check`,
    `mail scan` and `check FOLDER` judge many)."""
    from cardguard.directory import load_directory

    return load_directory(), check_options(language, offline=offline, resolver=resolver, trust=trust,
                                           alias=alias, card=card, store=store)


def check_options(language: Lang, *, offline: bool, resolver: str | None, trust: list[str] | None,
                  alias: list[str] | None, card: str | None = None, store=None):
    """The CheckOptions of `cardguard check`: the user's settings merged with the options given."""
    from cardguard.config import aliases_by_issuer, load_settings
    from cardguard.directory import load_directory
    from cardguard.directory.calls import HolderCard
    from cardguard.verify import CheckOptions

    settings = load_settings()
    rows = _registered_rows(store)
    alias_cards = {row.alias_email.lower(): HolderCard.of(row) for row in rows if row.alias_email}
    issuer_aliases = aliases_by_issuer(settings)
    unscoped = list(alias or [])
    directory = load_directory()
    for address, holder_card in alias_cards.items():
        # A card whose company the directory knows counts its alias for that company only.
        issuer = directory.find_issuer(holder_card.issuer)
        if issuer is not None:
            issuer_aliases.setdefault(issuer.id, []).append(address)
        else:
            unscoped.append(address)
    server = resolver or settings.check.resolver
    if server:
        from cardguard.verify.resolver import (
            parse_resolver,  # loads dnspython: only when a server is named
        )
    return CheckOptions(
        offline=offline,
        resolver=parse_resolver(server) if server else None,
        trust_authserv=list(trust or []) + settings.check.trust_authserv,
        aliases=unscoped,
        issuer_aliases=issuer_aliases,
        card=_holder_card(rows, card) if card else None,
        alias_cards=alias_cards,
    )


def _holder_card(rows: list, given: str):
    """``--card`` as `contacts --card` reads it: one of the holder's registered cards (number,
    nickname, last four digits) when one matches, else the name of a card product."""
    from cardguard.directory.calls import HolderCard
    from cardguard.errors import UserError
    from cardguard.wallet import choose_card

    try:
        return HolderCard.of(choose_card(rows, given)) if rows else given
    except UserError:
        return given


def _registered_rows(store=None) -> list:
    # The active and stopped cards, read without creating a registry or loading the migration
    # machinery (store/read.py).
    from cardguard.store.read import registered_cards

    return [c for c in sorted(registered_cards(store), key=lambda c: c.id) if c.status in ("active", "stopped")]


def _alias_rows(store=None) -> list[tuple[str, str | None, int]]:
    return [(c.alias_email.lower(), c.product, c.id) for c in _registered_rows(store) if c.alias_email]


def card_by_alias(recipients: list[str], store=None) -> int | None:
    """The holder's card whose registered alias the mail was sent to: which card the mail is about."""
    wanted = {r.lower() for r in recipients}
    return next((card_id for address, _, card_id in _alias_rows(store) if address in wanted), None)
