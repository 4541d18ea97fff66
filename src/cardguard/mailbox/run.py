"""Reading an account: `mail check` once, `mail watch` for as long as the holder lets it run."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date

from imapclient import IMAPClient

from cardguard.errors import UserError
from cardguard.mailbox import accounts, imap
from cardguard.mailbox.imap import Account
from cardguard.mailbox.judge import Judged, judge_message
from cardguard.verify.check import CheckOptions

IDLE_RENEW_SECONDS = 25 * 60  # RFC 2177: re-issue IDLE at least every 29 minutes
BACKOFF = (1, 2, 5, 10, 30, 60)  # seconds between reconnects after a drop


def account_options(account: Account, options: CheckOptions) -> CheckOptions:
    """The provider's topmost Authentication-Results counts once the holder confirmed its authserv-id."""
    if not account.authserv_id:
        return options
    return replace(options, trust_authserv=list(options.trust_authserv) + [account.authserv_id])


def check_folder(client: IMAPClient, store, account: Account, folder: str, directory, options: CheckOptions, *,
                 since: date | None, everything: bool, min_uid: int = 0,
                 on_result: Callable[[Judged], None] = lambda j: None) -> list[Judged]:
    """Every message of ``folder`` not checked before, newest first; each is recorded once seen."""
    uidvalidity = imap.examine(client, folder)
    done = accounts.checked_uids(store, account.name, folder, uidvalidity)
    todo = [uid for uid in imap.uids_since(client, since) if uid not in done and uid > min_uid]
    todo.reverse()  # newest first
    results = []
    for uid, size, arrived, head in imap.headers_of(client, todo):
        source = {"account": account.name, "folder": folder, "uidvalidity": uidvalidity, "uid": uid}
        # A message over the limit is not even downloaded: listed with the reason, the rest goes on.
        judged = judge_message(head, size, lambda: imap.body_of(client, uid), directory, options, source,
                               everything=everything)
        if judged is None:
            continue  # expunged meanwhile
        judged.date = arrived or judged.date
        accounts.record(store, judged)
        results.append(judged)
        on_result(judged)
    return results


def check_account(store, account: Account, directory, options: CheckOptions, *, since: date | None,
                  everything: bool, folders: list[str] | None = None,
                  on_result: Callable[[Judged], None] = lambda j: None) -> list[Judged]:
    client = imap.connect(account, accounts.password(account))
    try:
        out = []
        for folder in imap.folders_to_read(client, account, folders):
            out += check_folder(client, store, account, folder, directory, account_options(account, options),
                                since=since, everything=everything, on_result=on_result)
        return out
    except imap.CONNECTION_ERRORS as exc:
        # What was checked before the drop stays recorded; the next run goes on from there.
        raise UserError("error.mail_dropped", where=f"{account.host}:{account.port}",
                        reason=type(exc).__name__) from None
    finally:
        imap.close(client)


def peer_closed(client: IMAPClient) -> bool:
    """Whether the server hung up. IMAPClient's idle_check swallows the end of the stream and just
    returns nothing, so a dropped connection would look like a quiet mailbox forever; a peek at the
    TCP socket under the TLS layer tells the two apart without consuming anything."""
    try:
        raw = socket.socket(fileno=os.dup(client.socket().fileno()))
    except OSError:
        return True
    try:
        return raw.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
    except (BlockingIOError, InterruptedError):
        return False
    except OSError:
        return True
    finally:
        raw.close()


class Watch:
    """IMAP IDLE on the inbox; after each wake, and after every reconnect, the inbox and the junk
    folder are caught up. Only mail that arrived after the watch started is judged and alerted."""

    def __init__(self, store, account: Account, directory, options: CheckOptions, *,
                 on_result: Callable[[Judged], None], on_state: Callable[[str, dict], None],
                 idle_seconds: float = IDLE_RENEW_SECONDS, backoff: tuple[float, ...] = BACKOFF) -> None:
        self.store, self.account, self.directory = store, account, directory
        self.options = account_options(account, options)
        self.on_result, self.on_state = on_result, on_state
        self.idle_seconds, self.backoff = idle_seconds, backoff
        self.baseline: dict[tuple[str, int], int] = {}  # (folder, uidvalidity) -> highest UID when first seen
        self.stopped = False
        self.connected_once = self.connected_now = False

    def _catch_up(self, client: IMAPClient, folders: list[str]) -> None:
        for folder in folders:
            uidvalidity = imap.examine(client, folder)
            key = (folder, uidvalidity)
            if key not in self.baseline:
                existing = imap.uids_since(client, None)
                self.baseline[key] = existing[-1] if existing else 0
                continue
            check_folder(client, self.store, self.account, folder, self.directory, self.options, since=None,
                         everything=False, min_uid=self.baseline[key], on_result=self.on_result)

    def _session(self, password: str) -> None:
        client = imap.connect(self.account, password)
        self.connected_once = self.connected_now = True
        try:
            folders = imap.folders_to_read(client, self.account)
            self._catch_up(client, folders)
            self.on_state("watching", {"folders": folders})
            while not self.stopped:
                imap.examine(client, "INBOX")
                client.idle()
                started = time.monotonic()
                try:
                    while not self.stopped and time.monotonic() - started < self.idle_seconds:
                        responses = client.idle_check(timeout=1)
                        if not responses and peer_closed(client):
                            raise ConnectionError("the server closed the connection")
                        if any(len(r) > 1 and r[1] in (b"EXISTS", b"RECENT") for r in responses):
                            break
                finally:
                    client.idle_done()
                self._catch_up(client, folders)
        finally:
            imap.close(client)

    def run(self) -> None:
        password = accounts.password(self.account)
        failures = 0
        while not self.stopped:
            self.connected_now = False
            try:
                self._session(password)
            except UserError as error:
                if not self.connected_once or error.key in ("error.mail_login", "error.mail_certificate", "error.mail_ca_file",
                                          "error.mail_folder_missing"):
                    raise  # the holder must fix this; retrying would not help
                self.on_state("reconnecting", {"error": error, "wait": self._wait(failures)})
            except imap.CONNECTION_ERRORS as exc:
                self.on_state("reconnecting", {"error": exc, "wait": self._wait(failures)})
            else:
                return
            time.sleep(self._wait(failures))
            failures = 0 if self.connected_now else failures + 1

    def _wait(self, failures: int) -> float:
        return self.backoff[min(failures, len(self.backoff) - 1)]
