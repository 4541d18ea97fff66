"""`cardguard mail watch` against a real Dovecot: IDLE sees an appended issuer mail and the alert
reaches a local HTTP server standing in for ntfy; a server restart is survived and what arrived
meanwhile is caught up; Ctrl-C ends it cleanly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from dovecot import PASSWORD, USER, server  # noqa: F401 - a fixture
from mailkit import ALIAS, dns, message, received_safekey  # noqa: F401 - dns is a fixture

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


class Watcher:
    def __init__(self, args: list[str], env: dict) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "cardguard", *args], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env)
        self.out: list[str] = []
        self.err: list[str] = []
        for stream, into in ((self.proc.stdout, self.out), (self.proc.stderr, self.err)):
            threading.Thread(target=self._read, args=(stream, into), daemon=True).start()

    @staticmethod
    def _read(stream, into):
        for line in iter(stream.readline, b""):
            into.append(line.decode("utf-8", "replace"))

    def wait_for(self, text: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(text in line for line in self.err) or self.proc.poll() is not None:
                break
            time.sleep(0.05)
        assert any(text in line for line in self.err), "".join(self.err)

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            return self.proc.wait(timeout=30)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()


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

    # Junk is caught up too.
    server.append(message(sender="safekey@americanexpress-safekey.com", subject="SafeKey認証",
                          body="カード番号を入力 https://americanexpress-safekey.com/x\n"), folder="Junk")
    server.append(message(sender="news@shop.example", display="Shop", subject="wake up", body="hi\n"))
    posts = ntfy.wait(2)
    assert posts[1][2] == "フィッシングです。リンクを開かないでください"

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
    watcher.wait_for("Watching home")
    server.stop()
    watcher.wait_for("reconnecting")
    # Mail that lands while the watch is disconnected.
    server.deliver_offline(received_safekey(key), "1764400000.M1P1.test")
    server.start()
    posts = ntfy.wait(1)
    assert [p[2] for p in posts] == ["A genuine SafeKey code. If you did not ask for it, call 0120-020120 now "
                                     "(open 24 hours)"], "".join(watcher.err)
    assert watcher.stop() == 0
    assert PASSWORD not in "".join(watcher.err + watcher.out)


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
