"""Reading the holder's cards on the paths that only look (check, contacts, the web's check).

These paths never create a database, never load Alembic and, for the default SQLite file, not even
SQLAlchemy: the file is opened read-only with the standard library and its Alembic revision is
compared with the newest migration shipped. A database at another revision goes through the full
store (which upgrades it), as before; no file means no cards.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from pathlib import Path
from urllib.parse import quote

from cardguard.errors import UserError
from cardguard.paths import database_url
from cardguard.values import record

_COLUMNS = ("id", "issuer", "product", "nickname", "last4", "status", "alias_email", "back_number")
_CARDS_SQL = f"SELECT {', '.join(_COLUMNS)} FROM cards ORDER BY id"


@record
class CardRow:
    """What a look-up needs of a registered card (the same names as the Card model's columns)."""

    id: int
    issuer: str
    product: str | None
    nickname: str
    last4: str
    status: str
    alias_email: str | None
    back_number: str | None


@cache
def head_revision() -> str | None:
    """The newest migration shipped: the one no other migration names as its predecessor."""
    folder = resources.files("cardguard.store").joinpath("migrations", "versions")
    revisions, parents = set(), set()
    for file in folder.iterdir():
        if not file.name.endswith(".py"):
            continue
        text = file.read_text(encoding="utf-8")
        found = re.search(r"^revision\b[^=\n]*=\s*['\"]([^'\"]+)['\"]", text, re.M)
        if found:
            revisions.add(found.group(1))
        for parent in re.findall(r"['\"]([^'\"]+)['\"]",
                                 (re.search(r"^down_revision\b[^=\n]*=(.*)$", text, re.M) or [None, ""])[1]):
            parents.add(parent)
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def database_error(reason: str, where: str) -> UserError:
    """Database trouble as the message a holder can act on (shared with the full store)."""
    text = reason.lower()
    if "locked" in text or "busy" in text:
        return UserError("error.db_locked", where=where)
    if "readonly" in text or "read-only" in text or "read only" in text:
        return UserError("error.db_readonly", where=where)
    if "unable to open" in text or "connection" in text or "could not connect" in text or "refused" in text:
        return UserError("error.db_unreachable", where=where, reason=reason[:200])
    return UserError("error.db_failed", where=where, reason=reason[:200])


def _sqlite_cards(path: Path) -> list[CardRow] | None:
    """The cards in an SQLite file at the shipped revision; None when it needs the full store."""
    import sqlite3  # only once a registry exists

    try:
        connection = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True, timeout=3)
    except sqlite3.Error as exc:
        raise database_error(str(exc), str(path)) from None
    try:
        try:
            version = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                return None  # an empty or foreign file: the full store decides what it is
            raise
        if not version or version[0] != head_revision():
            return None
        return [CardRow(*row) for row in connection.execute(_CARDS_SQL)]
    except sqlite3.DatabaseError as exc:
        raise database_error(str(exc), str(path)) from None
    finally:
        connection.close()


def _store_cards(store) -> list[CardRow]:
    from sqlalchemy import select

    from cardguard.store.models import Card

    with store.session() as session:
        return [CardRow(*(getattr(card, name) for name in _COLUMNS))
                for card in session.scalars(select(Card).order_by(Card.id))]


def registered_cards(store=None) -> list[CardRow]:
    """Every card in the holder's registry, oldest first; [] when there is no registry.
    A long-running caller (the web app) may pass its open store instead."""
    if store is not None:
        return _store_cards(store)
    url = database_url()
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if not path.exists():
            return []
        cards = _sqlite_cards(path)
        return cards if cards is not None else _migrated_cards(url)
        return _migrated_cards(url)
    from sqlalchemy import text
    from sqlalchemy.exc import SQLAlchemyError

    from cardguard.store.db import Store, translate

    # A database server: SQLAlchemy without the migration machinery, when it is at the shipped revision.
    store = Store(url, upgrade=False)
    try:
        try:
            with store.engine.connect() as connection:
                version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except SQLAlchemyError as exc:
            if "alembic_version" not in str(exc):
                raise translate(exc, url) from None
            version = None
        if version == head_revision():
            return _store_cards(store)
    finally:
        store.close()
    return _migrated_cards(url)


def _migrated_cards(url: str) -> list[CardRow]:
    from cardguard.store.db import Store

    # A database at another revision: the full store, as every writer opens it (it upgrades the file).
    store = Store(url)
    try:
        return _store_cards(store)
    finally:
        store.close()
