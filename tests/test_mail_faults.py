"""`mail check` and `mail watch` against what a real Dovecot can do to them: restarted in the middle of
sending a message, a connection gone while a folder is opened, messages with headers of megabytes,
a message just under the size limit. Nothing crashes; what was checked stays recorded; the rest is
checked on the next run (check) or after the reconnect (watch)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import threading
import time
import tracemalloc
from pathlib import Path

import pytest

from dovecot import PASSWORD, USER, new_server
from mailkit import amex_dns, message
from ttykit import Watcher

ALIAS = "amex.7f3k@icloud.com"


@pytest.fixture
def server():
    dovecot = new_server()
    yield dovecot
    dovecot.cleanup()


@pytest.fixture(scope="module")
def dns():
    with amex_dns() as found:
        yield found


def phishing(subject: str = "SafeKey認証", body: str = "") -> bytes:
    return message(sender="safekey@americanexpress-safekey.com", subject=subject,
                   body="カード番号を入力 https://americanexpress-safekey.com/x\n" + body)


def big_phishing(megabytes: int) -> bytes:
    return phishing("SafeKey認証（大きなメール）", ("x" * 76 + "\n") * (megabytes * 1024 * 1024 // 77))


def add(cardguard, server) -> None:
    result = cardguard("mail", "add", "home", "--preset", "imap", "--host", "127.0.0.1", "--port", str(server.port),
                       "--user", USER, "--password-stdin", "--ca-file", str(server.ca_file), input=PASSWORD + "\n")
    assert result.code == 0, result.err


def lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def written(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/io").read_text().splitlines():
            if line.startswith("wchar:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class KillWhileSending:
    """Stops the whole server the moment one of its imap processes has sent ``threshold`` bytes to a
    client: with a message several times larger than every socket buffer on the way, the client is
    then in the middle of receiving it."""

    def __init__(self, server, watched: list[int] | None = None, threshold: int = 1_000_000,
                 only_the_process: int = 0) -> None:
        """With ``only_the_process``, that many times only the sending imap process is killed (the
        connection drops, the server stays up), instead of the whole server once."""
        self.server, self.watched, self.threshold = server, watched, threshold
        self.only_the_process = only_the_process
        self.killed = threading.Event()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        start: dict[int, int] = {}
        while not self.stop.is_set():
            for pid in self.watched or self.server.processes("imap"):
                now = written(pid)
                start.setdefault(pid, now)
                if now - start[pid] > self.threshold:
                    if not self.only_the_process:
                        self.server.stop()
                        self.killed.set()
                        return
                    os.kill(pid, signal.SIGKILL)
                    start[pid] = float("inf")
                    self.only_the_process -= 1
                    if not self.only_the_process:
                        self.killed.set()
                        return
            time.sleep(0.002)

    def close(self) -> None:
        self.stop.set()
        self.thread.join(10)


def watching() -> Watcher:
    """`mail watch --json` in this test's profile (its environment is read when the test runs)."""
    env = {**os.environ, "LANG": "C.UTF-8", "LC_ALL": "", "PYTHONUNBUFFERED": "1", "CARDGUARD_MAIL_BACKOFF": "0.5,1"}
    return Watcher(["mail", "watch", "--no-desktop", "--json", "--offline", "--lang", "en"], env)


def recorded_subjects(profile) -> list[str]:
    db = sqlite3.connect(profile / "data" / "cardguard.db")
    try:
        return sorted(r[0] for r in db.execute("SELECT subject FROM mail_checked"))
    finally:
        db.close()


def test_check_when_the_server_restarts_in_the_middle_of_a_message(cardguard, server, dns, profile):
    key, (host, port) = dns
    add(cardguard, server)
    server.append(phishing("古いメール"))
    server.append(big_phishing(30))
    server.append(phishing("新しいメール"))
    killer = KillWhileSending(server)
    try:
        result = cardguard("mail", "check", "--json", "--offline", "--alias", ALIAS, timeout=180)
    finally:
        killer.close()
    assert killer.killed.is_set()
    assert result.code != 0 and "Traceback" not in result.err, result.err
    *checked, error = lines(result.out)
    assert error["error"]["code"] == "error.mail_dropped" and f"127.0.0.1:{server.port}" in error["error"]["message"]
    # Newest first: the mail before the big one is checked, said and recorded; the big one is not (it
    # never arrived whole).
    assert [r["subject"] for r in checked] == ["新しいメール"]
    assert recorded_subjects(profile) == ["新しいメール"]

    server.start()
    again = cardguard("mail", "check", "--json", "--offline", "--alias", ALIAS, timeout=180)
    assert again.code == 0, again.err
    assert [r["subject"] for r in lines(again.out)] == ["SafeKey認証（大きなメール）", "古いメール"]
    assert [r["verdict"] for r in lines(again.out)] == ["phishing", "phishing"]


