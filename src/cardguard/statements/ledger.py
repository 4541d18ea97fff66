"""Imported charges and the proposals they yield, in the holder's database.

Importing is all or nothing (the caller's session is one transaction). The same file imported again
adds nothing (its digest is kept); a file that overlaps one already imported (this month's statement
downloaded twice, a few days apart) adds only the charges not already there. A proposal, once
accepted or dismissed, stays so when later statements refresh its evidence."""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cardguard.errors import UserError
from cardguard.statements.parse import Statement
from cardguard.statements.recurrence import Seen, find_recurring
from cardguard.store.models import Card, Service, StatementCharge, StatementProposal


@dataclass
class FileResult:
    name: str
    statement: Statement
    added: int = 0
    already_imported: bool = False


@dataclass
class ImportReport:
    card: Card
    files: list[FileResult] = field(default_factory=list)
    proposals: list[StatementProposal] = field(default_factory=list)


def _key_of_row(charge) -> tuple:
    return (charge.charged_on, charge.merchant_key, charge.amount_text.strip(), charge.foreign_text or "")


def import_statements(session: Session, card: Card, files: list[tuple[str, Statement]]) -> ImportReport:
    report = ImportReport(card)
    for name, statement in files:
        result = FileResult(name, statement)
        report.files.append(result)
        seen_digest = session.scalar(select(func.count()).select_from(StatementCharge).where(
            StatementCharge.card_id == card.id, StatementCharge.file_digest == statement.digest))
        if seen_digest or any(r.statement.digest == statement.digest for r in report.files[:-1]):
            result.already_imported = True
            continue
        period = statement.period
        if period is None:
            continue
        stored = Counter(_key_of_row(c) for c in session.scalars(select(StatementCharge).where(
            StatementCharge.card_id == card.id, StatementCharge.charged_on >= period[0],
            StatementCharge.charged_on <= period[1])))
        # Two identical charges in one file are two charges; one already stored from an overlapping
        # file is the same charge.
        wanted = Counter()
        for charge in statement.charges:
            key = _key_of_row(charge)
            wanted[key] += 1
            if wanted[key] <= stored[key]:
                continue
            session.add(StatementCharge(
                card_id=card.id, charged_on=charge.charged_on, merchant_key=charge.merchant_key[:300],
                merchant=charge.merchant[:300], amount_text=charge.amount_text[:64], amount=charge.amount,
                currency=charge.currency, foreign_text=(charge.foreign_text or None) and charge.foreign_text[:64],
                file_digest=statement.digest))
            result.added += 1
        session.flush()
    report.proposals = refresh_proposals(session, card)
    return report


def card_charges(session: Session, card: Card) -> list[Seen]:
    return [Seen(c.charged_on, c.merchant, c.merchant_key, c.amount_text, c.amount, c.currency, c.foreign_text)
            for c in session.scalars(select(StatementCharge).where(StatementCharge.card_id == card.id))]


def refresh_proposals(session: Session, card: Card) -> list[StatementProposal]:
    """The card's proposals from every charge imported for it: new ones added, evidence brought up to
    date, open ones the charges no longer support dropped; decisions kept."""
    candidates = find_recurring(card_charges(session, card))
    existing = {(p.merchant_key, p.cycle): p for p in session.scalars(
        select(StatementProposal).where(StatementProposal.card_id == card.id))}
    current = []
    for candidate in candidates:
        proposal = existing.pop((candidate.merchant_key, candidate.cycle), None)
        if proposal is None:
            proposal = StatementProposal(card_id=card.id, merchant_key=candidate.merchant_key, cycle=candidate.cycle,
                                         status="open")
            session.add(proposal)
        proposal.merchant = candidate.merchant[:300]
        proposal.evidence = json.dumps(candidate.as_json(), ensure_ascii=False)
        current.append(proposal)
    for gone in existing.values():
        if gone.status == "open":
            session.delete(gone)
    session.flush()
    return current


def evidence(proposal: StatementProposal) -> dict:
    return json.loads(proposal.evidence)


def list_proposals(session: Session, card: Card | None = None, *, include_decided: bool = False) -> list[StatementProposal]:
    query = select(StatementProposal).order_by(StatementProposal.id)
    if card is not None:
        query = query.where(StatementProposal.card_id == card.id)
    if not include_decided:
        query = query.where(StatementProposal.status == "open")
    return list(session.scalars(query))


