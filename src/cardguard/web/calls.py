"""Whom to call, as the web pages show it. The answer itself is the core's
(`cardguard.directory.whom_to_call`, the same value `cardguard contacts` prints); this module only
lays it out: one button per number, the cards it serves, and the notes the holder must read."""

from __future__ import annotations

from datetime import datetime

from cardguard.directory import CallAnswer, HolderCard, whom_to_call
from cardguard.directory.load import Directory
from cardguard.directory.lookup import same_number_key
from cardguard.i18n import Lang


def answer_for(directory: Directory, *, own=None, card: str | None = None, issuer: str | None = None,
               purpose: str | None, country: str | None = None, at: datetime) -> CallAnswer:
    """``own``: the holder's registered card (a store Card); else ``card``: a product as the holder
    names it; else ``issuer``; else every issuer."""
    if own is not None:
        return whom_to_call(directory, at=at, card=HolderCard.of(own), purpose=purpose, country=country)
    return whom_to_call(directory, at=at, product=card or None, issuer=issuer, purpose=purpose, country=country)


def shown_lines(answers: list[CallAnswer], lang: Lang) -> list[dict]:
    """The answers' calls as a page shows them: one entry per number, first place kept, with every
    card it serves."""
    shown: dict[str, dict] = {}
    for answer in answers:
        for call in answer.calls:
            key = same_number_key(call.number)
            shown_call = call.as_json(lang)
            entry = shown.setdefault(key, {**shown_call, "card_names": []})
            # Every caveat the core gives for this number is shown, whichever card's call gave it.
            for caveat in shown_call["caveats"]:
                if caveat not in entry["caveats"]:
                    entry["caveats"].append(caveat)
            name = call.card_name(lang) if call.card_name and call.origin == "directory" else None
            if name and name not in entry["card_names"]:
                entry["card_names"].append(name)
    return list(shown.values())


def shown_notes(answers: list[CallAnswer], lang: Lang) -> list[str]:
    return list(dict.fromkeys(note.message(lang) for answer in answers for note in answer.notes))


def shown_advice(answers: list[CallAnswer], lang: Lang) -> list[str]:
    """What to do besides calling, each once (the police report goes with the theft and the loss lines)."""
    return list(dict.fromkeys(advice.text(lang) for answer in answers for advice in answer.advice))


def emergency_lines(directory: Directory, lang: Lang, at: datetime) -> list[dict]:
    """Every issuer's theft/fraud lines, for anyone: public numbers, no registry needed."""
    return shown_lines([answer_for(directory, purpose="fraud", at=at)], lang)
