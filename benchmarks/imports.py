"""`services import` at scale and under mutation.

    python3 tasks.py bench import-scale ROWS     a ROWS-row spreadsheet: seconds and peak memory, against
                                                 a 1,000-row import (memory) and csv.reader alone (time)
    python3 tasks.py bench import-fuzz CASES     mutated CSV and JSON in every accepted encoding (fixed
                                                 seed): every one imports or is a clear error

Each import runs in a fresh process, so its peak memory (ru_maxrss) is its own.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_CHILD = r"""
import sys, time, resource
from cardguard.store.db import Store
from cardguard.wallet import registry
from cardguard.directory import load_directory
from cardguard.wallet.csvio import import_services
store = Store(sys.argv[1])
with store.session() as session:
    registry.add_card(session, load_directory(with_user_files=False), {"nickname": "amex", "last4": "1005"})
start = time.perf_counter()
import inspect
streams = "progress" in inspect.signature(import_services).parameters  # an older importer wants bytes
with store.session() as session, open(sys.argv[2], "rb") as handle:
    result = import_services(session, handle if streams else handle.read())
elapsed = time.perf_counter() - start
print(elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, result.written)
"""


def spreadsheet(path: Path, rows: int) -> None:
    rng = random.Random(7)
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("サービス名,金額,次回請求日,カード,請求周期,メモ,URL\n")
        for n in range(rows):
            handle.write(f"サービス{n},¥{rng.randint(100, 20000):,},2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d},"
                         f"1005,{rng.choice(['月額', '年額', '毎月'])},メモ {n},https://example.com/{n}\n".replace("¥", "\"¥")
                         .replace(",2026", "\",2026", 1))


def _run(python: str, env: dict, workdir: Path, rows: int) -> tuple[float, int, int]:
    sheet = workdir / f"s{rows}.csv"
    spreadsheet(sheet, rows)
    db = workdir / f"db{rows}-{abs(hash(python + str(env.get('PYTHONPATH'))))}.sqlite"
    out = subprocess.run([python, "-c", _CHILD, f"sqlite:///{db}", str(sheet)], env=env, capture_output=True,
                         text=True, check=True)
    seconds, kb, written = out.stdout.split()
    return float(seconds), int(kb) // 1024, int(written)


def _parse_only(workdir: Path, rows: int) -> float:
    import csv

    sheet = workdir / f"s{rows}.csv"
    start = time.perf_counter()
    with sheet.open(encoding="utf-8", newline="") as handle:
        for _ in csv.reader(handle):
            pass
    return time.perf_counter() - start


def import_scale(rows: str = "100000") -> int:
    count = int(rows)
    env = dict(os.environ)
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        small = _run(sys.executable, env, work, 1000)
        large = _run(sys.executable, env, work, count)
        parse = _parse_only(work, count)
        print(f"import of {count:,} rows: {large[0]:.1f} s, peak {large[1]} MB, {large[2]:,} written")
        print(f"  baseline 1,000 rows: peak {small[1]} MB  -> memory ratio {large[1] / small[1]:.2f}")
        print(f"  baseline csv.reader alone: {parse:.2f} s  -> time ratio {large[0] / parse:.0f}x")
        old = os.environ.get("CARDGUARD_OLD_SRC")
        if old:
            # The same file through another checkout's importer (e.g. main before this change).
            before = _run(sys.executable, {**env, "PYTHONPATH": old}, work, count)
            print(f"  {old}: {before[0]:.1f} s, peak {before[1]} MB  -> this is "
                  f"{before[0] / large[0]:.1f}x faster, {before[1] / large[1]:.1f}x less memory")
    return 0


# ------------------------------------------------------------------------------------------ fuzz

SEEDS = [
    "サービス名,金額,次回請求日,カード,請求周期,登録方法\nU-NEXT,\"￥2,189\",2025/12/10,1005,月額,カード番号\n"
    "Amazon Prime,5900円,2026年3月1日,1005,年額,\nApple TV+,900,2025-12-20,1005,毎月,Apple Pay\n",
    "name\tamount\tcurrency\tnext_charge\nNetflix\t1490\tJPY\t2025-12-05\nSpotify\t$9.99\t\t2025-12-03\n",
    "Name,Next Payment,Category,Payment Method,Paid By,Price,Notes,URL,State\n"
    "Hulu,2025-12-09,Video,1005,me,¥1026,,,Enabled\niCloud+,2025-12-08,Cloud,Apple Pay,me,$2.99,,,Disabled\n",
    json.dumps({"subscriptions": [{"Name": "Spotify", "Next Payment": "2025-12-03", "Payment Method": "1005",
                                   "Price": "¥980", "State": "Enabled"}]}, ensure_ascii=False),
    json.dumps({"services": [{"name": "Netflix", "amount": "1490.00", "currency": "JPY",
                              "card": {"last4": "1005"}, "billing_cycle": "monthly"}]}, ensure_ascii=False),
]
ENCODINGS = ["utf-8", "utf-8-sig", "cp932"]
NASTY = [b"NaN", b"Infinity", b"9" * 5000, b"[" * 3000, b"{", b"\xff\xfe", b"\x00", b"=cmd|' /C calc'!A0", b"\"",
         b"\r", b"\n\n\n", "４２４２－４２４２－４２４２－４２４２".encode(), b"cvv 123", b"1900-01-01", b"-1",
         b'"card": 5', b"[1, 2]", b"null", b"\xef\xbb\xbf"]


def mutate(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        action = rng.randrange(5)
        if action == 0 and out:
            del out[rng.randrange(len(out)):]
        elif action == 1 and out:
            for _ in range(rng.randint(1, 20)):
                out[rng.randrange(len(out))] = rng.randrange(256)
        elif action == 2:
            at = rng.randrange(len(out) + 1)
            out[at:at] = rng.choice(NASTY)
        elif action == 3 and out:
            start = rng.randrange(len(out))
            chunk = out[start:start + rng.randint(1, 80)]
            out[start:start] = chunk * rng.randint(1, 20)
        else:
            cut = rng.randrange(len(out) + 1)
            out[cut:cut] = rng.choice([b",", b"\t", b'"', b"\n", b"}", b"]", b":"])
    return bytes(out)


def import_fuzz(cases: str = "20000") -> int:
    from cardguard.directory import load_directory
    from cardguard.errors import UserError
    from cardguard.store.db import Store
    from cardguard.wallet import registry
    from cardguard.wallet.csvio import import_services

    rng = random.Random(20251121)
    store = Store("sqlite://")
    with store.session() as session:
        registry.add_card(session, load_directory(with_user_files=False), {"nickname": "amex", "last4": "1005"})
    outcomes = {"imported": 0, "clear error": 0, "crash": 0}
    crashes = []
    total = int(cases)
    start = time.perf_counter()
    for _ in range(total):
        encoding = rng.choice(ENCODINGS)
        # Shift_JIS has no ¥ of its own: Excel writes it as the backslash byte.
        data = mutate(rng, rng.choice(SEEDS).replace("¥", "\\" if encoding == "cp932" else "¥").encode(encoding))
        session = store._sessions()
        try:
            import_services(session, data, skip_bad_rows=rng.random() < 0.3, dry_run=rng.random() < 0.3,
                            default_card=rng.choice([None, "amex"]))
            outcomes["imported"] += 1
        except UserError as error:
            error.message("ja")
            error.message("en")
            outcomes["clear error"] += 1
        except Exception as exc:  # noqa: BLE001 - exactly what this run looks for
            outcomes["crash"] += 1
            crashes.append(f"{type(exc).__name__}: {exc}"[:200] + f"  input={data[:80]!r}")
        finally:
            session.rollback()
            session.close()
    print(f"mutated imports: {total:,} in {time.perf_counter() - start:.0f} s: {outcomes}")
    for line in crashes[:10]:
        print("  " + line)
    return 1 if crashes else 0
