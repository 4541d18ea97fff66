"""`cardguard mail watch` against a real Dovecot: IDLE sees an appended issuer mail and the alert
reaches a local HTTP server standing in for ntfy; a server restart is survived and what arrived
meanwhile is caught up; Ctrl-C ends it cleanly."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from dovecot import PASSWORD, USER, server  # noqa: F401 - a fixture
from mailkit import ALIAS, dns, message, received_safekey  # noqa: F401 - dns is a fixture
from ttykit import Watcher

TOPIC = "cg-topic-9f8e7d6c5b4a"


class Ntfy:
    """A stand-in ntfy server: records every POST to a topic."""

    def __init__(self) -> None:
        self.posts: list[tuple[str, dict, str]] = []
        self.arrived = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode("utf-8")
                outer.posts.append((self.path, dict(self.headers), body))
                outer.arrived.set()
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.http.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}/{TOPIC}"

    def wait(self, count: int, timeout: float = 60) -> list:
        deadline = time.monotonic() + timeout
        while len(self.posts) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.posts

    def close(self) -> None:
        self.http.shutdown()


@pytest.fixture
def ntfy():
    found = Ntfy()
    yield found
    found.close()


@pytest.fixture
def watch(profile):
    started: list[Watcher] = []
    env = {**os.environ, "LANG": "C.UTF-8", "LC_ALL": "", "PYTHONUNBUFFERED": "1",
           "CARDGUARD_MAIL_BACKOFF": "0.5,1,1"}

    def start(*args: str) -> Watcher:
        watcher = Watcher(list(args), env)
        started.append(watcher)
        return watcher

    yield start
    for watcher in started:
        watcher.stop()


def phishing(subject: str = "SafeKey認証") -> bytes:
    return message(sender="safekey@americanexpress-safekey.com", subject=subject,
                   body="カード番号を入力 https://americanexpress-safekey.com/x\n")


def without_recent(flags: dict[int, bytes]) -> dict[int, set[bytes]]:
    # \Recent belongs to whichever session saw the mail first, not to the message.
    return {uid: set(value.split()) - {b"\\Recent"} for uid, value in flags.items()}


def wait_lines(watcher, count: int, timeout: float = 10) -> list[str]:
    deadline = time.monotonic() + timeout
    while len(watcher.out) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return watcher.out


def until(condition, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert condition()


def add(cardguard, server):
    result = cardguard("mail", "add", "home", "--preset", "imap", "--host", "127.0.0.1", "--port", str(server.port),
                       "--user", USER, "--password-stdin", "--ca-file", str(server.ca_file), input=PASSWORD + "\n")
    assert result.code == 0, result.err


def test_watch_alerts_through_ntfy_when_issuer_mail_lands(cardguard, server, dns, ntfy, watch):
    key, (host, port) = dns
    add(cardguard, server)
    server.append(message(sender="news@shop.example", display="Shop", subject="old mail", body="hi\n"))
    watcher = watch("mail", "watch", "--account", "home", "--ntfy", ntfy.url, "--no-desktop", "--json",
                    "--resolver", f"{host}:{port}", "--alias", ALIAS, "--lang", "ja")
    watcher.wait_for("監視しています")
    # The topic is a secret: never printed in full.
    assert TOPIC not in "".join(watcher.err + watcher.out)

    server.append(message(sender="news@shop.example", display="Shop", subject="not an issuer", body="hi\n"))
    server.append(received_safekey(key))
    posts = ntfy.wait(1)
    assert len(posts) == 1, "".join(watcher.err)
    path, headers, body = posts[0]
    assert path == f"/{TOPIC}"
    assert body == "本物のSafeKeyコードです。心当たりがなければ今すぐ 0120-020120 へ（24時間受付）"
    assert "482913" not in body
    deadline = time.monotonic() + 10
    while not watcher.out and time.monotonic() < deadline:
        time.sleep(0.05)
    alert = json.loads(watcher.out[0])
    assert alert["alert"] == body and alert["verdict"] == "genuine" and alert["source"]["folder"] == "INBOX"
    assert alert["pushed"] is True

    # Phishing that lands in the junk folder is alerted at once: the junk folder has an IDLE of its
    # own, so it needs no inbox mail to wake the watch, nor the renewal 25 minutes on.
    before = without_recent(server.flags("INBOX")), without_recent(server.flags("Junk"))
    server.append(phishing(), folder="Junk")
    posts = ntfy.wait(2, timeout=30)
    assert [p[2] for p in posts[1:]] == ["フィッシングです。リンクを開かないでください"], "".join(watcher.err)
    assert json.loads(wait_lines(watcher, 2)[1])["source"]["folder"] == "Junk"
    # An inbox mail still is; each mail once.
    server.append(phishing(subject="SafeKey 再認証のお願い"))
    posts = ntfy.wait(3, timeout=30)
    time.sleep(2)
    assert len(ntfy.posts) == 3 and len(watcher.out) == 3
    assert json.loads(watcher.out[2])["source"]["folder"] == "INBOX"
    # Read-only, both connections: nothing was marked read, moved or deleted.
    after = without_recent(server.flags("INBOX")), without_recent(server.flags("Junk"))
    assert {uid: flags for uid, flags in after[0].items() if uid in before[0]} == before[0]
    assert all(b"\\Seen" not in flags for folder in after for flags in folder.values())
    assert (server.count("INBOX"), server.count("Junk")) == (4, 1)

    # The ntfy URL is remembered for the account.
    assert cardguard("mail", "list", "--json").json()[0]["ntfy"] is True
    assert watcher.stop() == 0
    assert any("監視を終了しました" in line for line in watcher.err)
    assert "Traceback" not in "".join(watcher.err)


def test_watch_reconnects_after_the_server_restarts_and_catches_up(cardguard, server, dns, ntfy, watch):
    key, (host, port) = dns
    add(cardguard, server)
    watcher = watch("mail", "watch", "--ntfy", ntfy.url, "--no-desktop", "--resolver", f"{host}:{port}",
                    "--alias", ALIAS, "--lang", "en")
    watcher.wait_for("Watching home (INBOX, Junk")
    server.stop()
    watcher.wait_for("reconnecting")
    # Mail that lands in both folders while the watch is disconnected.
    server.deliver_offline(received_safekey(key), "1764400000.M1P1.test")
    server.deliver_offline(phishing(), "1764400001.M1P1.test", folder="Junk")
    server.start()
    posts = ntfy.wait(2)
    assert sorted(p[2] for p in posts) == [
        "A genuine SafeKey code. If you did not ask for it, call 0120-020120 now (open 24 hours)",
        "Phishing. Do not open its links"], "".join(watcher.err)
    assert watcher.stop() == 0
    assert PASSWORD not in "".join(watcher.err + watcher.out)


def test_a_mail_moved_from_the_inbox_to_junk_is_alerted_once(cardguard, server, ntfy, watch):
    add(cardguard, server)
    watcher = watch("mail", "watch", "--ntfy", ntfy.url, "--no-desktop", "--offline", "--lang", "en")
    watcher.wait_for("Watching home")
    # What a provider's filter does a moment after delivery: the same message, now in Junk as well.
    raw = phishing()
    server.append(raw)
    assert ntfy.wait(1, timeout=30)
    server.append(raw, folder="Junk")
    server.append(phishing(subject="SafeKey 再認証のお願い"), folder="Junk")
    posts = ntfy.wait(2, timeout=30)
    time.sleep(2)
    assert [p[2] for p in ntfy.posts] == ["Phishing. Do not open its links"] * 2, "".join(watcher.err)
    assert watcher.stop() == 0


def test_both_connections_renew_their_idle_and_a_drop_of_one_reconnects_both(server, dns, profile):
    """In-process, with IDLE renewed every second instead of every 25 minutes."""
    from cardguard.directory import load_directory
    from cardguard.mailbox import accounts, imap
    from cardguard.mailbox.run import IDLE_RENEW_SECONDS, Watch
    from cardguard.store.db import Store
    from cardguard.verify.check import CheckOptions

    assert IDLE_RENEW_SECONDS < 29 * 60  # RFC 2177
    key, address = dns
    store = Store()
    account = imap.Account("home", "imap", "127.0.0.1", server.port, USER, str(server.ca_file))
    accounts.add(store, account, PASSWORD)
    results, states = [], []
    watcher = Watch(store, account, load_directory(), CheckOptions(resolver=address, aliases=[ALIAS]),
                    on_result=results.append, on_state=lambda state, info: states.append(state),
                    idle_seconds=1, backoff=(0.2,))
    thread = threading.Thread(target=watcher.run, daemon=True)
    thread.start()
    try:
        until(lambda: "watching" in states)
        time.sleep(3.5)
        assert watcher.renewals >= 4  # each of the two connections, every second
        server.append(phishing(), folder="Junk")
        until(lambda: len(results) == 1)
        server.append(received_safekey(key))
        until(lambda: len(results) == 2)
        assert [(r.source["folder"], r.verdict_name) for r in results] == [("Junk", "phishing"), ("INBOX", "genuine")]

        # One of the two connections dropped (its server process killed): both reconnect, and mail
        # of both folders is caught up.
        os.kill(server.processes("imap")[0], signal.SIGKILL)
        server.append(phishing(subject="SafeKey 再認証のお願い"), folder="Junk")
        server.append(phishing(subject="カードのご利用確認"))
        until(lambda: len(results) == 4 and states.count("watching") == 2)
        assert states == ["watching", "reconnecting", "watching"]
        assert sorted(r.subject for r in results[2:]) == ["SafeKey 再認証のお願い", "カードのご利用確認"]
    finally:
        watcher.stopped = True
        thread.join(30)
    assert not thread.is_alive()
    store.close()


def test_watch_with_a_wrong_password_stops_with_a_clear_error(cardguard, server, watch, profile):
    add(cardguard, server)
    secrets = profile / "config" / "mail-secrets.json"
    stored = json.loads(secrets.read_text())
    stored["password:home"] = "not-the-password-42"
    secrets.write_text(json.dumps(stored))
    watcher = watch("mail", "watch", "--no-desktop", "--lang", "en")
    assert watcher.proc.wait(timeout=60) != 0
    time.sleep(0.2)
    err = "".join(watcher.err)
    assert "Sign-in to 127.0.0.1" in err and "not-the-password-42" not in err and "Traceback" not in err
