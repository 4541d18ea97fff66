"""`mail test`: connect, list the folders, find the junk folder, and read which receiver stamped the
topmost Authentication-Results of recent mail, for the holder to confirm."""

from __future__ import annotations

from collections import Counter

from cardguard.mailbox import imap
from cardguard.mailbox.imap import Account
from cardguard.verify import authres
from cardguard.errors import UserError
from cardguard.verify.message import glance

LOOK_AT = 20  # recent messages whose headers are read


def topmost_authserv(head: bytes) -> str | None:
    try:
        headers = glance(head)[0]
    except UserError:  # an unreadable header block says nothing about the provider
        return None
    for name, value in headers:
        if name.lower() == "authentication-results":
            parsed = authres.parse(value)
            return parsed.authserv_id if parsed else None
    return None


def probe(account: Account, password: str) -> dict:
    client = imap.connect(account, password)
    try:
        found = imap.folders(client)
        junk = imap.junk_folder(found, account.preset)
        imap.examine(client, "INBOX")
        recent = imap.uids_since(client, None)[-LOOK_AT:]
        seen = Counter()
        for _uid, _size, _arrived, head in imap.headers_of(client, recent):
            authserv = topmost_authserv(head)
            if authserv:
                seen[authserv] += 1
        return {
            "folders": [{"name": f.name, "flags": list(f.flags)} for f in found],
            "junk": junk,
            "junk_by": ("special-use" if any(f.junk for f in found) else "name") if junk else None,
            "messages_looked_at": len(recent),
            "authserv_ids": [name for name, _ in seen.most_common()],
        }
    finally:
        imap.close(client)
