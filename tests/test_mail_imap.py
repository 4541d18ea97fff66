"""`cardguard mail` against a real Dovecot on loopback (TLS from a test CA, one user, mail appended
while the test runs): connecting, testing, checking read-only, and every way it can go wrong."""

from __future__ import annotations

import json
import sqlite3
import stat

from dovecot import PASSWORD, USER, server  # noqa: F401 - a fixture
from mailkit import ALIAS, dns, message, received_safekey  # noqa: F401 - dns is a fixture


def add(cardguard, server, *extra, password=PASSWORD, name="home"):
    return cardguard("mail", "add", name, "--preset", "imap", "--host", "127.0.0.1", "--port", str(server.port),
                     "--user", USER, "--password-stdin", "--ca-file", str(server.ca_file), *extra,
                     input=password + "\n")


def phishing() -> bytes:
    return message(sender="safekey@americanexpress-safekey.com", subject="【重要】SafeKey認証の確認",
                   body="カード番号と有効期限を入力してください https://americanexpress-safekey.com/login\n")


def unrelated() -> bytes:
    return message(sender="news@shop.example", display="Shop", subject="週末セール", body="セールのお知らせです。\n")


def lines(out: str) -> list[dict]:
    try:
        return [json.loads(line) for line in out.splitlines() if line.strip()]
    except ValueError:
        raise AssertionError(out) from None


def without_recent(flags: dict[int, bytes]) -> dict[int, set[bytes]]:
    # \Recent belongs to whichever session saw the mail first, not to the message.
    return {uid: set(value.split()) - {b"\\Recent"} for uid, value in flags.items()}


def test_add_test_and_check_read_only(cardguard, server, dns, profile):
    key, (host, port) = dns
    added = add(cardguard, server, "--json")
    assert added.code == 0, added.err
    assert added.json()["secret_stored_in"] == "file"  # this machine has no keyring backend
    secret_file = profile / "config" / "mail-secrets.json"
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert PASSWORD not in added.out + added.err
    text = cardguard("mail", "list", "--json")
    assert text.json()[0]["account"] == "home" and PASSWORD not in text.out

    server.append(unrelated())
    server.append(received_safekey(key))
    server.append(phishing(), folder="Junk")
    before = without_recent(server.flags("INBOX")), without_recent(server.flags("Junk"))

    tested = cardguard("mail", "test", "home", "--json")
    assert tested.code == 0, tested.err
    found = tested.json()
    assert found["junk"] == "Junk" and found["junk_by"] == "special-use"
    assert {"INBOX", "Junk", "Sent"} <= {f["name"] for f in found["folders"]}

    checked = cardguard("mail", "check", "--json", "--resolver", f"{host}:{port}", "--alias", ALIAS)
    assert checked.code == 0, checked.err
    results = lines(checked.out)
    # Issuer mail only, from the inbox and the junk folder, each with where it came from.
    assert sorted(r["verdict"] for r in results) == ["genuine", "phishing"]
    by_verdict = {r["verdict"]: r for r in results}
    assert by_verdict["genuine"]["source"]["folder"] == "INBOX"
    assert by_verdict["phishing"]["source"]["folder"] == "Junk"
    assert by_verdict["genuine"]["source"]["account"] == "home" and by_verdict["genuine"]["source"]["uid"] > 0
    assert by_verdict["genuine"]["calls"][0]["number"] == "0120-020120"

    # Nothing was marked read, moved or deleted.
    assert (without_recent(server.flags("INBOX")), without_recent(server.flags("Junk"))) == before
    assert all(b"\\Seen" not in flags for flags in before[0].values())
    assert server.count("INBOX") == 2 and server.count("Junk") == 1

    # Checked once: a second run has nothing new to say.
    again = cardguard("mail", "check", "--json", "--resolver", f"{host}:{port}", "--alias", ALIAS)
    assert again.code == 0 and lines(again.out) == []

    # The store keeps the verdict summary, never the body nor the code in full.
    db = sqlite3.connect(profile / "data" / "cardguard.db")
    rows = db.execute("SELECT sender, subject, verdict, findings, detail FROM mail_checked").fetchall()
    assert {r[2] for r in rows} == {"genuine", "phishing", "unrelated"}
    everything = json.dumps(rows, ensure_ascii=False)
    assert "482913" not in everything and "ご利用金額" not in everything
    assert "dmarc.pass" in next(r[3] for r in rows if r[2] == "genuine")


def test_text_output_lists_newest_first_with_the_alert_line(cardguard, server, dns):
    key, (host, port) = dns
    assert add(cardguard, server).code == 0
    server.append(received_safekey(key))
    server.append(phishing())
    shown = cardguard("mail", "check", "--resolver", f"{host}:{port}", "--alias", ALIAS, "--lang", "ja")
    assert shown.code == 0, shown.err
    assert shown.out.index("フィッシングです。リンクを開かないでください") < shown.out.index(
        "本物のSafeKeyコードです。心当たりがなければ今すぐ 0120-020120 へ（24時間受付）")
    assert "2 通" in shown.out


