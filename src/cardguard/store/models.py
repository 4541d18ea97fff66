"""The registry's tables. Card numbers are never stored: the last four digits are enough to
recognise a card, and nothing more can leak."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

from sqlalchemy import BigInteger, Boolean, Date, DateTime, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UtcDateTime(TypeDecorator):
    """A moment, stored in UTC and read back as UTC. SQLite keeps no offset: a mail's Date of
    23:29 +0900 was stored as 23:29 and read back as 23:29 UTC, nine hours late. Every moment is
    turned to UTC before it is written, and one read without an offset is UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None or value.tzinfo is None:
            return value
        return value.astimezone(timezone.utc)

    def process_result_value(self, value, dialect):
        if value is None:
            return value
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    pass


class Card(Base):
    __tablename__ = "cards"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    issuer: Mapped[str] = mapped_column(String(64))
    product: Mapped[str | None] = mapped_column(String(64))
    nickname: Mapped[str] = mapped_column(String(120))
    last4: Mapped[str] = mapped_column(String(4))
    expiry: Mapped[str | None] = mapped_column(String(5))  # MM/YY as printed on the card
    issued_on: Mapped[date | None] = mapped_column(Date)
    alias_email: Mapped[str | None] = mapped_column(String(254))
    back_number: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="active")  # active, stopped, replaced, closed
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("cards.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)

    services: Mapped[list[Service]] = relationship(back_populates="card", foreign_keys="Service.card_id")


class Service(Base):
    __tablename__ = "services"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    payment_url: Mapped[str | None] = mapped_column(String(2000))
    card_id: Mapped[int | None] = mapped_column(ForeignKey("cards.id", ondelete="SET NULL"))
    billing_cycle: Mapped[str] = mapped_column(String(16), default="monthly")  # monthly, yearly, other, one-off
    amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    currency: Mapped[str | None] = mapped_column(String(3))
    next_charge: Mapped[date | None] = mapped_column(Date)
    last_charged_on: Mapped[date | None] = mapped_column(Date)
    alias_email: Mapped[str | None] = mapped_column(String(254))
    category: Mapped[str | None] = mapped_column(String(120))
    notes: Mapped[str | None] = mapped_column(Text)
    holds_card_as: Mapped[str] = mapped_column(String(16), default="unknown")  # typed, wallet, unknown
    card_updated_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="active")  # active, cancelled
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)

    card: Mapped[Card | None] = relationship(back_populates="services", foreign_keys=[card_id])


class Checklist(Base):
    """What to do after a card is reissued (one item per service) or closed (the seed's caveats)."""

    __tablename__ = "checklists"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # reissue, close
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id", ondelete="CASCADE"))
    new_card_id: Mapped[int | None] = mapped_column(ForeignKey("cards.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    items: Mapped[list[ChecklistItem]] = relationship(back_populates="checklist", order_by="ChecklistItem.position",
                                                      cascade="all, delete-orphan")


class ChecklistItem(Base):
    __tablename__ = "checklist_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    checklist_id: Mapped[int] = mapped_column(ForeignKey("checklists.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    service_id: Mapped[int | None] = mapped_column(ForeignKey("services.id", ondelete="SET NULL"))
    caveat_id: Mapped[str | None] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    follows_by_itself: Mapped[bool] = mapped_column(Boolean, default=False)
    due_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="todo")
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    checklist: Mapped[Checklist] = relationship(back_populates="items")
    service: Mapped[Service | None] = relationship()


