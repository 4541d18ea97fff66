"""`bench hostile`: the inputs an attacker wrote to stall the check, each at the size that stalled
it and at twice that size. A linear reading takes about 2x as long for twice the input; a
quadratic one 4x. Each is also given as a multiple of checking the same mail without the hostile
part, measured in the same run. Before the fixes (one core, the attacker's sizes): 32,000 ";" in
the Content-Type 105 s; a part's Content-Type of 60-80 KB minutes; 20,000 letters of link text,
30,000 digits after 認証コード and 300 KB of " ona=" each over 20 s (stopped there); 200 parts with a
1 KB hostile Content-Type each 7.5 s, 400 parts 15 s."""

from __future__ import annotations

import gc
import time

from cardguard.directory import load_directory
from cardguard.errors import UserError
from cardguard.verify import CheckOptions, check_message
from cardguard.verify import message

HEAD = (b"From: American Express <Americanexpress@welcome.americanexpress.com>\r\nTo: me@icloud.com\r\n"
        b"Subject: SafeKey\r\nDate: Fri, 21 Nov 2025 23:28:00 +0000\r\nMIME-Version: 1.0\r\n")


def _part(headers: bytes) -> bytes:
    return (HEAD + b'Content-Type: multipart/mixed; boundary="B"\r\n\r\n--B\r\n' + headers
            + b"\r\n\r\nSafeKey code: 482913\r\n--B--\r\n")


def _html(markup: bytes) -> bytes:
    return HEAD + b"Content-Type: text/html; charset=utf-8\r\n\r\n<p>SafeKey code: 482913</p>" + markup


def _parts(count: int, header: bytes) -> bytes:
    # Each part's header its own (a=<n>), so that no parse is reused from another part.
    parts = b"".join(b"--B\r\nContent-Type: text/plain; a=%d" % n + header + b"\r\nContent-Disposition: inline; b="
                     + header + b"\r\n\r\nSafeKey code: 482913\r\n" for n in range(count))
    return HEAD + b'Content-Type: multipart/mixed; boundary="B"\r\n\r\n' + parts + b"--B--\r\n"


def _near_boundaries(count: int) -> bytes:
    # Three multiparts deep, a part of n lines that each start as a boundary line does and are not one:
    # the fast MIME reading looks at every line starting with "--" once at each depth.
    nested = b"".join(b'Content-Type: multipart/mixed; boundary="B%d"\r\n\r\n--B%d\r\n' % (i, i) for i in range(3))
    closing = b"".join(b"\r\n--B%d--" % i for i in reversed(range(3)))
    return HEAD + nested + b"Content-Type: text/plain\r\n\r\n" + b"--B0-x\r\n" * count + closing + b"\r\n"


# (what it is, the attacker's size, the mail at a given size, the same mail without the hostile part)
CASES = [
    ("top-level Content-Type, n x ';' (2n is the attacker's; over 32 KB is refused)", 16_000, lambda n: HEAD + b"Content-Type: text/plain" + b";" * n
     + b"\r\n\r\nSafeKey code: 482913\r\n", HEAD + b"Content-Type: text/plain\r\n\r\nSafeKey code: 482913\r\n"),
    ("part Content-Type, n x '\"'", 70_000, lambda n: _part(b"Content-Type: text/plain; a=" + b'"' * n),
     _part(b"Content-Type: text/plain")),
    ("part Content-Transfer-Encoding, n x ';'", 70_000,
     lambda n: _part(b"Content-Type: text/plain\r\nContent-Transfer-Encoding: 7bit" + b";" * n),
     _part(b"Content-Type: text/plain")),
    ("link text, n x 'a'", 20_000, lambda n: _html(b'<a href="https://evil.example/">' + b"a" * n + b"</a>"),
     _html(b'<a href="https://evil.example/">a</a>')),
    ("認証コード then n x '1'", 30_000, lambda n: HEAD + b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
     + "認証コード".encode() + b"1" * n, HEAD + b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
     + "認証コード".encode() + b"1"),
    ("n x ' ona=' without '>'", 60_000, lambda n: _html(b"<p" + b" ona=" * n), _html(b"<p ona=")),
    # Found by an attacker: each name shown as text was looked for in all the addresses written (14 s at 40,000).
    ("n lines of an address and a bare name", 20_000, lambda n: HEAD + b"Content-Type: text/plain\r\n\r\n"
     + b"".join(b"https://w%d.example/ h%d.example/x\n" % (i, i) for i in range(n)),
     HEAD + b"Content-Type: text/plain\r\n\r\nhttps://w0.example/ h0.example/x\n"),
    # Each link's text compared address by address: an element's text holds every link inside it, so
    # links nested n deep around 100 KB of addresses read it n times (3.7 s at n=100, 8 s at 200).
    ("n links nested around 100 KB of addresses", 100,
     lambda n: _html(b"".join(b'<v:rect href="https://h%d.example/">' % i for i in range(n))
                     + b"https://x.example/a " * 5000 + b"</v:rect>" * n),
     _html(b'<v:rect href="https://h0.example/">' + b"https://x.example/a " * 5000 + b"</v:rect>")),
    # Before the mail's budget of part headers (MAX_PART_HEADER_BYTES): 7.5 s at n=200, 15 s at 400.
    ("n parts, each with 1 KB of '\"' in its Content-Type and -Disposition", 200,
     lambda n: _parts(n, b'"' * 1000), _parts(1, b"")),
    ("n lines starting like a boundary, three multiparts deep", 100_000, _near_boundaries, _near_boundaries(1)),
    ("n small parts", 5_000, lambda n: _parts(n, b""), _parts(1, b"")),
    # Found by an attacker: links nest in <svg>, each one's text all of the others' (20 s and 785 MB at n=2,000).
    ("n links nested in <svg> around 300 KB of text", 2_000,
     lambda n: _html(b"<svg>" + b'<a href="https://www.americanexpress.com/">' * n + b"a" * 300_000 + b"</a>" * n),
     _html(b'<svg><a href="https://www.americanexpress.com/">' + b"a" * 300_000 + b"</a>")),
    # Every content rule's words, over and over: more places than wordscan.MAX_PLACES, so each list
    # reads the text whole (its linear scan) instead of near each place.
    ("n x '至急 認証コード password PIN 1234 '", 30_000, lambda n: HEAD + b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
     + "至急 認証コード password PIN 1234 ".encode() * n, HEAD + b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
     + "至急 認証コード password PIN 1234 ".encode()),
]


def main(argv: list[str]) -> int:
    directory = load_directory(with_user_files=False)
    options = CheckOptions(offline=True)

    def cpu(raw: bytes) -> float:
        best = float("inf")
        for _ in range(3):
            message._PARSED.clear()  # each run parses its headers afresh, as a new mail would
            message._PARSED_LONG.clear()
            gc.collect()
            start = time.process_time()
            try:
                check_message(raw, directory, options)
            except UserError:
                pass
            best = min(best, time.process_time() - start)
        return best

    print("CPU time of this process, best of 3 each")
    for label, size, build, plain in CASES:
        base, once, twice = cpu(plain), cpu(build(size)), cpu(build(2 * size))
        print(f"{label}, n={size:,}: {once * 1000:,.0f} ms ({once / base:,.1f}x the plain mail's "
              f"{base * 1000:,.1f} ms); n={2 * size:,}: {twice * 1000:,.0f} ms, {twice / once:.1f}x n's "
              f"(2x linear, 4x quadratic)")
    return 0
