"""Which stored entry a message is, so the same mail seen twice is listed once: an mbox scanned
twice, an export scanned after `mail check` read the mailbox it came from, or one message in two
folders.

Not the Message-ID: its sender writes it, so a phishing mail can carry the Message-ID of a genuine
one (or none at all) and would hide behind that entry. The identity is a digest of the message as
its sender and its receivers wrote it, byte for byte, minus only what a mail program adds when it
stores or exports a message (its own flags and labels) and what an export format changes (line
endings, mbox ">From " quoting, the blank line an mbox puts between messages). Two deliveries of the
same text are two entries, since each receiver wrote its own Received line; one delivery read twice
is one. Whatever this leaves different only makes a second entry, never hides a mail.
"""

from __future__ import annotations

import hashlib
import re

from cardguard.mailbox import HEADER_END

# Header fields that are a mail program's own state, written into the stored copy, never by a sender
# or a receiver:
# - Dovecot's mbox metadata (X-IMAPbase, X-IMAP, X-UID, Status, X-Status, X-Keywords, Content-Length;
#   Dovecot wiki, MailboxFormat/mbox, "Dovecot's Metadata");
# - Thunderbird's (X-Mozilla-Status, X-Mozilla-Status2, X-Mozilla-Keys, X-Mozilla-Draft-Info,
#   X-UIDL; comm-central mailnews/base/src/nsMsgLocalFolderHdrs.h);
# - Google Takeout's labels (X-Gmail-Labels; the archive_browser.html of a Takeout export) and thread
#   (X-GM-THRID, which heads each message of the Takeout archive in Kolab's TakeoutTest.php).
LOCAL_FIELDS = frozenset(name.lower() for name in (
    "X-IMAPbase", "X-IMAP", "X-UID", "Status", "X-Status", "X-Keywords", "Content-Length", "Lines",
    "X-Mozilla-Status", "X-Mozilla-Status2", "X-Mozilla-Keys", "X-Mozilla-Draft-Info", "X-UIDL",
    "X-Gmail-Labels", "X-GM-THRID",
))

_FIELD_NAME = re.compile(rb"^([!-9;-~]+)[ \t]*:")
_QUOTED_FROM = re.compile(rb"^>+(?=From )", re.M)


def _lines(data: bytes) -> list[bytes]:
    return data.replace(b"\r\n", b"\n").split(b"\n")


def _canonical_header(head: bytes) -> bytes:
    out, keep = [], True
    for line in _lines(head):
        if line[:1] in (b" ", b"\t"):
            if keep:  # a continuation line belongs to the field above it
                out.append(line)
            continue
        found = _FIELD_NAME.match(line)
        keep = not (found and found.group(1).decode("ascii").lower() in LOCAL_FIELDS)
        if keep:
            out.append(line)
    return b"\n".join(out).rstrip(b"\n")


def _split(raw: bytes) -> tuple[bytes, bytes | None]:
    found = HEADER_END.search(raw)
    return (raw[:found.start()], raw[found.end():]) if found else (raw, None)


def message_identity(raw: bytes) -> str:
    """The identity of a whole message ("m:" and a SHA-256)."""
    head, body = _split(raw)
    digest = hashlib.sha256(_canonical_header(head))
    if body is not None:
        body = _QUOTED_FROM.sub(b"", body.replace(b"\r\n", b"\n")).rstrip(b"\n")
        digest.update(b"\n\n" + body)
    return "m:" + digest.hexdigest()


def header_identity(head: bytes) -> str:
    """The identity of a message whose body was not read (too large, or only its headers were
    fetched): "h:" and a SHA-256 of its header. Never equal to a whole message's identity, so a mail
    read whole and one known only by its header are never taken for each other."""
    return "h:" + hashlib.sha256(_canonical_header(_split(head)[0])).hexdigest()
