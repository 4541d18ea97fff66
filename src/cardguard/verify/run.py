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
    """The directory and the check options: the user's settings merged with the options given, once
    for any number of messages (`mail check` and `mail scan` judge many)."""
    from cardguard.config import load_settings
    from cardguard.directory import load_directory
    from cardguard.verify import CheckOptions
    from cardguard.verify.resolver import parse_resolver

    settings = load_settings()
    directory = load_directory()
    alias_cards = registered_aliases(store)
    options = CheckOptions(
        offline=offline,
        resolver=parse_resolver(resolver or settings.check.resolver) if (resolver or settings.check.resolver) else None,
        trust_authserv=list(trust or []) + settings.check.trust_authserv,
        aliases=list(alias or []) + [a for addresses in settings.aliases.values() for a in addresses]
        + list(alias_cards),
        card=card,
        alias_cards={a: product for a, product in alias_cards.items() if product},
    )
    return directory, options


def _alias_rows(store):
    from sqlalchemy import select

    from cardguard.store.models import Card

    with store.session() as session:
        return [(c.alias_email.lower(), c.product, c.id) for c in session.scalars(
            select(Card).where(Card.status.in_(("active", "stopped")), Card.alias_email.is_not(None))
            .order_by(Card.id))]


def _with_store(store, work):
    from cardguard.paths import registry_exists

    if store is None and not registry_exists():
        return []
    from cardguard.store.db import Store

    own = store is None
    store = store or Store()
    try:
        return work(store)
    finally:
        if own:
            store.close()


def registered_aliases(store=None) -> dict[str, str | None]:
    """The alias addresses of the holder's active cards (address -> product), if a registry exists."""
    return {address: product for address, product, _ in _with_store(store, _alias_rows)}


def card_by_alias(recipients: list[str], store=None) -> int | None:
    """The holder's card whose registered alias the mail was sent to: which card the mail is about."""
    wanted = {r.lower() for r in recipients}
    return next((card_id for address, _, card_id in _with_store(store, _alias_rows) if address in wanted), None)
