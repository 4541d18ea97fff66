"""`cardguard mail scan` over exports: mbox, Maildir, a folder of .eml files; unreadable messages are
listed and the scan goes on; a mailbox of any size is read one message at a time."""

from __future__ import annotations

import json
import mailbox
import tracemalloc

from cardguard.mailbox import scan
from cardguard.verify.message import MAX_BYTES
from mailkit import ALIAS, dns, message, received_safekey  # noqa: F401 - dns is a fixture


def deep_mime() -> bytes:
    raw = (b"From: American Express <safekey@welcome.americanexpress.com>\r\nSubject: SafeKey\r\n"
           b"Date: Fri, 21 Nov 2025 23:28:00 +0900\r\n")
    for level in range(30):
        raw += f"Content-Type: multipart/mixed; boundary=b{level}\r\n\r\n--b{level}\r\n".encode()
    return raw + b"Content-Type: text/plain\r\n\r\nhi\r\n"


def samples(key) -> list[bytes]:
    return [
        received_safekey(key),
        message(sender="safekey@americanexpress-safekey.com", subject="SafeKey認証",
                body="カード番号を入力してください https://americanexpress-safekey.com/x\n"),
        message(sender="news@shop.example", display="Shop", subject="セール",
                body="本文\nFrom here on, prices drop.\n"),
        deep_mime(),
    ]


def write_mbox(path, raws: list[bytes]) -> None:
    box = mailbox.mbox(str(path))
    for raw in raws:
        box.add(raw)
    box.close()


def lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def test_scan_an_mbox(cardguard, dns, tmp_path):
    key, (host, port) = dns
    path = tmp_path / "Inbox.mbox"
    write_mbox(path, samples(key))
    result = cardguard("mail", "scan", str(path), "--json", "--resolver", f"{host}:{port}", "--alias", ALIAS)
    assert result.code == 0, result.err
    found = lines(result.out)
    assert [r["verdict"] for r in found] == ["genuine", "phishing", "unreadable"]
    assert [r["source"] for r in found] == [{"file": str(path), "key": k} for k in ("0", "1", "3")]
    assert found[0]["calls"][0]["number"] == "0120-020120"
    everything = lines(cardguard("mail", "scan", str(path), "--json", "--all", "--offline").out)
    assert len(everything) == 4 and everything[2]["verdict"] == "unrelated"
    text = cardguard("mail", "scan", str(path), "--offline", "--lang", "en")
    assert text.code == 0
    # Counted without English plurals ("Read 1 messages").
    assert "Messages read: 4; claiming a card issuer: 3;" in text.out and "unreadable 1" in text.out


def test_scan_a_maildir_and_a_folder_of_eml(cardguard, dns, tmp_path):
    key, (host, port) = dns
    box = mailbox.Maildir(str(tmp_path / "Maildir"), create=True)
    for raw in samples(key):
        box.add(raw)
    result = cardguard("mail", "scan", str(tmp_path / "Maildir"), "--json", "--resolver", f"{host}:{port}",
                       "--alias", ALIAS)
    assert result.code == 0, result.err
    assert sorted(r["verdict"] for r in lines(result.out)) == ["genuine", "phishing", "unreadable"]

    folder = tmp_path / "export"
    (folder / "sub").mkdir(parents=True)
    for i, raw in enumerate(samples(key)):
        (folder / ("sub" if i % 2 else ".") / f"{i}.eml").write_bytes(raw)
    (folder / "notes.txt").write_text("not mail")
    result = cardguard("mail", "scan", str(folder), "--json", "--offline")
    found = lines(result.out)
    assert sorted(r["source"]["key"] for r in found) == ["0.eml", "sub/1.eml", "sub/3.eml"]


