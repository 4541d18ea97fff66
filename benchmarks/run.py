"""cardguard benchmarks and evaluation sweeps.

    python3 tasks.py bench startup [RUNS]  wall time of --help, contacts, check --offline vs python -c pass
    python3 tasks.py bench batch [COUNT]   check FOLDER --jobs: msg/s on all cores vs one, memory at COUNT/10 vs COUNT
    python3 tasks.py bench speed FOLDER    check (offline) vs a bare email.message_from_bytes, same files, same run
    python3 tasks.py bench corpus FOLDER   verdict counts over real phishing; none may be genuine
    python3 tasks.py bench urls CSV        JPCERT/CC phishing URLs: none may be official for the brand it imitates
    python3 tasks.py bench fuzz FOLDER     mutated messages (fixed seed): every one a verdict or a clear error
    python3 tasks.py bench fuzz-auth N     N mutated mails checked live against hostile test DNS (fuzz_auth.py)
    python3 tasks.py bench property N      the never-genuine-after-a-visible-change property, N examples
    python3 tasks.py bench hostile-keys    four 16384-bit DKIM keys vs one honest check, same run
    python3 tasks.py bench hostile         inputs written to stall the check, at n and 2n (hostile.py)
    python3 tasks.py bench statements [N]  statement import of N rows and recurrence vs bare csv.reader (statements.py)
    python3 tasks.py bench mailscan FOLDER [COUNT]   `mail scan` over a built mbox vs bare mbox parsing (mailscan.py)
    python3 tasks.py bench import-scale N  services import of N rows: time and peak memory (benchmarks/imports.py)
    python3 tasks.py bench import-fuzz N   N mutated spreadsheets and JSON files: every one imported or a clear error

Figures are ratios against a baseline measured in the same run, so they travel between machines.
"""

from __future__ import annotations

import csv
import email
import email.policy
import gc
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cardguard.directory import load_directory  # noqa: E402
from cardguard.errors import UserError  # noqa: E402
from cardguard.verify import CheckOptions, check_message  # noqa: E402
from cardguard.verify.links import RawLink, analyse  # noqa: E402


def _files(folder: Path) -> list[bytes]:
    if not folder.is_dir():
        raise SystemExit(f"no such folder: {folder}")
    paths = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in (".eml", ""))
    return [p.read_bytes() for p in paths]


def _once(work, raw: bytes) -> float:
    gc.collect()
    start = time.process_time()
    work(raw)
    return time.process_time() - start


def big_mail(size: int = 45_000_000) -> bytes:
    """A card-company notice with a large PDF-like attachment and a long HTML body: about ``size`` bytes.
    Built at bench time (random bytes, fixed seed), so nothing large is stored in the repository."""
    import random
    from email.message import EmailMessage

    rng = random.Random(45)
    msg = EmailMessage()
    msg["From"] = "American Express <Americanexpress@welcome.americanexpress.com>"
    msg["To"] = "holder@example.com"
    msg["Subject"] = "ご利用明細のお知らせ"
    msg["Date"] = "Fri, 21 Nov 2025 23:28:00 +0900"
    msg.set_content("ご利用明細を添付いたします。\n" * 200)
    paragraph = '<p>ご利用明細 <a href="https://www.americanexpress.com/ja-jp/">こちら</a></p>\n'
    msg.add_alternative("<html><body>" + paragraph * 20_000 + "</body></html>", subtype="html")
    attachment = rng.randbytes(int((size - 2_000_000) * 3 / 4))
    msg.add_attachment(attachment, maintype="application", subtype="pdf", filename="statement.pdf")
    return msg.as_bytes()


def speed(folder: Path) -> int:
    messages = _files(folder)
    directory = load_directory(with_user_files=False)
    options = CheckOptions(offline=True)
    for raw in messages[:20]:  # warm caches (suffix list, confusables table, rules) outside the timing
        try:
            check_message(raw, directory, options)
        except UserError:
            pass

    # CPU time of this process: on a shared machine, wall time also counts the others' work.
    def timed(work) -> float:
        gc.collect()
        start = time.process_time()
        for raw in messages:
            work(raw)
        return time.process_time() - start

    def parse(raw: bytes) -> None:
        email.message_from_bytes(raw, policy=email.policy.default)

    def check(raw: bytes) -> None:
        try:
            check_message(raw, directory, options)
        except UserError:
            pass

    baseline = min(timed(parse) for _ in range(3))
    checked = min(timed(check) for _ in range(3))
    count = len(messages)
    print(f"messages: {count}, {sum(map(len, messages)) / 1e6:.1f} MB")
    print("times are CPU time of this process, best of 3")
    print(f"bare parse (email.message_from_bytes): {count / baseline:,.0f} msg/s")
    print(f"cardguard check --offline:             {count / checked:,.0f} msg/s")
    print(f"check costs {checked / baseline:.2f}x a bare parse ({baseline / checked:.2f}x its throughput)")

    largest = max(messages, key=len)
    for label, raw in ((f"largest corpus mail ({len(largest) / 1e6:.1f} MB)", largest),
                       ("synthesized 45 MB mail", big_mail())):
        bare = min(_once(parse, raw) for _ in range(3))
        checked_one = min(_once(check, raw) for _ in range(3))
        print(f"{label}: bare parse {bare * 1000:,.0f} ms, check {checked_one * 1000:,.0f} ms, "
              f"{checked_one / bare:.1f}x a bare parse")

    # A Content-Type written to stall the reader: the standard library parses MIME parameters in
    # quadratic time (a check of the first took 8 s, of the second 0.9 s, before they were bounded).
    for label, params in (("12,000 empty parameters", b";" * 12_000),
                          ("1,500 parameters", b"".join(b"; p%d=v" % i for i in range(1_500)))):
        def hostile(run: int, params: bytes = params) -> bytes:  # a new header each run: no parse is reused
            return (b"From: a@example.com\r\nTo: b@example.com\r\nSubject: x\r\nContent-Type: text/plain; run=%d"
                    % run + params + b"\r\n\r\nhello\r\n")

        bare = min(_once(parse, hostile(run)) for run in range(3))
        checked_one = min(_once(check, hostile(run)) for run in range(3, 6))
        print(f"hostile Content-Type, {label} ({len(params) / 1024:.0f} KB): bare parse {bare * 1000:,.0f} ms, "
              f"check {checked_one * 1000:,.0f} ms, {checked_one / bare:.2f}x a bare parse")

    # Compiling the link-text domain pattern happens in every process that checks a mail.
    import re

    from cardguard.verify import links

    started = time.perf_counter()
    re.compile(links._DOMAIN_IN_TEXT.pattern + "(?#uncached)", links._DOMAIN_IN_TEXT.flags)
    print(f"compiling the link-text domain pattern: {(time.perf_counter() - started) * 1000:.1f} ms")

    for label, work in (("bare parse", parse), ("check", check)):
        gc.collect()
        tracemalloc.start()
        work(largest)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"peak memory, largest message ({len(largest) / 1e6:.2f} MB), {label}: {peak / 1e6:.2f} MB "
              f"({peak / len(largest):.1f}x its size)")
    return 0