def test_wrong_password_is_a_clear_error_without_the_password(cardguard, server, profile):
    wrong = "Wrong-Secret-Pa55word"
    result = add(cardguard, server, password=wrong)
    assert result.code != 0
    assert "holder@example.jp" in result.err and "127.0.0.1" in result.err
    assert wrong not in result.out + result.err + server.log()
    assert "Traceback" not in result.err
    as_json = add(cardguard, server, "--json", password=wrong)
    assert as_json.json()["error"]["code"] == "error.mail_login" and wrong not in as_json.out
    # Nothing was saved: neither the account nor the password.
    assert cardguard("mail", "list", "--json").json() == []
    assert not (profile / "config" / "mail-secrets.json").exists()


def test_a_certificate_that_does_not_verify_is_refused_unless_its_ca_is_given(cardguard, server):
    plain = cardguard("mail", "add", "x", "--preset", "imap", "--host", "127.0.0.1", "--port", str(server.port),
                      "--user", USER, "--password-stdin", "--json", input=PASSWORD + "\n")
    assert plain.code != 0 and plain.json()["error"]["code"] == "error.mail_certificate"
    assert "--ca-file" in plain.json()["error"]["message"]
    other = cardguard("mail", "add", "x", "--preset", "imap", "--host", "127.0.0.1", "--port", str(server.port),
                      "--user", USER, "--password-stdin", "--ca-file", str(server.other_ca_file), "--json",
                      input=PASSWORD + "\n")
    assert other.json()["error"]["code"] == "error.mail_certificate"
    assert add(cardguard, server).code == 0


def test_non_interactive_add_never_prompts_and_names_the_missing_option(cardguard, server):
    missing_user = cardguard("mail", "add", "x", "--preset", "imap", "--host", "127.0.0.1", "--password-stdin",
                             input=PASSWORD + "\n")
    assert missing_user.code != 0 and "--user" in missing_user.err
    missing_host = cardguard("mail", "add", "x", "--preset", "imap", "--user", USER, "--password-stdin",
                             input=PASSWORD + "\n")
    assert "--host" in missing_host.err
    missing_password = cardguard("mail", "add", "x", "--preset", "gmail", "--user", USER, "--json")
    assert missing_password.json()["error"]["message"].startswith("--password-stdin")
    unknown = cardguard("mail", "add", "x", "--preset", "hotmail", "--user", USER, "--password-stdin",
                        input=PASSWORD + "\n")
    assert "icloud|gmail|yahoo|imap" in unknown.err


def test_a_folder_that_does_not_exist(cardguard, server):
    assert add(cardguard, server).code == 0
    result = cardguard("mail", "check", "--folder", "Nope", "--offline", "--json")
    assert result.code != 0
    error = result.json()["error"]
    assert error["code"] == "error.mail_folder_missing" and "Nope" in error["message"] and "Junk" in error["details"]