def _proposal(session: Session, given: str) -> StatementProposal:
    from cardguard.wallet.registry import by_id

    found = by_id(session, StatementProposal, given)
    if found is None:
        raise UserError("statements.proposal_not_found", given=str(given))
    return found


def loose_name(name: str) -> str:
    """A service's name as compared with a merchant's: width, case, spaces, punctuation and a web
    suffix (NETFLIX.COM is Netflix) aside."""
    text = unicodedata.normalize("NFKC", name).casefold().strip()
    text = re.sub(r"\.(com|net|jp|co\.jp|io)$", "", text)
    return re.sub(r"[\s\W_]+", "", text)


def same_named_service(session: Session, card_id: int, name: str) -> Service | None:
    wanted = loose_name(name)
    for service in session.scalars(select(Service).where(Service.card_id == card_id, Service.status == "active")
                                   .order_by(Service.id)):
        if loose_name(service.name) == wanted:
            return service
    return None


@dataclass
class Decision:
    proposal: StatementProposal
    service: Service | None
    outcome: str  # added, linked, already, dismissed


def accept(session: Session, refs: list[str], today: date) -> list[Decision]:
    """Each proposal becomes a service on its card, through the wallet's own service-adding core;
    a service of the same name already on that card is linked instead, never duplicated."""
    from cardguard.wallet import registry

    out = []
    for ref in refs:
        proposal = _proposal(session, ref)
        if proposal.status == "accepted" and proposal.service_id and session.get(Service, proposal.service_id):
            out.append(Decision(proposal, session.get(Service, proposal.service_id), "already"))
            continue
        existing = same_named_service(session, proposal.card_id, proposal.merchant)
        if existing is not None:
            proposal.service_id, outcome, service = existing.id, "linked", existing
        else:
            facts = evidence(proposal)
            last = date.fromisoformat(facts["evidence"][-1]["date"])
            candidate_next = date.fromisoformat(facts["next_charge"])
            next_charge = _next_on_or_after(last, candidate_next, proposal.cycle, today)
            service = registry.add_service(session, {
                "name": proposal.merchant, "billing_cycle": proposal.cycle, "amount": facts["amount"],
                "currency": facts["currency"], "last_charged_on": last.isoformat(),
                "next_charge": next_charge.isoformat()}, allow_duplicate=True)  # same_named_service decided above
            # The card is known by its row, not by a name the holder would type ("#12" reads only
            # three digits, a nickname or last four digits may be shared).
            service.card_id = proposal.card_id
            proposal.service_id, outcome = service.id, "added"
        proposal.status = "accepted"
        proposal.decided_at = datetime.now(timezone.utc)
        _onto_reissue_checklist(session, proposal.card_id, service)
        out.append(Decision(proposal, service, outcome))
        session.flush()
    return out


def _onto_reissue_checklist(session: Session, card_id: int, service: Service) -> None:
    """Statements of a card already replaced are read to find what still charges the old number:
    each service found there joins that reissue's checklist, as if it had been known then."""
    from cardguard.store.models import Checklist, ChecklistItem

    card = session.get(Card, card_id)
    if card is None or card.status != "replaced" or service.card_id != card_id:
        return
    checklist = session.scalars(select(Checklist).where(Checklist.card_id == card_id, Checklist.kind == "reissue")
                                .order_by(Checklist.id.desc())).first()
    if checklist is None or any(item.service_id == service.id for item in checklist.items):
        return
    checklist.items.append(ChecklistItem(
        position=len(checklist.items), service_id=service.id, title=service.name,
        follows_by_itself=service.holds_card_as == "wallet", due_on=service.next_charge, status="todo"))


def _next_on_or_after(last: date, expected: date, cycle: str, today: date) -> date:
    from cardguard.statements.recurrence import add_months

    months = 12 if cycle == "yearly" else 1
    step, day = 1, expected
    while day < today and step < 1200:
        step += 1
        day = add_months(last, months * step)
    return day


def dismiss(session: Session, refs: list[str]) -> list[Decision]:
    out = []
    for ref in refs:
        proposal = _proposal(session, ref)
        if proposal.status != "accepted":
            proposal.status = "dismissed"
            proposal.decided_at = datetime.now(timezone.utc)
        out.append(Decision(proposal, None, "dismissed" if proposal.status == "dismissed" else "already"))
    session.flush()
    return out
