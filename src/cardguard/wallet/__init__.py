"""Cards, the services that store them, and the reissue checklist."""

from __future__ import annotations


def registered_card(ref: str):
    """The holder's own card named ``ref``, if a registry exists and exactly one card matches.
    Nothing is created just to look, and the database libraries load only when there is one."""
    from cardguard.paths import database_url, registry_exists

    if not registry_exists():
        return None
    url = database_url()
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