def test_watch_when_the_server_restarts_in_the_middle_of_a_message(cardguard, server, profile):
    add(cardguard, server)
    watch = watching()
    out, err = watch.out, watch.err

    def until(condition) -> None:
        watch.until(condition, 90)

    try:
        until(lambda: any("Watching home" in line for line in err))
        killer = KillWhileSending(server, watched=server.processes("imap"))
        try:
            server.append(big_phishing(30))
            until(killer.killed.is_set)
        finally:
            killer.close()
        until(lambda: any("reconnecting" in line for line in err))
        assert out == []  # the big mail never arrived whole
        server.start()
        until(lambda: len(out) == 1)
        alert = json.loads(out[0])
        assert alert["alert"] == "Phishing. Do not open its links" and alert["source"]["folder"] == "INBOX"
        server.append(phishing("その後のメール"), folder="Junk")
        until(lambda: len(out) == 2)
        time.sleep(1.5)
        assert len(out) == 2  # one alert per mail, the big one included
    finally:
        code = watch.stop()
    assert code == 0 and "Traceback" not in "".join(err), "".join(err)


def test_a_connection_gone_while_a_folder_is_opened_is_a_drop_not_a_missing_folder(server):
    from imapclient.exceptions import IMAPClientError

    from cardguard.errors import UserError
    from cardguard.mailbox import imap

    account = imap.Account("home", "imap", "127.0.0.1", server.port, USER, str(server.ca_file))
    client = imap.connect(account, PASSWORD)
    assert imap.examine(client, "INBOX") > 0
    with pytest.raises(UserError) as missing:
        imap.examine(client, "Nope")
    assert missing.value.key == "error.mail_folder_refused" and "Nope" in missing.value.message("en")
    server.stop()
    with pytest.raises(imap.CONNECTION_ERRORS) as dropped:
        imap.examine(client, "INBOX")
    assert not isinstance(dropped.value, UserError) and isinstance(dropped.value, (OSError, IMAPClientError))
    imap.close(client)


def test_headers_of_megabytes_do_not_all_sit_in_memory_at_once(server, profile):
    from cardguard.directory import load_directory
    from cardguard.mailbox import accounts, imap
    from cardguard.mailbox.run import check_account
    from cardguard.store.db import Store
    from cardguard.verify.check import CheckOptions

    # 400 fields (the reader takes up to 1,000) of 5 KB, folded as mail programs fold: about 2 MB.
    filler = "".join(f"X-Filler-{i}: " + "\r\n ".join(["y" * 70] * 70) + "\r\n" for i in range(400))
    for i in range(32):
        raw = message(sender="news@shop.example", display="Shop", subject=f"news {i}", body="hi\n")
        server.append(filler.encode() + raw)
    server.append(phishing())
    # Phishing whose From comes after a megabyte of other fields: not taken to claim no issuer.
    server.append(filler.encode() + filler.encode()[:200_000] + phishing(subject="後ろに From"))
    store = Store()
    account = imap.Account("home", "imap", "127.0.0.1", server.port, USER, str(server.ca_file))
    accounts.add(store, account, PASSWORD)
    tracemalloc.start()
    try:
        results = check_account(store, account, load_directory(), CheckOptions(offline=True, aliases=[ALIAS]),
                                since=None, everything=False)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        store.close()
    assert len(results) == 34
    assert [r.verdict_name for r in results if r.claims_issuer] == ["phishing", "phishing"]
    assert {r.verdict_name for r in results if not r.claims_issuer} == {"unrelated"}
    # 64 MB of headers went through; a few groups of them at a time were held.
    assert peak < 64 * 1024 * 1024, peak