def test_mbox_quoting_and_text_before_the_first_message(tmp_path):
    path = tmp_path / "box"
    path.write_bytes(b"junk before any message\n"
                     b"From a@b Fri Nov 21 23:28:00 2025\nSubject: one\n\n>From the start\nFrom inside a line\n\n"
                     b"From c@d Fri Nov 21 23:29:00 2025\nSubject: two\n\nbody\n")
    found = list(scan.messages(str(path)))
    assert [m[0]["key"] for m in found] == ["0", "1"]
    assert b"\nFrom the start\nFrom inside a line\n" in found[0][1]
    assert found[1][1].startswith(b"Subject: two")


def test_a_huge_mbox_is_read_in_constant_memory(tmp_path):
    path = tmp_path / "huge.mbox"
    body = b"x" * 300 + b"\n"
    with open(path, "wb") as out:
        for i in range(100_000):
            out.write(b"From sender@example.com Fri Nov 21 23:28:00 2025\n")
            out.write(b"From: sender@example.com\nSubject: message %d\n\n" % i + body + b"\n")
        # One message of 60 MB among them: counted and listed, never held.
        out.write(b"From sender@example.com Fri Nov 21 23:28:00 2025\nSubject: big\n\n")
        line = b"y" * 999 + b"\n"
        for _ in range(60 * 1024):
            out.write(line)
    tracemalloc.start()
    count = 0
    sizes = []
    small_peak = None
    for _source, data in scan.messages(str(path)):
        count += 1
        if isinstance(data, scan.TooLarge):
            sizes.append(data.size)
            assert data.head == b"Subject: big\n"
        if count == 100_000:
            small_peak = tracemalloc.get_traced_memory()[1]
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert count == 100_001
    assert sizes and sizes[0] > 60_000_000
    # 100,000 messages (35 MB) never take more than a few MB ...
    assert small_peak < 4 * 1024 * 1024, small_peak
    # ... and a message larger than the check's limit is dropped once it passes the limit.
    assert peak < MAX_BYTES + 4 * 1024 * 1024, peak


def test_scan_a_path_that_does_not_exist(cardguard, tmp_path):
    result = cardguard("mail", "scan", str(tmp_path / "nope.mbox"), "--json")
    assert result.code != 0 and result.json()["error"]["code"] == "error.input_unreadable"


def test_a_from_past_the_first_megabyte_of_header_is_still_judged(cardguard, tmp_path):
    # What is read to decide whether a message claims an issuer stops at 1 MB of header: a sender who
    # writes more fields before the From must not pass for mail that claims nothing.
    filler = "".join(f"X-Filler-{i}: " + "\r\n ".join(["y" * 70] * 70) + "\r\n" for i in range(220)).encode()
    hidden = filler + message(sender="safekey@americanexpress-safekey.com", subject="SafeKey認証",
                              body="カード番号を入力してください https://americanexpress-safekey.com/x\n")
    assert len(filler) > 1_000_000
    (tmp_path / "hidden.eml").write_bytes(hidden)
    result = cardguard("mail", "scan", str(tmp_path), "--json", "--offline", "--no-store")
    assert result.code == 0, result.err
    assert [(r["verdict"], r["subject"]) for r in lines(result.out)] == [("phishing", "SafeKey認証")]


def test_a_file_that_is_not_a_mail_is_listed_as_check_lists_it(cardguard, tmp_path):
    """`check FOLDER` said "not an email" for a binary file among .eml files; `mail scan` skipped it
    without a word, and counted one file fewer."""
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "a.eml").write_bytes(message())
    (folder / "zz-binary").write_bytes(bytes(range(256)) * 40)
    found = lines(cardguard("mail", "scan", str(folder), "--json", "--offline").out)
    assert [r["source"]["key"] for r in found] == ["a.eml", "zz-binary"]
    assert found[1]["verdict"] == "unreadable" and found[1]["error"]["code"] == "error.not_a_message", found[1]
    checked = [json.loads(line) for line in cardguard("check", str(folder), "--offline", "--json").out.splitlines()]
    assert checked[1]["error"]["code"] == "error.not_a_message"
