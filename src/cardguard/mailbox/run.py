"""Reading an account: `mail check` once, `mail watch` for as long as the holder lets it run."""

from __future__ import annotations

import os
import select
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from imapclient import IMAPClient

from cardguard.errors import UserError
from cardguard.mailbox import accounts, imap
from cardguard.mailbox.imap import Account
from cardguard.mailbox.judge import Judged, judge_message, look_at_headers
from cardguard.values import replace
from cardguard.verify.check import CheckOptions

IDLE_RENEW_SECONDS = 25 * 60  # RFC 2177: re-issue IDLE at least every 29 minutes
BACKOFF = (1, 2, 5, 10, 30, 60)  # seconds between reconnects after a drop


def account_options(account: Account, options: CheckOptions) -> CheckOptions:
    """The provider's topmost Authentication-Results counts once the holder confirmed its authserv-id."""
    if not account.authserv_id:
        return options
    return replace(options, trust_authserv=list(options.trust_authserv) + [account.authserv_id])


class Link:
    """A connection to the account that can be opened again. A server may hang up on one message
    (Dovecot does, every time, on a message whose stored size is wrong): the rest must still be read."""

    def __init__(self, account: Account, password: str) -> None:
        self.account, self.password = account, password
        self.client = imap.connect(account, password)

    def again(self, folder: str, uidvalidity: int, cause: BaseException) -> None:
        """Connected and in ``folder`` again, or ``cause`` raised: a server that is gone is a drop."""
        _hang_up(self.client)
        try:
            self.client = imap.connect(self.account, self.password)
            if imap.examine(self.client, folder) != uidvalidity:
                raise cause  # the folder was rebuilt meanwhile: its UIDs mean other messages now
        except (UserError, *imap.CONNECTION_ERRORS):
            raise cause from None


class _ServerFailed(Exception):
    def __init__(self, cause: BaseException) -> None:
        super().__init__(str(cause))
        text = str(cause).removeprefix("command: FETCH => ").strip()
        self.error = UserError("error.mail_server_failed", reason=(text or type(cause).__name__)[:200])


def _heads(link: Link, folder: str, uidvalidity: int, todo: list[int]):
    """imap.headers_of, surviving a server that hangs up on one message: the batch it failed on is
    read again one message at a time, and a message it fails on twice, with a new connection in
    between, is set aside (yielded with the error in place of its header)."""
    for start in range(0, len(todo), imap.BATCH):
        batch = todo[start:start + imap.BATCH]
        given: set[int] = set()
        try:
            for item in imap.headers_of(link.client, batch):
                given.add(item[0])
                yield item
            continue
        except imap.CONNECTION_ERRORS as exc:
            link.again(folder, uidvalidity, exc)
        for uid in batch:
            if uid in given:
                continue
            try:
                items = list(imap.headers_of(link.client, [uid]))
            except imap.CONNECTION_ERRORS as exc:
                link.again(folder, uidvalidity, exc)
                items = [(uid, 0, None, _ServerFailed(exc))]
            yield from items


def _body(link: Link, folder: str, uidvalidity: int, uid: int) -> bytes | None:
    try:
        return imap.body_of(link.client, uid)
    except imap.CONNECTION_ERRORS as exc:
        link.again(folder, uidvalidity, exc)
    try:
        return imap.body_of(link.client, uid)
    except imap.CONNECTION_ERRORS as exc:
        link.again(folder, uidvalidity, exc)
        raise _ServerFailed(exc) from None


def check_folder(link: Link, store, account: Account, folder: str, directory, options: CheckOptions, *,
                 since: date | None, everything: bool, min_uid: int = 0,
                 on_result: Callable[[Judged], None] = lambda j: None) -> list[Judged]:
    """Every message of ``folder`` not checked before, newest first; each is recorded once seen. A
    message the server fails to send is recorded as unreadable, with the server's words, and the rest
    goes on."""
    from cardguard.mailbox.identity import header_identity

    uidvalidity = imap.examine(link.client, folder)
    done = accounts.checked_uids(store, account.name, folder, uidvalidity)
    todo = [uid for uid in imap.uids_since(link.client, since, min_uid) if uid not in done]
    todo.reverse()  # newest first
    results = []
    for uid, size, arrived, head in _heads(link, folder, uidvalidity, todo):
        source = {"account": account.name, "folder": folder, "uidvalidity": uidvalidity, "uid": uid}
        if isinstance(head, _ServerFailed):
            judged = Judged(source=source, unreadable=head.error)
        else:
            try:
                # A message over the limit is not even downloaded: listed with the reason, the rest goes on.
                judged = judge_message(head, size, lambda: _body(link, folder, uidvalidity, uid), directory,
                                       options, source, everything=everything)
            except _ServerFailed as failed:
                judged = look_at_headers(head, directory, source)
                judged.unreadable, judged.size, judged.identity = failed.error, size, header_identity(head)
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
    """The inbox and the junk folder (or the folders named). A folder the server refuses to open does
    not keep the others from being checked: its error comes after them."""
    link = Link(account, accounts.password(account))
    try:
        out = []
        refused: UserError | None = None
        for folder in imap.folders_to_read(link.client, account, folders):
            try:
                out += check_folder(link, store, account, folder, directory, account_options(account, options),
                                    since=since, everything=everything, on_result=on_result)
            except UserError as error:
                if error.key != "error.mail_folder_refused":
                    raise
                refused = refused or error
        if refused is not None:
            raise refused
        return out
    except imap.CONNECTION_ERRORS as exc:
        # What was checked before the drop stays recorded; the next run goes on from there.
        raise UserError("error.mail_dropped", where=f"{account.host}:{account.port}",
                        reason=type(exc).__name__) from None
    finally:
        imap.close(link.client)


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


