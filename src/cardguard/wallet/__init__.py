"""Cards, the services that store them, and the reissue checklist."""

from __future__ import annotations

import re


def choose_card(cards: list, ref: str, *, active_first: bool = True):
    """The one card among ``cards`` (oldest first) that ``ref`` names: its number in the list (#3 or 3),
    nickname, last four digits or product id. Works on stored cards and on read-only rows alike."""
    from cardguard.directory.lookup import normalize
    from cardguard.errors import UserError
    from cardguard.wallet import values as v

    text = v.nfkc(ref)
    if re.fullmatch(r"#?\d{1,3}", text):
        found = [c for c in cards if c.id == int(text.lstrip("#"))]
        if found:
            return found[0]
    candidates = [c for c in cards if normalize(c.nickname) == normalize(text)] \
        or [c for c in cards if c.last4 == text] or [c for c in cards if c.product == text]
    if active_first and len(candidates) > 1:
        live = [c for c in candidates if c.status == "active"]
        candidates = live if len(live) == 1 else candidates
    if len(candidates) == 1:
        return candidates[0]
    listing = [f"#{c.id}  {c.nickname}  ****{c.last4}  {c.status}" for c in (candidates or cards)]
    if candidates:
        raise UserError("error.card_ambiguous", details=listing, given=ref)
    raise UserError("error.card_not_found", details=listing, given=ref)


def registered_card(ref: str):
    """The holder's own card named ``ref``, if a registry exists and exactly one card matches.
    Nothing is created just to look, and the migration machinery never loads (store/read.py)."""
    from cardguard.errors import UserError
    from cardguard.store.read import registered_cards

    cards = registered_cards()  # a database that cannot be read is an error the holder sees
    try:
        return choose_card(cards, ref) if cards else None
    except UserError:
        return None