class Incident(Base):
    """Something happened to a card; what was done about it, and when."""

    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    issuer: Mapped[str | None] = mapped_column(String(64))
    card_id: Mapped[int | None] = mapped_column(ForeignKey("cards.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16), default="open")  # open, closed
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())  # stored in UTC
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    summary: Mapped[str | None] = mapped_column(Text)

    steps: Mapped[list[IncidentStep]] = relationship(back_populates="incident", order_by="IncidentStep.position",
                                                     cascade="all, delete-orphan")
    events: Mapped[list[IncidentEvent]] = relationship(back_populates="incident", order_by="IncidentEvent.at",
                                                       cascade="all, delete-orphan")


class IncidentStep(Base):
    __tablename__ = "incident_steps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    step_id: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer)
    # Not read any more: a step's state is derived from the timeline (incident/progress.py), which
    # older databases hold too; the columns stay so they need no migration.
    status: Mapped[str] = mapped_column(String(16), default="todo")
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    skip_reason: Mapped[str | None] = mapped_column(Text)

    incident: Mapped[Incident] = relationship(back_populates="steps")


class IncidentEvent(Base):
    """One line of the timeline: a verdict, a call, a note, a card's status, a step ticked."""

    __tablename__ = "incident_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UtcDateTime())  # stored in UTC
    kind: Mapped[str] = mapped_column(String(16))  # verdict, call, note, card, step
    text: Mapped[str | None] = mapped_column(Text)
    number: Mapped[str | None] = mapped_column(String(32))
    answered_by: Mapped[str | None] = mapped_column(String(200))
    reference: Mapped[str | None] = mapped_column(String(200))
    agreed: Mapped[str | None] = mapped_column(Text)
    data: Mapped[str | None] = mapped_column(Text)  # JSON: the verdict, for a verdict entry

    incident: Mapped[Incident] = relationship(back_populates="events")


class MailAccount(Base):
    """A mailbox the holder connected. The password and the ntfy topic are secrets: they live in the
    OS keyring (or a 0600 file), never in this table."""

    __tablename__ = "mail_accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    preset: Mapped[str] = mapped_column(String(16))
    host: Mapped[str] = mapped_column(String(253))
    port: Mapped[int] = mapped_column(Integer)
    username: Mapped[str] = mapped_column(String(320))
    ca_file: Mapped[str | None] = mapped_column(Text)
    authserv_id: Mapped[str | None] = mapped_column(String(253))  # confirmed by the holder after `mail test`
    has_ntfy: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class MailChecked(Base):
    """One message that was judged, in a mailbox (account, folder, UIDVALIDITY/UID) or in a scanned
    export (file, key): who, what, when and the verdict. Never the body, never a one-time code in
    full (the verdict masks it). ``identity`` says which rows are the same mail (mailbox/identity.py)."""

    __tablename__ = "mail_checked"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account: Mapped[str | None] = mapped_column(String(64))
    folder: Mapped[str | None] = mapped_column(String(500))
    uidvalidity: Mapped[int | None] = mapped_column(BigInteger)
    uid: Mapped[int | None] = mapped_column(BigInteger)
    source_file: Mapped[str | None] = mapped_column(Text)
    source_key: Mapped[str | None] = mapped_column(Text)
    identity: Mapped[str | None] = mapped_column(String(80), index=True)
    claims_issuer: Mapped[bool] = mapped_column(Boolean, default=False)
    sender: Mapped[str | None] = mapped_column(String(500))
    subject: Mapped[str | None] = mapped_column(Text)
    mail_date: Mapped[datetime | None] = mapped_column(UtcDateTime())
    verdict: Mapped[str | None] = mapped_column(String(16))  # genuine, suspicious, phishing, unrelated, unreadable
    issuer: Mapped[str | None] = mapped_column(String(64))
    findings: Mapped[str | None] = mapped_column(Text)  # finding codes, space-separated
    detail: Mapped[str | None] = mapped_column(Text)  # JSON: the verdict as shown (ja, en) for the web page
    checked_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    __table_args__ = (UniqueConstraint("account", "folder", "uidvalidity", "uid", name="uq_mail_checked_message"),)


class StatementCharge(Base):
    """One charge read from a card's statement file (statements/). Only what finding recurring
    charges needs: never the card number, the holder's name or anything a preamble holds."""

    __tablename__ = "statement_charges"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id", ondelete="CASCADE"), index=True)
    charged_on: Mapped[date] = mapped_column(Date)
    merchant_key: Mapped[str] = mapped_column(String(300), index=True)  # normalised: what groups charges
    merchant: Mapped[str] = mapped_column(String(300))  # as written
    amount_text: Mapped[str] = mapped_column(String(64))  # as written
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    currency: Mapped[str] = mapped_column(String(3))
    foreign_text: Mapped[str | None] = mapped_column(String(64))  # "20.00 USD", as written
    file_digest: Mapped[str] = mapped_column(String(64), index=True)  # sha256 of the file it came from
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class StatementProposal(Base):
    """A recurring charge found in a card's statements, offered as a service on that card."""

    __tablename__ = "statement_proposals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id", ondelete="CASCADE"), index=True)
    merchant_key: Mapped[str] = mapped_column(String(300))
    merchant: Mapped[str] = mapped_column(String(300))
    cycle: Mapped[str] = mapped_column(String(16))  # monthly, yearly
    status: Mapped[str] = mapped_column(String(16), default="open")  # open, accepted, dismissed
    service_id: Mapped[int | None] = mapped_column(ForeignKey("services.id", ondelete="SET NULL"))
    evidence: Mapped[str] = mapped_column(Text)  # JSON: recurrence.Candidate.as_json()
    found_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (UniqueConstraint("card_id", "merchant_key", "cycle", name="uq_statement_proposal"),)
