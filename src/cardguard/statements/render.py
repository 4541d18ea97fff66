"""Proposals as JSON with a stable shape, in the reader's language: one shape for the CLI and the web."""

from __future__ import annotations

from cardguard.i18n import Lang, t


def card_json(card) -> dict:
    return {"id": card.id, "nickname": card.nickname, "last4": card.last4, "status": card.status}


def card_text(card) -> str:
    return f"{card.nickname} ****{card.last4}"


def cycle_text(cycle: str, lang: Lang) -> str:
    return t(f"wallet.cycle_{cycle}", lang)


def proposal_json(session, proposal, card, lang: Lang, *, with_id: bool = True) -> dict:
    from cardguard.statements.ledger import evidence, same_named_service

    facts = evidence(proposal)
    existing = same_named_service(session, card.id, proposal.merchant) if proposal.status == "open" else None
    return {
        "id": proposal.id if with_id else None, "card": card_json(card), "status": proposal.status,
        "status_text": t(f"statements.status.{proposal.status}", lang), "merchant": proposal.merchant,
        "merchant_key": proposal.merchant_key, "cycle": proposal.cycle, "cycle_text": cycle_text(proposal.cycle, lang),
        "amount": facts["amount"], "currency": facts["currency"], "amount_text": facts["amount_text"],
        "interval_days": facts["interval_days"], "next_charge": facts["next_charge"],
        "confidence": facts["confidence"], "confidence_text": t(f"statements.confidence.{facts['confidence']}", lang),
        "notes": [{"code": code, "text": t(f"statements.note.{code}", lang)} for code in facts["notes"]],
        "evidence": facts["evidence"], "service_id": proposal.service_id,
        "existing_service": {"id": existing.id, "name": existing.name} if existing else None,
    }
