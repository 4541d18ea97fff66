"""Connected mailboxes and what was checked in them, in the store. Passwords are not here."""

from __future__ import annotations

import json
import os
import re

from sqlalchemy import String, cast, func, literal, select

from cardguard.errors import UserError
from cardguard.i18n import Lang
from cardguard.mailbox import secrets
from cardguard.mailbox.imap import Account
from cardguard.mailbox.judge import Judged
from cardguard.store.models import MailAccount, MailChecked

NAME = re.compile(r"^[\w.@+-]{1,64}$")


def _account(row: MailAccount) -> Account:
    return Account(row.name, row.preset, row.host, row.port, row.username, row.ca_file, row.authserv_id,
                   row.has_ntfy)


def add(store, account: Account, password: str) -> str:
    """Save the account and its password; where the password went (keyring or the file)."""
    if not NAME.match(account.name):
        raise UserError("error.mail_bad_name", name=account.name)
    with store.session() as session:
        if session.scalar(select(MailAccount).where(MailAccount.name == account.name)):
            raise UserError("error.mail_account_exists", name=account.name)
        session.add(MailAccount(name=account.name, preset=account.preset, host=account.host, port=account.port,
                                username=account.username, ca_file=account.ca_file,
                                authserv_id=account.authserv_id, has_ntfy=False))
    return secrets.save(secrets.password_key(account.name), password)


def all_accounts(store) -> list[Account]:
    with store.session() as session:
        return [_account(row) for row in session.scalars(select(MailAccount).order_by(MailAccount.name))]


def get(store, name: str | None) -> list[Account]:
    """The named account, or every account; a clear error when there is none."""
    found = all_accounts(store)
    if name is None:
        if not found:
            raise UserError("error.mail_no_accounts")
        return found
    for account in found:
        if account.name == name:
            return [account]
    raise UserError("error.mail_account_unknown", name=name, known=", ".join(a.name for a in found) or "-")


def password(account: Account) -> str:
    found = secrets.load(secrets.password_key(account.name))
    if not found:
        raise UserError("error.mail_no_password", name=account.name)
    return found


def remove(store, name: str) -> None:
    get(store, name)
    with store.session() as session:
        row = session.scalar(select(MailAccount).where(MailAccount.name == name))
        session.delete(row)
        for checked in session.scalars(select(MailChecked).where(MailChecked.account == name)):
            session.delete(checked)
    secrets.delete(secrets.password_key(name))
    secrets.delete(secrets.ntfy_key(name))


def confirm_authserv(store, name: str, authserv_id: str | None) -> None:
    with store.session() as session:
        row = session.scalar(select(MailAccount).where(MailAccount.name == name))
        row.authserv_id = authserv_id.strip().lower() if authserv_id else None


def remember_ntfy(store, name: str, url: str) -> None:
    secrets.save(secrets.ntfy_key(name), url)
    with store.session() as session:
        session.scalar(select(MailAccount).where(MailAccount.name == name)).has_ntfy = True


def ntfy_url(account: Account) -> str | None:
    return secrets.load(secrets.ntfy_key(account.name)) if account.has_ntfy else None


def checked_uids(store, account: str, folder: str, uidvalidity: int) -> set[int]:
    with store.session() as session:
        return set(session.scalars(select(MailChecked.uid).where(
            MailChecked.account == account, MailChecked.folder == folder, MailChecked.uidvalidity == uidvalidity)))


def _summary_row(judged: Judged) -> MailChecked:
    """The verdict summary of one message: never its body, never a code in full."""
    source = judged.source
    verdict = judged.verdict
    detail = None
    if verdict is not None and judged.claims_issuer:
        detail = json.dumps({lang: verdict.as_json(lang, web=True) for lang in ("ja", "en")}, ensure_ascii=False,
                            default=str)
    codes = " ".join(sorted({f.code for f in verdict.findings})) if verdict else (
        judged.unreadable.key if judged.unreadable else None)
    return MailChecked(
        account=source.get("account"), folder=source.get("folder"), uidvalidity=source.get("uidvalidity"),
        uid=source.get("uid"), source_file=_absolute(source.get("file")), source_key=source.get("key"),
        identity=judged.identity, claims_issuer=judged.claims_issuer, sender=(judged.sender or "")[:500],
        subject=judged.subject, mail_date=judged.date, verdict=judged.verdict_name,
        issuer=verdict.issuer if verdict else None, findings=codes, detail=detail)


