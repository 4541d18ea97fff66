"""Cards, the services that store them, and the reissue checklist."""

from __future__ import annotations

from pathlib import Path


def registered_card(ref: str):
    """The holder's own card named ``ref``, if a registry exists and exactly one card matches.
    Nothing is created just to look, and the database libraries load only when there is one."""
    from cardguard.paths import database_url

    url = database_url()
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        return None
    from cardguard.errors import UserError
    from cardguard.store.db import Store
    from cardguard.wallet.registry import find_card

    store = Store(url)
    try:
        with store.session() as session:
            return find_card(session, ref)
    except UserError:
        return None
    finally:
        store.close()
