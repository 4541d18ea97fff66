"""Statement import: reading a statement and finding recurring charges, against baselines measured
in the same run.

    .venv/bin/python benchmarks/statements.py [ROWS]     (default 20,000 rows)

- parse: parse_statement over an Amex CSV of ROWS rows (cp932) vs a bare csv.reader over the same text.
- recurrence at one shop: ROWS charges all at one merchant (the worst case: every charge may continue
  a run) vs ROWS charges at ROWS different merchants (every group holds one charge).
The file is built at bench time; nothing is written to the repository.
"""

from __future__ import annotations

import csv
import io
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import statementkit as kit  # noqa: E402
from cardguard.statements.parse import parse_statement  # noqa: E402
from cardguard.statements.recurrence import Seen, find_recurring  # noqa: E402


def timed(work) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def main(rows: int) -> None:
    data = kit.amex([(date(2026, 1 + n % 12, 1 + n % 28), f"SHOP {n}", f"{100 + n:,}", "") for n in range(rows)])
    text = data.decode("cp932")
    bare = timed(lambda: list(csv.reader(io.StringIO(text, newline=""))))
    parse = timed(lambda: parse_statement(data))
    print(f"parse {rows} rows: {parse:.2f} s; bare csv.reader {bare:.3f} s; ratio {parse / bare:.0f}x")

    def charges(name) -> list[Seen]:
        return [Seen(date(2025 + n % 24 // 12, 1 + n % 12, 1 + n % 28), name(n), name(n), str(100 + n % 5000),
                     Decimal(100 + n % 5000)) for n in range(rows)]

    one_shop, many_shops = charges(lambda n: "SHOP"), charges(lambda n: f"SHOP {n}")
    worst = timed(lambda: find_recurring(one_shop))
    base = timed(lambda: find_recurring(many_shops))
    print(f"recurrence, {rows} charges at one shop: {worst:.2f} s; at {rows} shops: {base:.2f} s; "
          f"ratio {worst / base:.1f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