def _absolute(path: str | None) -> str | None:
    # The page is read from anywhere: a scanned file is named by where it is, not where the scan ran.
    return os.path.abspath(path) if path else None


def listed(judged: Judged) -> bool:
    """What the Mail page lists: mail that claims an issuer, and mail that could not be read."""
    return judged.claims_issuer or judged.unreadable is not None


class Recorder:
    """The one place a checked message is recorded, a batch at a time (one transaction per batch, so
    a scan of 100,000 messages is not 100,000 commits). Used as a context manager, what was checked
    is recorded however the run ends, Ctrl-C included.

    A mailbox message is always recorded: its account, folder and UID say it was checked, so the
    next `mail check` does not fetch it again. A scanned message is recorded only if the Mail page
    lists it and only if no record of the same mail exists yet (from a scan or from the mailbox): the
    first check of a mail, the one nearest its arrival (when its sender's keys were as they were
    then), is the one the page shows; later sightings never double it."""

    def __init__(self, store, every: int = 200) -> None:
        self.store, self.every = store, every
        self.pending: list[Judged] = []
        self.stored = self.known = 0  # scanned messages newly recorded / already on record

    def add(self, judged: Judged) -> None:
        self.pending.append(judged)
        if len(self.pending) >= self.every:
            self.flush()

    def flush(self) -> None:
        batch, self.pending = self.pending, []
        try:
            stored, known = self._write(batch)
        except KeyboardInterrupt:
            # Ctrl-C while writing rolled the batch back: write it again, then stop as asked.
            stored, known = self._write(batch)
            self.stored, self.known = self.stored + stored, self.known + known
            raise
        self.stored, self.known = self.stored + stored, self.known + known

    def _write(self, batch: list[Judged]) -> tuple[int, int]:
        stored = known = 0
        identities = {j.identity for j in batch if j.identity and ("file" not in j.source or listed(j))}
        with self.store.session() as session:
            seen = set(session.scalars(select(MailChecked.identity).where(MailChecked.identity.in_(identities)))) \
                if identities else set()
            for judged in batch:
                judged.seen_before = judged.identity in seen
                if "file" in judged.source:
                    if not listed(judged):
                        continue
                    if judged.identity in seen:
                        known += 1
                        continue
                    stored += 1
                if judged.identity:
                    seen.add(judged.identity)
                session.add(_summary_row(judged))
        return stored, known

    def __enter__(self) -> Recorder:
        return self

    def __exit__(self, *exc) -> None:
        if self.pending:
            self.flush()


def record(store, judged: Judged) -> None:
    """Record one checked message at once (a mailbox message, as it is checked)."""
    with Recorder(store, every=1) as recorder:
        recorder.add(judged)


def recent_issuer_mail(store, limit: int = 200) -> list[MailChecked]:
    """The mail the page lists, newest first, each mail once: where the same mail was checked more
    than once (scanned twice, scanned and read in the mailbox, in two folders), its first check."""
    shown = (MailChecked.claims_issuer.is_(True)) | (MailChecked.verdict == "unreadable")
    # Rows from before identities were kept have none: each stands for itself.
    same_mail = func.coalesce(MailChecked.identity, literal("row:") + cast(MailChecked.id, String))
    first = func.row_number().over(partition_by=same_mail, order_by=(MailChecked.checked_at, MailChecked.id))
    ranked = select(MailChecked.id.label("id"), first.label("n")).where(shown).subquery()
    with store.session() as session:
        rows = session.scalars(select(MailChecked).join(ranked, ranked.c.id == MailChecked.id)
                               .where(ranked.c.n == 1)
                               .order_by(MailChecked.mail_date.desc().nulls_last(), MailChecked.id.desc())
                               .limit(limit))
        return list(rows)


def checked_entry(store, entry_id: int) -> MailChecked | None:
    with store.session() as session:
        return session.get(MailChecked, entry_id)


def shown_detail(row: MailChecked, lang: Lang) -> dict | None:
    return json.loads(row.detail)[lang] if row.detail else None
