"""The mailbox over IMAP, read-only: folders are opened with EXAMINE and messages fetched with
BODY.PEEK, so nothing is marked read, moved or deleted. Every failure becomes a message that names
the server and never the password."""

from __future__ import annotations

import socket
import ssl
from dataclasses import dataclass
from datetime import date, timezone

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientAbortError, IMAPClientError, LoginError

from cardguard.errors import UserError
from cardguard.mailbox import HEAD_LIMIT
from cardguard.mailbox.presets import KNOWN_JUNK_NAMES, presets

BATCH = 200  # messages whose sizes are fetched per round trip
BATCH_BYTES = 4 * 1024 * 1024  # headers fetched per round trip, at most (held about 3 times over)


@dataclass(frozen=True)
class Account:
    name: str
    preset: str
    host: str
    port: int
    username: str
    ca_file: str | None = None
    authserv_id: str | None = None
    has_ntfy: bool = False


# Errors a dropped or refused connection raises; watch reconnects after any of them.
CONNECTION_ERRORS = (OSError, socket.timeout, ssl.SSLError, IMAPClientError, EOFError)


def tls_context(account: Account) -> ssl.SSLContext:
    if not account.ca_file:
        return ssl.create_default_context()
    try:
        # The private CA is trusted for this account only, on top of nothing else.
        return ssl.create_default_context(cafile=account.ca_file)
    except (OSError, ssl.SSLError) as exc:
        raise UserError("error.mail_ca_file", path=account.ca_file, reason=getattr(exc, "strerror", None)
                        or str(exc)[:200]) from None


def connect(account: Account, password: str, timeout: float = 30.0) -> IMAPClient:
    where = f"{account.host}:{account.port}"
    context = tls_context(account)
    try:
        client = IMAPClient(account.host, port=account.port, ssl=True, ssl_context=context, timeout=timeout)
    except ssl.SSLCertVerificationError as exc:
        raise UserError("error.mail_certificate", where=where, reason=exc.verify_message or str(exc)[:200]) from None
    except ssl.SSLError as exc:
        raise UserError("error.mail_tls", where=where, reason=str(exc)[:200]) from None
    except socket.gaierror:
        raise UserError("error.mail_host_unknown", where=where) from None
    except (OSError, IMAPClientError) as exc:
        raise UserError("error.mail_unreachable", where=where, reason=getattr(exc, "strerror", None)
                        or type(exc).__name__) from None
    client.normalise_times = False  # INTERNALDATE with its zone, not the machine's local time
    try:
        client.login(account.username, password)
    except LoginError:
        _close(client)
        # The server's own words are left out: some echo what was sent.
        raise UserError("error.mail_login", where=where, user=account.username) from None
    except CONNECTION_ERRORS as exc:
        _close(client)
        raise UserError("error.mail_unreachable", where=where, reason=type(exc).__name__) from None
    return client


def _close(client: IMAPClient) -> None:
    try:
        client.logout()
    except Exception:  # noqa: BLE001 - already gone
        try:
            client.shutdown()
        except Exception:  # noqa: BLE001
            pass


def close(client: IMAPClient) -> None:
    _close(client)


@dataclass(frozen=True)
class Folder:
    name: str
    flags: tuple[str, ...]

    @property
    def junk(self) -> bool:
        return "\\Junk" in self.flags


def folders(client: IMAPClient) -> list[Folder]:
    out = []
    for flags, _delimiter, name in client.list_folders():
        out.append(Folder(name, tuple(f.decode() if isinstance(f, bytes) else str(f) for f in flags)))
    return out


def junk_folder(found: list[Folder], preset: str) -> str | None:
    """The junk folder: the one the server marks \\Junk (RFC 6154), else a name providers use."""
    for folder in found:
        if folder.junk:
            return folder.name
    names = list(presets()[preset].junk_names if preset in presets() else []) + list(KNOWN_JUNK_NAMES)
    by_name = {f.name.casefold(): f.name for f in found}
    for name in names:
        if name.casefold() in by_name:
            return by_name[name.casefold()]
    return None


