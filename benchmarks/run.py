"""cardguard benchmarks and evaluation sweeps.

    python3 tasks.py bench speed FOLDER    check (offline) vs a bare email.message_from_bytes, same files, same run
    python3 tasks.py bench corpus FOLDER   verdict counts over real phishing; none may be genuine
    python3 tasks.py bench urls CSV        JPCERT/CC phishing URLs: none may be official for the brand it imitates

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
    paths = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in (".eml", ""))
    return [p.read_bytes() for p in paths]


def speed(folder: Path) -> int:
    messages = _files(folder)
    directory = load_directory(with_user_files=False)
    options = CheckOptions(offline=True)
    for raw in messages[:20]:  # warm caches (suffix list, confusables table, rules) outside the timing
        try:
            check_message(raw, directory, options)
        except UserError:
            pass

    def timed(work) -> float:
        gc.collect()
        start = time.perf_counter()
        for raw in messages:
            work(raw)
        return time.perf_counter() - start

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
    print(f"bare parse (email.message_from_bytes): {count / baseline:,.0f} msg/s")
    print(f"cardguard check --offline:             {count / checked:,.0f} msg/s")
    print(f"check costs {checked / baseline:.1f}x a bare parse")

    largest = max(messages, key=len)
    for label, work in (("bare parse", parse), ("check", check)):
        gc.collect()
        tracemalloc.start()
        work(largest)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"peak memory, largest message ({len(largest) / 1e6:.2f} MB), {label}: {peak / 1e6:.1f} MB "
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


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("speed", "corpus", "urls"):
        print(__doc__)
        return 2
    return {"speed": speed, "corpus": corpus, "urls": urls}[argv[0]](Path(argv[1]))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
