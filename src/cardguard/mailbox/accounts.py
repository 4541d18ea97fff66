"""Connected mailboxes and what was checked in them, in the store. Passwords are not here."""

from __future__ import annotations

import json
import re

from sqlalchemy import select

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


def record(store, judged: Judged) -> None:
    """The verdict summary of one mailbox message: never its body, never a code in full."""
    source = judged.source
    verdict = judged.verdict
    detail = None
    if verdict is not None and judged.claims_issuer:
        detail = json.dumps({lang: verdict.as_json(lang, web=True) for lang in ("ja", "en")}, ensure_ascii=False,
                            default=str)
    codes = " ".join(sorted({f.code for f in verdict.findings})) if verdict else (
        judged.unreadable.key if judged.unreadable else None)
    with store.session() as session:
        session.add(MailChecked(
            account=source["account"], folder=source["folder"], uidvalidity=source["uidvalidity"], uid=source["uid"],
            claims_issuer=judged.claims_issuer, sender=(judged.sender or "")[:500], subject=judged.subject,
            mail_date=judged.date, verdict=judged.verdict_name, issuer=verdict.issuer if verdict else None,
            findings=codes, detail=detail))


def recent_issuer_mail(store, limit: int = 200) -> list[MailChecked]:
    """Checked issuer mail (and unreadable mail), newest first."""
    with store.session() as session:
        rows = session.scalars(select(MailChecked).where(
            (MailChecked.claims_issuer.is_(True)) | (MailChecked.verdict == "unreadable"))
            .order_by(MailChecked.mail_date.desc().nulls_last(), MailChecked.id.desc()).limit(limit))
        return list(rows)


def checked_entry(store, entry_id: int) -> MailChecked | None:
    with store.session() as session:
        return session.get(MailChecked, entry_id)


def shown_detail(row: MailChecked, lang: Lang) -> dict | None:
    return json.loads(row.detail)[lang] if row.detail else None