def test_a_60_mb_message_and_an_unparseable_one_are_listed_and_the_rest_is_checked(cardguard, server, dns):
    key, (host, port) = dns
    assert add(cardguard, server).code == 0
    huge = message(body="SafeKey\n" + ("x" * 76 + "\n") * (60 * 1024 * 1024 // 77))
    server.append(huge)
    # MIME nested deeper than any mail program writes: the reader refuses it, nothing crashes.
    deep = b"From: American Express <safekey@welcome.americanexpress.com>\r\nSubject: SafeKey\r\n" \
           b"Date: Fri, 21 Nov 2025 23:28:00 +0900\r\n"
    for level in range(30):
        deep += f"Content-Type: multipart/mixed; boundary=b{level}\r\n\r\n--b{level}\r\n".encode()
    deep += b"Content-Type: text/plain\r\n\r\nhi\r\n"
    server.append(deep)
    server.append(received_safekey(key))
    result = cardguard("mail", "check", "--json", "--resolver", f"{host}:{port}", "--alias", ALIAS, timeout=180)
    assert result.code == 0, result.err
    found = lines(result.out)
    assert [r["verdict"] for r in found] == ["genuine", "unreadable", "unreadable"]  # newest first
    assert found[2]["error"]["code"] == "error.message_too_large"
    assert found[1]["error"]["code"] in ("error.message_too_deep", "error.mail_unreadable")


def test_confirmed_authserv_id_counts_offline_topmost_only(cardguard, server, dns):
    key, _ = dns
    assert add(cardguard, server).code == 0
    stamp = (b"Authentication-Results: imap.example.jp; dkim=pass header.d=welcome.americanexpress.com; "
             b"dmarc=pass header.from=welcome.americanexpress.com\r\n")
    server.append(stamp + received_safekey(key))
    # A pass stamped below the provider's own header (by anyone) must not count.
    forged = message(sender="safekey@welcome.americanexpress.com", body="SafeKey 123456\n")
    server.append(b"Authentication-Results: imap.example.jp; dmarc=fail header.from=welcome.americanexpress.com\r\n"
                  + stamp + forged)
    tested = cardguard("mail", "test", "home", "--json")
    assert tested.json()["authserv_ids"] == ["imap.example.jp"]
    refused = cardguard("mail", "test", "home", "--confirm-authserv", "mx.elsewhere.example", "--json")
    assert refused.json()["error"]["code"] == "error.mail_authserv_not_seen"
    before = cardguard("mail", "check", "--offline", "--json", "--alias", ALIAS)
    assert {r["verdict"] for r in lines(before.out)} == {"suspicious"}

    confirmed = cardguard("mail", "test", "home", "--confirm-authserv", "imap.example.jp", "--json")
    assert confirmed.json()["authserv_id_confirmed"] == "imap.example.jp"
    cardguard("mail", "remove", "home")
    assert add(cardguard, server).code == 0
    assert cardguard("mail", "test", "home", "--confirm-authserv", "imap.example.jp").code == 0
    after = lines(cardguard("mail", "check", "--offline", "--json", "--alias", ALIAS).out)
    verdicts = sorted(r["verdict"] for r in after)
    assert verdicts == ["genuine", "phishing"], after


def test_remove_forgets_the_password(cardguard, server, profile):
    assert add(cardguard, server).code == 0
    assert PASSWORD in (profile / "config" / "mail-secrets.json").read_text()
    assert cardguard("mail", "remove", "home").code == 0
    assert PASSWORD not in (profile / "config" / "mail-secrets.json").read_text()
    assert cardguard("mail", "list", "--json").json() == []
    gone = cardguard("mail", "check", "--account", "home", "--json")
    assert gone.code != 0 and gone.json()["error"]["code"] == "error.mail_account_unknown"


def _own_terminal() -> None:
    # As in a real terminal session: the pty is the child's controlling terminal, so /dev/tty (where
    # a password prompt turns echo off) is the pty, whatever terminal the test itself runs under.
    import fcntl
    import os
    import termios

    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def test_add_on_a_terminal_asks_for_what_is_missing_and_never_echoes_the_password(server, profile):
    import os
    import pty
    import select
    import subprocess
    import sys
    import time

    controller, terminal = pty.openpty()
    env = {**os.environ, "LANG": "C.UTF-8", "LC_ALL": "", "COLUMNS": "200"}
    proc = subprocess.Popen([sys.executable, "-m", "cardguard", "mail", "add", "--preset", "imap", "--host",
                             "127.0.0.1", "--port", str(server.port), "--ca-file", str(server.ca_file), "--lang", "en"],
                            stdin=terminal, stdout=terminal, stderr=terminal, env=env, close_fds=True,
                            preexec_fn=_own_terminal)
    os.close(terminal)
    seen = b""

    def until(text: bytes, timeout: float = 60) -> None:
        nonlocal seen
        deadline = time.monotonic() + timeout
        while text not in seen and time.monotonic() < deadline:
            # Wait with a deadline: a prompt that never comes must fail the test, not hang it.
            ready, _, _ = select.select([controller], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                break
            try:
                seen += os.read(controller, 4096)
            except OSError:
                break
        assert text in seen, seen.decode(errors="replace")

    until(b"Name (e.g. icloud)")
    os.write(controller, b"home\n")
    until(b"User name")
    os.write(controller, USER.encode() + b"\n")
    # Click prints the prompt, then getpass turns echo off, flushes pending input and prints " ": a
    # password typed before that space would be echoed and thrown away, as it would for a person.
    until(b"Password (app-specific password; not shown): ")
    os.write(controller, PASSWORD.encode() + b"\n")
    until(b"Saved home")
    until(b"only you can read")
    assert proc.wait(timeout=60) == 0
    os.close(controller)
    assert PASSWORD.encode() not in seen


def test_a_server_that_drops_the_connection_is_a_clear_error(cardguard, profile, tmp_path):
    """A stand-in server that greets over TLS, then hangs up on the first command."""
    import socket
    import ssl
    import threading

    import trustme

    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]

    def serve():
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            try:
                with context.wrap_socket(conn, server_side=True) as tls:
                    tls.sendall(b"* OK IMAP4rev1 ready\r\n")
                    tls.recv(1000)
            except OSError:
                pass

    threading.Thread(target=serve, daemon=True).start()
    try:
        result = cardguard("mail", "add", "x", "--preset", "imap", "--host", "127.0.0.1", "--port", str(port),
                           "--user", USER, "--password-stdin", "--ca-file", str(ca_file), "--json",
                           input=PASSWORD + "\n")
    finally:
        listener.close()
    assert result.code != 0
    error = result.json()["error"]
    assert error["code"] == "error.mail_unreachable" and f"127.0.0.1:{port}" in error["message"]
    assert PASSWORD not in result.out + result.err