def corpus(folder: Path) -> int:
    import corpus as sweep

    return sweep.main([str(folder)])


def urls(path: Path) -> int:
    amex = load_directory(with_user_files=False).issuer("amex-jp")
    total = official = 0
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if "american express" not in row["description"].lower():
                continue
            total += 1
            infos, _ = analyse([RawLink(row["URL"], None, "anchor")], amex)
            if infos and infos[0].official:
                official += 1
                print(f"judged official: {row['URL']}")
    print(f"American Express phishing URLs: {total}; judged official: {official}")
    return 1 if official else 0


def fuzz(folder: Path, iterations: int = 5000) -> int:
    """Deeper than the suite's Hypothesis tests: real messages cut, flipped, spliced and repeated."""
    import random

    rng = random.Random(20251121)
    seeds = _files(folder)
    directory = load_directory(with_user_files=False)
    options = CheckOptions(offline=True)
    outcomes = {"verdict": 0, "clear error": 0, "crash": 0}
    crashes = []
    for _ in range(iterations):
        data = bytearray(rng.choice(seeds))
        for _ in range(rng.randint(1, 4)):
            action = rng.randrange(5)
            if action == 0 and data:
                del data[rng.randrange(len(data)):]
            elif action == 1 and data:
                for _ in range(rng.randint(1, 50)):
                    data[rng.randrange(len(data))] = rng.randrange(256)
            elif action == 2:
                other = rng.choice(seeds)
                cut = rng.randrange(len(other) + 1)
                data[rng.randrange(len(data) + 1):] = other[cut:]
            elif action == 3 and data:
                start = rng.randrange(len(data))
                chunk = data[start:start + rng.randint(1, 400)]
                data[start:start] = chunk * rng.randint(1, 30)
            else:
                data[0:0] = rng.choice([b"Content-Type: multipart/mixed; boundary=x\r\n",
                                        b"Content-Transfer-Encoding: base64\r\n", b"From: =?x?B?###?=\r\n"])
        try:
            check_message(bytes(data), directory, options)
            outcomes["verdict"] += 1
        except UserError:
            outcomes["clear error"] += 1
        except Exception as exc:  # noqa: BLE001 - exactly what this run looks for
            outcomes["crash"] += 1
            crashes.append(f"{type(exc).__name__}: {exc}"[:200])
    print(f"mutated messages: {iterations}: {outcomes}")
    for line in crashes[:10]:
        print("  " + line)
    return 1 if crashes else 0


def property_run(examples: Path) -> int:
    """tests/test_verify_property.py with N examples instead of CI's few dozen."""
    import os

    import pytest

    root = Path(__file__).resolve().parent.parent
    os.environ["CARDGUARD_PROPERTY_EXAMPLES"] = str(int(str(examples)))
    return pytest.main(["-q", "-n", "0", "-p", "no:cacheprovider", str(root / "tests" / "test_verify_property.py")])


def main(argv: list[str]) -> int:
    if argv[:1] == ["fuzz-auth"] and len(argv) in (2, 3):
        import fuzz_auth

        return fuzz_auth.main(*(int(a) for a in argv[1:]))
    if len(argv) == 2 and argv[0] == "property":
        return property_run(Path(argv[1]))
    if argv == ["hostile-keys"]:
        import fuzz_auth

        return fuzz_auth.hostile_keys()
    if argv == ["hostile"]:
        import hostile

        return hostile.main(argv[1:])
    if argv[:1] == ["statements"]:
        import statements

        statements.main(int(argv[1]) if len(argv) > 1 else 20_000)
        return 0
    if argv[:1] == ["mailscan"]:
        import mailscan

        return mailscan.main(argv[1:])
    if argv and argv[0] == "startup":
        import startup

        return startup.main(argv[1:])
    if argv and argv[0] == "batch":
        import batch

        return batch.main(argv[1:])
    if len(argv) == 2 and argv[0] in ("import-scale", "import-fuzz"):
        import imports

        return {"import-scale": imports.import_scale, "import-fuzz": imports.import_fuzz}[argv[0]](argv[1])
    if len(argv) != 2 or argv[0] not in ("speed", "corpus", "urls", "fuzz"):
        print(__doc__)
        return 2
    return {"speed": speed, "corpus": corpus, "urls": urls, "fuzz": fuzz}[argv[0]](Path(argv[1]))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