def folders_to_read(client: IMAPClient, account: Account, wanted: list[str] | None = None) -> list[str]:
    """INBOX and the junk folder, or the folders the holder named (each must exist)."""
    found = folders(client)
    if wanted:
        names = {f.name for f in found}
        missing = [w for w in wanted if w not in names]
        if missing:
            raise UserError("error.mail_folder_missing", folder=", ".join(missing),
                            details=[f.name for f in found][:50])
        return wanted
    out = ["INBOX"]
    junk = junk_folder(found, account.preset)
    if junk and junk != "INBOX":
        out.append(junk)
    return out


def examine(client: IMAPClient, folder: str) -> int:
    """Open ``folder`` read-only (EXAMINE); its UIDVALIDITY."""
    return examine_state(client, folder)[0]


def examine_state(client: IMAPClient, folder: str) -> tuple[int, int | None]:
    """Open ``folder`` read-only (EXAMINE); its UIDVALIDITY and UIDNEXT (None where a server gives none)."""
    try:
        info = client.select_folder(folder, readonly=True)
    except IMAPClientAbortError:
        raise  # the connection dropped: not the folder's fault (imaplib's abort is a kind of its error)
    except IMAPClientError as exc:
        # Listed but not opened (a server's internal error, a folder gone meanwhile): the server's words.
        reason = str(exc).removeprefix("select failed: ").strip()[:200] or type(exc).__name__
        raise UserError("error.mail_folder_refused", folder=folder, reason=reason) from None
    uidnext = info.get(b"UIDNEXT")
    return int(info.get(b"UIDVALIDITY", 0)), int(uidnext) if uidnext is not None else None


def uids_since(client: IMAPClient, since: date | None, after_uid: int = 0) -> list[int]:
    """The folder's UIDs, those of mail since a day, or those above a UID (what a watch has not seen)."""
    criteria = (["UID", f"{after_uid + 1}:*"] if after_uid else []) + (["SINCE", since] if since else [])
    # "UID n:*" always names the newest message, even one below n: filtered here.
    return sorted(uid for uid in client.search(criteria or ["ALL"]) if uid > after_uid)


def headers_of(client: IMAPClient, uids: list[int]):
    """(uid, size, arrival, header bytes), a few at a time, so that neither a large folder nor headers
    of megabytes (a sender writes as many as they like) sit in memory at once: the sizes first, then
    the headers, each read up to HEAD_LIMIT, in groups of at most BATCH_BYTES. The arrival time is
    the server's INTERNALDATE: a sender can write any Date header, not this."""
    for start in range(0, len(uids), BATCH):
        batch = uids[start:start + BATCH]
        sizes = client.fetch(batch, ["RFC822.SIZE", "INTERNALDATE"])
        group: list[int] = []
        weight = 0
        for uid in batch:
            if uid not in sizes:
                continue  # expunged meanwhile
            cost = min(int(sizes[uid].get(b"RFC822.SIZE") or 0), HEAD_LIMIT)
            if group and weight + cost > BATCH_BYTES:
                yield from _heads(client, group, sizes)
                group, weight = [], 0
            group.append(uid)
            weight += cost
        if group:
            yield from _heads(client, group, sizes)


def _heads(client: IMAPClient, group: list[int], sizes: dict):
    fetched = client.fetch(group, [f"BODY.PEEK[HEADER]<0.{HEAD_LIMIT}>"])
    for uid in group:
        data = fetched.get(uid)
        if data is None:
            continue  # expunged meanwhile
        arrived = sizes[uid].get(b"INTERNALDATE")
        if arrived is not None and arrived.tzinfo is None:
            arrived = arrived.replace(tzinfo=timezone.utc)
        yield uid, int(sizes[uid].get(b"RFC822.SIZE") or 0), arrived, _part(data, b"BODY[HEADER]")


def _part(data: dict, name: bytes) -> bytes:
    """A fetched section, named with its partial origin ("BODY[]<0>") or without (a server may echo
    either); a NIL section is empty."""
    found = data.get(name + b"<0>")
    if found is None:
        found = data.get(name)
    return found if isinstance(found, bytes) else b""


def body_of(client: IMAPClient, uid: int) -> bytes | None:
    """The whole message, read up to one byte past the check's limit: a message larger than its
    announced size is refused as too large, never held whole."""
    from cardguard.verify.message import MAX_BYTES  # the verifier loads only when a message is checked

    fetched = client.fetch([uid], [f"BODY.PEEK[]<0.{MAX_BYTES + 1}>"])
    data = fetched.get(uid)
    return None if data is None else _part(data, b"BODY[]")