def _hang_up(client: IMAPClient) -> None:
    try:
        client.shutdown()
    except Exception:  # noqa: BLE001 - already closed
        pass


@dataclass
class _Idler:
    """One connection waiting (IDLE) on one folder. IDLE watches only the selected folder, so the
    inbox and the junk folder each need a connection of their own."""

    folder: str
    link: Link
    since: float = 0.0  # when its IDLE began (monotonic)
    covered: int = 0  # UIDNEXT when its folder was last caught up: what is below was looked at
    idling: bool = False

    @property
    def client(self) -> IMAPClient:
        return self.link.client


class Watch:
    """IMAP IDLE on the inbox and on the junk folder (phishing often lands there), a connection each,
    both renewed before RFC 2177's 29 minutes. A folder is caught up when its connection wakes, when
    its IDLE is renewed and after every reconnect. Only mail that arrived after the watch started is
    judged, and each mail is alerted once (not again when a filter moves it from one folder to the
    other)."""

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
        self.renewals = 0  # IDLEs renewed because they were due, not because mail arrived

    def _alert(self, judged: Judged) -> None:
        if not judged.seen_before:
            self.on_result(judged)

    def _catch_up(self, idler: _Idler) -> None:
        client, folder = idler.client, idler.folder
        uidvalidity, uidnext = imap.examine_state(client, folder)
        idler.covered = uidnext or 0
        key = (folder, uidvalidity)
        if key not in self.baseline:
            existing = imap.uids_since(client, None)
            self.baseline[key] = existing[-1] if existing else 0
            return
        check_folder(idler.link, self.store, self.account, folder, self.directory, self.options, since=None,
                     everything=False, min_uid=self.baseline[key], on_result=self._alert)

    def _idle(self, idler: _Idler) -> None:
        # Mail that lands between a catch-up and the IDLE would wait for the next wake: the folder's
        # UIDNEXT, read as it is opened for IDLE, says whether anything came in since.
        while True:
            _uidvalidity, uidnext = imap.examine_state(idler.client, idler.folder)
            if uidnext is None or uidnext <= idler.covered or self.stopped:
                break
            self._catch_up(idler)
        idler.client.idle()
        idler.idling, idler.since = True, time.monotonic()

    def _listen(self, idlers: list[_Idler]) -> None:
        """Until the holder stops it: wait on every connection at once; a connection that says mail
        arrived, or whose IDLE is due for renewal, leaves IDLE, catches its folder up and goes back."""
        while not self.stopped:
            select.select([i.client.socket() for i in idlers], [], [], 1.0)
            for idler in idlers:
                responses = idler.client.idle_check(timeout=0)
                if not responses and peer_closed(idler.client):
                    raise ConnectionError("the server closed the connection")
                arrived = any(len(r) > 1 and r[1] in (b"EXISTS", b"RECENT") for r in responses)
                due = time.monotonic() - idler.since >= self.idle_seconds
                if arrived or due:
                    self.renewals += not arrived
                    idler.idling = False
                    idler.client.idle_done()
                    self._catch_up(idler)
                    self._idle(idler)

    def _session(self, password: str) -> None:
        links: list[Link] = []
        idlers: list[_Idler] = []
        try:
            links.append(Link(self.account, password))
            self.connected_once = self.connected_now = True
            folders = imap.folders_to_read(links[0].client, self.account)
            for _folder in folders[1:]:
                links.append(Link(self.account, password))
            idlers = [_Idler(folder, link) for folder, link in zip(folders, links)]
            for idler in idlers:
                self._catch_up(idler)
            for idler in idlers:
                self._idle(idler)
            self.on_state("watching", {"folders": folders})
            self._listen(idlers)
        except (Exception, KeyboardInterrupt) as exc:
            if isinstance(exc, KeyboardInterrupt):
                self._leave(idlers, [link.client for link in links])
            else:
                # A dropped connection gets no goodbye: it could only wait for an answer that never comes.
                for link in links:
                    _hang_up(link.client)
            raise
        self._leave(idlers, [link.client for link in links])

    @staticmethod
    def _leave(idlers: list[_Idler], clients: list[IMAPClient]) -> None:
        """Sign off politely: a connection in IDLE must say DONE before LOGOUT is heard."""
        for idler in idlers:
            if idler.idling:
                try:
                    idler.client.idle_done()
                except Exception:  # noqa: BLE001 - gone already: closed below all the same
                    pass
        for client in clients:
            imap.close(client)

    def run(self) -> None:
        password = accounts.password(self.account)
        failures = 0
        while not self.stopped:
            self.connected_now = False
            try:
                self._session(password)
            except UserError as error:
                if not self.connected_once or error.key in ("error.mail_login", "error.mail_certificate",
                                                             "error.mail_ca_file"):
                    raise  # the holder must fix this; retrying would not help
                # A folder gone meanwhile is not: the folders are listed again on reconnecting.
                self.on_state("reconnecting", {"error": error, "wait": self._wait(failures)})
            except imap.CONNECTION_ERRORS as exc:
                self.on_state("reconnecting", {"error": exc, "wait": self._wait(failures)})
            else:
                return
            time.sleep(self._wait(failures))
            failures = 0 if self.connected_now else failures + 1

    def _wait(self, failures: int) -> float:
        return self.backoff[min(failures, len(self.backoff) - 1)]
