"""`mail scan` records its verdicts where `mail check` does, so scanned mail is on the web's 受信メール
page; each mail once, however often and however it is seen (a rescan, the same export from another
program, the mailbox it came from read by `mail check`, before or after)."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from fastapi.testclient import TestClient

from cardguard.mailbox.identity import header_identity, message_identity
from cardguard.web.app import create_app
from dovecot import PASSWORD, USER, new_server
from mailkit import amex_dns, message, received_safekey
from test_mail_scan import lines, write_mbox
from ttykit import ctrl_c_as_typed

ALIAS = "amex.7f3k@icloud.com"


@pytest.fixture(scope="module")
def dns():
    with amex_dns() as found:
        yield found


@pytest.fixture
def server():
    dovecot = new_server()
    yield dovecot
    dovecot.cleanup()


def phishing(subject: str = "【重要】SafeKey認証の確認") -> bytes:
    # mailkit writes the seed's Message-ID into every message: this one carries the genuine mail's.
    return message(sender="safekey@americanexpress-safekey.com", subject=subject,
                   body="カード番号と有効期限を入力してください https://americanexpress-safekey.com/login\n")


def unrelated() -> bytes:
    return message(sender="news@shop.example", display="Shop", subject="週末セール", body="セールのお知らせです。\n")


def page_items(lang: str = "ja") -> list[tuple[str, str, str]]:
    """(verdict, subject, where) of each entry on the 受信メール page, top to bottom."""
    page = TestClient(create_app(), base_url="http://127.0.0.1").get(f"/mail?lang={lang}")
    assert page.status_code == 200
    return re.findall(r'<li class="mail-item" data-verdict="([^"]*)">.*?<span class="subject">([^<]*)</span>\s*'
                      r'<span class="muted">[^<]*· ([^<]*)</span>', page.text, re.S)


def stored_rows(profile) -> int:
    db = sqlite3.connect(profile / "data" / "cardguard.db")
    try:
        return db.execute("SELECT count(*) FROM mail_checked").fetchone()[0]
    finally:
        db.close()


def test_scanned_mail_is_on_the_mail_page_once_however_often_it_is_scanned(cardguard, dns, profile, tmp_path):
    key, (host, port) = dns
    path = tmp_path / "Inbox.mbox"
    genuine = received_safekey(key)  # signed once: a second signature would be another mail
    write_mbox(path, [genuine, phishing(), unrelated()])
    live = ("--resolver", f"{host}:{port}", "--alias", ALIAS)
    first = cardguard("mail", "scan", str(path), *live, "--lang", "en")
    assert first.code == 0, first.err
    assert "Recorded 2 on the Mail page (0 were already on record)." in first.out

    items = page_items()
    # The phishing mail carries the genuine mail's Message-ID, and is listed beside it all the same.
    assert sorted(v for v, _s, _w in items) == ["genuine", "phishing"]
    assert "週末セール" not in {s for _v, s, _w in items}  # claims no issuer: not listed, not stored
    assert {w for _v, _s, w in items} == {f"ファイル {path}（0）", f"ファイル {path}（1）"}

    again = cardguard("mail", "scan", str(path), *live, "--json")
    assert [r["verdict"] for r in lines(again.out)] == ["genuine", "phishing"]  # still said, every time
    text = cardguard("mail", "scan", str(path), "--offline", "--lang", "en")
    assert "Recorded 0 on the Mail page (2 were already on record)." in text.out
    assert page_items() == items and stored_rows(profile) == 2

    # The same messages exported by other programs: Thunderbird's and Gmail's own header fields,
    # CRLF line endings, in a folder of .eml files, is the same mail.
    export = tmp_path / "export"
    export.mkdir()
    (export / "a.eml").write_bytes(b"X-Mozilla-Status: 0001\r\nX-Mozilla-Status2: 00000000\r\n" + genuine)
    (export / "b.eml").write_bytes(b"X-GM-THRID: 1850000000000000001\r\nX-Gmail-Labels: Spam,Unread\r\n" + phishing())
    other = cardguard("mail", "scan", str(export), "--offline", "--lang", "en")
    assert "Recorded 0 on the Mail page (2 were already on record)." in other.out, other.out
    assert page_items() == items

    # A message that differs in what its sender wrote is another mail, listed on its own.
    (export / "c.eml").write_bytes(phishing(subject="【重要】SafeKey認証の再確認"))
    cardguard("mail", "scan", str(export), "--offline")
    assert len(page_items()) == 3

    # Each entry opens its verdict, with the file it came from.
    page = TestClient(create_app(), base_url="http://127.0.0.1")
    links = re.findall(r'href="(/mail/\d+)"', page.get("/mail").text)
    opened = [page.get(link + "?lang=en").text for link in links]
    genuine = next(text for text in opened if 'data-verdict="genuine"' in text)
    assert "0120-020120" in genuine and f"file {path} (0)" in genuine and "482913" not in genuine


def test_no_store_records_nothing(cardguard, dns, profile, tmp_path):
    key, _ = dns
    path = tmp_path / "Inbox.mbox"
    write_mbox(path, [received_safekey(key), phishing()])
    result = cardguard("mail", "scan", str(path), "--offline", "--no-store", "--json")
    assert result.code == 0, result.err
    assert len(lines(result.out)) == 2
    assert not (profile / "data" / "cardguard.db").exists()
    assert page_items() == []


def add(cardguard, server) -> None:
    result = cardguard("mail", "add", "home", "--preset", "imap", "--host", "127.0.0.1", "--port", str(server.port),
                       "--user", USER, "--password-stdin", "--ca-file", str(server.ca_file), input=PASSWORD + "\n")
    assert result.code == 0, result.err


def test_mail_check_and_scan_of_the_same_mail_list_it_once(cardguard, server, dns, profile, tmp_path):
    key, (host, port) = dns
    live = ("--resolver", f"{host}:{port}", "--alias", ALIAS)
    add(cardguard, server)
    genuine, fake = received_safekey(key), phishing()
    path = tmp_path / "Takeout.mbox"
    write_mbox(path, [genuine, fake])
    assert cardguard("mail", "scan", str(path), *live).code == 0
    assert len(page_items()) == 2

    # The same two messages in the mailbox, and one more: `mail check` says all three, and records
    # each message's UID (a second check has nothing new), but the page lists each mail once.
    server.append(genuine)
    server.append(fake, folder="Junk")
    server.append(phishing(subject="SafeKey 再認証のお願い"))
    checked = cardguard("mail", "check", "--json", *live)
    assert checked.code == 0, checked.err
    assert sorted(r["verdict"] for r in lines(checked.out)) == ["genuine", "phishing", "phishing"]
    assert lines(cardguard("mail", "check", "--json", *live).out) == []
    items = page_items("en")
    assert sorted((v, s) for v, s, _w in items) == [
        ("genuine", "[American Express] SafeKey認証コードをお送りします"), ("phishing", "SafeKey 再認証のお願い"),
        ("phishing", "【重要】SafeKey認証の確認")]
    # Where the mail was first checked is where the page says it is.
    assert {w for _v, s, w in items if s == "SafeKey 再認証のお願い"} == {"home / INBOX"}
    assert {w for _v, s, w in items if s != "SafeKey 再認証のお願い"} == {f"file {path} (0)", f"file {path} (1)"}

    # And the other way round: mail `mail check` saw first is not recorded again by a scan of its export.
    server.append(phishing(subject="カードのご利用確認"))
    assert cardguard("mail", "check", *live).code == 0
    later = tmp_path / "later.mbox"
    write_mbox(later, [phishing(subject="カードのご利用確認")])
    scanned = cardguard("mail", "scan", str(later), *live, "--lang", "en")
    assert "Recorded 0 on the Mail page (1 were already on record)." in scanned.out
    assert len(page_items()) == 4


def test_ctrl_c_during_a_scan_keeps_what_was_checked(profile, tmp_path):
    path = tmp_path / "big.mbox"
    with open(path, "wb") as out:
        for i in range(3000):
            out.write(b"From x@y Fri Nov 21 23:28:00 2025\n")
            out.write(phishing(subject=f"SafeKey認証 {i}").replace(b"\r\n", b"\n") + b"\n")
    env = {**os.environ, "LANG": "C.UTF-8", "LC_ALL": "", "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "cardguard", "mail", "scan", str(path), "--offline", "--json",
                             "--lang", "en"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                            preexec_fn=ctrl_c_as_typed)
    said = []
    deadline = time.monotonic() + 120
    while len(said) < 250 and time.monotonic() < deadline:
        said.append(proc.stdout.readline())
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    said += out.splitlines(keepends=True)
    shown = [json.loads(line) for line in said if line.strip()]
    assert proc.returncode == 130 and "Traceback" not in err.decode(), err.decode()
    assert "Stopped. The verdicts of the" in err.decode()
    assert 250 <= len(shown) < 3000
    # Every verdict it printed is on record, the last batch too (batches are 200).
    assert stored_rows(profile) >= len(shown)
    assert len(page_items()) == min(stored_rows(profile), 200)


def test_identity_is_the_message_not_its_message_id_nor_its_export():
    raw = message(sender="safekey@americanexpress-safekey.com", subject="SafeKey",
                  body="From now on, https://americanexpress-safekey.com/login\n")
    exported = (b"Status: RO\nX-Status: A\nX-Keywords: $Label1\nContent-Length: 99\n"
                + raw.replace(b"\r\n", b"\n").replace(b"\nFrom ", b"\n>From ") + b"\n\n")
    assert message_identity(exported) == message_identity(raw)
    # A continuation line of a program's own field goes with it.
    folded = b"X-Gmail-Labels: Inbox,\r\n Important\r\n" + raw
    assert message_identity(folded) == message_identity(raw)
    # Whatever the sender or a receiver wrote counts: one byte of the body, one Received line more.
    assert message_identity(raw.replace(b"https://", b"http://")) != message_identity(raw)
    assert message_identity(b"Received: by mx2.example; Fri, 21 Nov 2025 23:27:41 +0900\r\n" + raw) \
        != message_identity(raw)
    # Known only by its header, a message is never taken for one read whole.
    head = raw.split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n"
    assert header_identity(head) == header_identity(exported.split(b"\n\n", 1)[0])
    assert header_identity(head)[2:] != message_identity(raw)[2:]


def test_mail_checked_before_the_upgrade_stays_listed(profile):
    from sqlalchemy import create_engine, text

    from cardguard.store.db import Store, migrate

    url = f"sqlite:///{profile / 'data' / 'cardguard.db'}"
    engine = create_engine(url)
    migrate(engine, "0003")
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO mail_checked (account, folder, uidvalidity, uid, claims_issuer, sender, subject, mail_date, "
            "verdict, findings, checked_at) VALUES ('home', 'Junk', 7, 3, 1, 'safekey@americanexpress-safekey.com', "
            "'SafeKey認証', '2025-11-21 14:28:00', 'phishing', 'link.lookalike', '2025-11-21 14:30:00')"))
    engine.dispose()
    Store(url).close()  # opening upgrades to 0004
    assert page_items("en") == [("phishing", "SafeKey認証", "home / Junk")]


def test_the_mail_page_shows_when_a_mail_arrived_in_the_holders_zone(cardguard, profile, tmp_path, monkeypatch):
    """A mail dated 23:29 +0900 was stored as 23:29 with its offset dropped, and shown as Saturday 08:29
    in Tokyo: SQLite keeps no offset, so every moment is stored in UTC."""
    raw = phishing().replace(b"Date: Fri, 21 Nov 2025 23:28:00 +0000", b"Date: Fri, 21 Nov 2025 23:29:40 +0900")
    assert b"+0900" in raw
    path = tmp_path / "Inbox.mbox"
    write_mbox(path, [raw])
    assert cardguard("mail", "scan", str(path), "--offline").code == 0
    client = TestClient(create_app(), base_url="http://127.0.0.1")
    monkeypatch.setenv("CARDGUARD_TZ", "Asia/Tokyo")
    assert "2025-11-21 23:29" in client.get("/mail?lang=ja").text
    monkeypatch.setenv("CARDGUARD_TZ", "UTC")
    page = client.get("/mail?lang=en").text
    assert "2025-11-21 14:29" in page and "23:29" not in page


def test_an_incident_starts_from_a_mail_on_the_mail_page(cardguard, profile, tmp_path):
    """Both buttons under a checked mail started nothing useful: the first posted an empty verdict
    (400, "say what happened: --kind ..."), the second an incident without the mail."""
    path = tmp_path / "Inbox.mbox"
    write_mbox(path, [phishing()])
    assert cardguard("mail", "scan", str(path), "--offline").code == 0
    client = TestClient(create_app(), base_url="http://127.0.0.1")
    (link,) = re.findall(r'href="(/mail/\d+)"', client.get("/mail").text)
    for kind, plan_words in ((None, "フィッシング"), ("phishing-opened", "リンク")):
        page = client.get(link + "?lang=ja").text
        form = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', page))
        assert form.get("mail"), "the form names the stored mail"
        data = {**form, **({"kind": kind} if kind else {})}
        started = client.post("/incidents", data=data, follow_redirects=False)
        assert started.status_code == 303, started.text[:500]
        incident = client.get(started.headers["location"] + "?lang=ja").text
        assert "【重要】SafeKey認証の確認" in incident  # the mail's verdict is the first entry
        assert plan_words in incident
    incidents = cardguard("incident", "list", "--json").json()
    kinds = sorted(i["kind"] for i in (incidents if isinstance(incidents, list) else incidents["incidents"]))
    assert kinds == ["phishing-opened", "phishing-received"]