def test_a_message_just_under_the_limit_is_checked(cardguard, server, profile):
    add(cardguard, server)
    server.append(big_phishing(45))
    server.append(phishing("小さなメール"))
    result = cardguard("mail", "check", "--json", "--offline", timeout=300)
    assert result.code == 0, result.err
    found = lines(result.out)
    assert [(r["subject"], r["verdict"]) for r in found] == [("小さなメール", "phishing"),
                                                           ("SafeKey認証（大きなメール）", "phishing")]


def deliver_with_wrong_size(server, raw: bytes, name: str, size: int, folder: str = "INBOX") -> None:
    """A message whose Maildir file name states a size it does not have: Dovecot fails every FETCH
    of it ("Cached message size smaller than expected") and hangs up, on every connection."""
    server.deliver_offline(raw, f"{name},S={size}", folder=folder)


def test_check_goes_on_past_a_message_the_server_always_hangs_up_on(cardguard, server, profile):
    add(cardguard, server)
    server.append(phishing("前のメール"))
    deliver_with_wrong_size(server, phishing("壊れたメール"), "1764400000.M1P1.test", 100)
    server.append(phishing("後のメール"))
    result = cardguard("mail", "check", "--json", "--offline", "--lang", "en", timeout=120)
    assert result.code == 0, result.err
    found = lines(result.out)
    assert sorted(r.get("subject") or "" for r in found) == ["", "前のメール", "後のメール"]
    broken = next(r for r in found if r["verdict"] == "unreadable")
    assert broken["error"]["code"] == "error.mail_server_failed" and "Internal error" in broken["error"]["message"]
    assert broken["source"]["uid"] > 0
    # Recorded like any other: the next run does not stumble on it again.
    again = cardguard("mail", "check", "--json", "--offline")
    assert again.code == 0 and lines(again.out) == []


def test_a_folder_the_server_cannot_open_does_not_stop_the_others(cardguard, server, profile):
    add(cardguard, server)
    server.append(phishing("受信トレイのメール"))
    server.append(phishing("迷惑メールのメール"), folder="Junk")
    (server.maildir / ".Junk").chmod(0)
    try:
        result = cardguard("mail", "check", "--json", "--offline", "--lang", "en")
    finally:
        (server.maildir / ".Junk").chmod(0o700)
    assert result.code != 0 and "Traceback" not in result.err
    *checked, error = lines(result.out)
    assert [r["subject"] for r in checked] == ["受信トレイのメール"]
    assert error["error"]["code"] == "error.mail_folder_refused" and "Junk" in error["error"]["message"]
    assert "No such folder" not in error["error"]["message"]
    # Once the server can open it again, its mail is checked.
    assert [r["subject"] for r in lines(cardguard("mail", "check", "--json", "--offline").out)] == ["迷惑メールのメール"]


def test_watch_goes_on_past_a_message_the_server_always_hangs_up_on(cardguard, server, profile):
    add(cardguard, server)
    watch = watching()
    out, err = watch.out, watch.err

    def until(condition) -> None:
        watch.until(condition, 60)

    try:
        until(lambda: any("Watching home" in line for line in err))
        # Delivered while the server runs, as a delivery agent writes into the Maildir.
        deliver_with_wrong_size(server, phishing("壊れたメール"), "1764400000.M1P1.test", 100, folder="Junk")
        server.append(phishing("その後のメール"), folder="Junk")
        until(lambda: any("その後のメール" in line for line in out))
        server.append(phishing("受信トレイにも"))
        until(lambda: any("受信トレイにも" in line for line in out))
    finally:
        code = watch.stop()
    assert code == 0 and "Traceback" not in "".join(err), "".join(err)


def test_check_goes_on_past_a_message_whose_sending_drops_twice(cardguard, server, profile):
    add(cardguard, server)
    server.append(phishing("古いメール"))
    server.append(big_phishing(30))
    server.append(phishing("新しいメール"))
    killer = KillWhileSending(server, only_the_process=2)
    try:
        result = cardguard("mail", "check", "--json", "--offline", "--lang", "en", timeout=180)
    finally:
        killer.close()
    assert killer.killed.is_set()
    assert result.code == 0 and "Traceback" not in result.err, result.err
    found = {r["subject"]: r for r in lines(result.out)}
    assert sorted(found) == ["SafeKey認証（大きなメール）", "古いメール", "新しいメール"]
    big = found["SafeKey認証（大きなメール）"]
    assert big["verdict"] == "unreadable" and big["error"]["code"] == "error.mail_server_failed"
    assert found["古いメール"]["verdict"] == "phishing"
