"""One message in, a judgement out: a cheap look at the headers first (does it claim a card
issuer?), the full check only when it does (or when asked for every message)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from cardguard.errors import UserError
from cardguard.i18n import Lang
from cardguard.mailbox import HEAD_LIMIT, HEADER_END
from cardguard.verify.check import CheckOptions, check_message
from cardguard.verify.identity import claimed_issuer
from cardguard.verify.message import MAX_BYTES, glance, read_mail
from cardguard.verify.model import Verdict



@dataclass
class Judged:
    source: dict  # account/folder/uidvalidity/uid, or file/key
    claims_issuer: bool = False
    verdict: Verdict | None = None
    unreadable: UserError | None = None  # why the message could not be read (listed, the run goes on)
    sender: str = ""
    subject: str = ""
    date: datetime | None = None
    size: int = 0
    identity: str | None = None  # which stored entry it is (mailbox/identity.py)
    seen_before: bool = False  # the same mail was on record already (another folder, a scan)
    extra: dict = field(default_factory=dict)

    @property
    def verdict_name(self) -> str:
        return self.verdict.verdict if self.verdict else ("unreadable" if self.unreadable else "unrelated")

    def as_json(self, lang: Lang) -> dict:
        if self.verdict is not None:
            out = self.verdict.as_json(lang)
        else:
            out = {"verdict": self.verdict_name, "from": {"address": self.sender}, "subject": self.subject}
        if self.unreadable is not None:
            out["error"] = self.unreadable.as_json(lang)["error"]
        out["source"] = self.source
        return out


def head_of(data: bytes) -> bytes:
    """The header block of a raw message (everything before the first empty line)."""
    found = HEADER_END.search(data, 0, HEAD_LIMIT)
    return data[:found.start()] + b"\r\n\r\n" if found else data[:HEAD_LIMIT]


def look_at_headers(head: bytes, directory, source: dict) -> Judged:
    """Who it is from and whether it claims a card issuer, from the headers alone."""
    from cardguard.incident.record import received_at

    judged = Judged(source=source)
    try:
        headers, display, address, domain, subject = glance(head)
    except UserError as error:
        judged.unreadable = error
        return judged
    except (RecursionError, ValueError, LookupError, UnicodeError) as exc:
        judged.unreadable = UserError("error.mail_unreadable", reason=type(exc).__name__)
        return judged
    judged.sender = address
    judged.subject = subject
    judged.date = received_at(headers)
    judged.claims_issuer = claimed_issuer(list(directory.issuers.values()), display, subject, domain, "") is not None
    return judged


def too_large(size: int) -> UserError:
    return UserError("error.message_too_large", size=size // (1024 * 1024), limit=MAX_BYTES // (1024 * 1024))


def judge_message(head: bytes, size: int, whole: Callable[[], bytes | None], directory, options: CheckOptions,
                  source: dict, *, everything: bool) -> Judged | None:
    """The one rule for a message of a mailbox or an export: its headers decide whether it is read
    whole (it claims an issuer, or every message was asked for) and a message over the limit is
    listed, never read. ``whole`` reads the message; None when it vanished meanwhile (then so does
    the result)."""
    from cardguard.mailbox.identity import header_identity, message_identity

    # A header longer than what is read to decide: its From may lie past the cut (a sender can put a
    # megabyte of fields before it), so it is not taken to claim no issuer: it is read whole.
    cut = len(head) >= HEAD_LIMIT and not HEADER_END.search(head)
    judged = Judged(source=source) if cut else look_at_headers(head, directory, source)
    judged.size = size
    if judged.unreadable is None and (judged.claims_issuer or everything or cut):
        if size > MAX_BYTES:
            judged.unreadable = too_large(size)
        else:
            data = whole()
            if data is None:
                return None
            judged.identity = message_identity(data)
            return judge(data, directory, options, judged)
    if judged.claims_issuer or judged.unreadable is not None:
        # Only mail that is listed needs to be told apart: the rest costs no digest.
        judged.identity = header_identity(head)
    return judged


def judge(data: bytes, directory, options: CheckOptions, judged: Judged) -> Judged:
    """The full check of a message whose headers were already looked at."""
    from cardguard.incident.record import received_at

    judged.size = len(data)
    if len(data) > MAX_BYTES:
        judged.unreadable = too_large(len(data))
        return judged
    try:
        mail = read_mail(data)
        judged.verdict = check_message(data, directory, options, mail)
    except UserError as error:
        judged.unreadable = error
        return judged
    except (RecursionError, MemoryError, ValueError, LookupError, UnicodeError) as exc:
        # A message written to break readers breaks only itself: listed as unreadable, the run goes on.
        judged.unreadable = UserError("error.mail_unreadable", reason=type(exc).__name__)
        return judged
    judged.sender = mail.from_address or judged.sender
    judged.subject = mail.subject or judged.subject
    judged.date = judged.date or received_at(mail.headers)
    judged.claims_issuer = judged.verdict.issuer is not None or judged.claims_issuer
    return judged

