"""Whom to call, as the web pages ask it: the ONE place the web computes it.

Every page that shows a number (home, login, /call, the verdict's card) calls ``whom_to_call``. It
mirrors `cardguard contacts` (the holder's card picks the issuer and product; the number printed on its
back comes first; a country picks the overseas line). When the core gets its own answer to "whom do I
call for this card, purpose and country, now", this function's body becomes a call to it, and nothing
else in the web changes.
"""

from __future__ import annotations

from datetime import datetime

from cardguard.directory.load import Directory
from cardguard.directory.lookup import ContactLine, find_lines, own_card_line
from cardguard.directory.render import status_text
from cardguard.i18n import Lang


def whom_to_call(directory: Directory, *, own=None, card: str | None = None, purpose: str | None,
                 country: str | None = None, at: datetime) -> list[ContactLine]:
    """The lines to call, in order. ``own``: the holder's registered card (a store Card); ``card``: a
    product of the directory, when the holder picked one that is not theirs."""
    issuer = None
    product = card
    if own is not None:
        issuer = own.issuer if own.issuer in directory.issuers else None
        product = own.product
    lines = find_lines(directory, issuer=issuer, card=product, purpose=purpose, country=country, at=at)
    if own is not None and own.back_number and not country and issuer:
        lines.insert(0, own_card_line(directory, own.issuer, own.product, own.back_number, own.nickname, purpose))
    return lines


def shown_lines(lines: list[ContactLine], lang: Lang, at: datetime) -> list[dict]:
    """Lines as a page shows them: one entry per number, with the cards it serves."""
    shown: dict[str, dict] = {}
    for line in lines:
        # One button per number: the back of the card's line, first, stands for the directory's same number.
        key = "".join(ch for ch in line.number if ch.isdigit() or ch == "+")
        entry = shown.setdefault(key, {**line.as_json(lang, at), "status_text": status_text(line, at, lang),
                                       "card_names": []})
        if line.card and line.origin == "directory" and line.card in line.issuer.cards:
            entry["card_names"].append(line.issuer.cards[line.card].name(lang))
    return list(shown.values())


def emergency_lines(directory: Directory, lang: Lang, at: datetime) -> list[dict]:
    """The directory's theft/fraud lines, for anyone: public numbers, no registry needed."""
    return shown_lines(whom_to_call(directory, purpose="fraud", at=at), lang, at)
