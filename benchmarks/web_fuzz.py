"""The web fuzz, deeper than CI: every route over HTTP with mutated forms, ids, tokens and uploads.

    .venv/bin/python benchmarks/web_fuzz.py [CASES]     (default 20000)

Runs in a throwaway profile; prints cases run, the status codes seen, and every crash (HTTP 5xx, an
exception out of the app, a non-HTML error page). Exit 1 when any crash was found.
"""

from __future__ import annotations

import collections
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))


def main(argv: list[str]) -> int:
    cases = int(argv[0]) if argv else 20000
    home = Path(tempfile.mkdtemp(prefix="cardguard-webfuzz-"))
    for name in ("config", "data"):
        (home / name).mkdir()
    os.environ.update(CARDGUARD_CONFIG_DIR=str(home / "config"), CARDGUARD_DATA_DIR=str(home / "data"))
    os.environ.pop("CARDGUARD_DATABASE_URL", None)
    from hypothesis import HealthCheck, given, settings

    import webfuzz
    from test_web_fuzz import seeded_client

    client = seeded_client()
    token = webfuzz.csrf_of(client)
    statuses: collections.Counter = collections.Counter()
    crashes: list[str] = []

    @settings(max_examples=cases, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(request=webfuzz.requests())
    def one(request):
        try:
            statuses[webfuzz.run(client, request, token)] += 1
        except Exception as exc:  # noqa: BLE001 - exactly what this run counts
            statuses["crash"] += 1
            crashes.append(f"{request[:3]}: {type(exc).__name__}: {str(exc)[:200]}")

    start = time.perf_counter()
    one()
    elapsed = time.perf_counter() - start
    print(f"web fuzz: {sum(statuses.values())} cases in {elapsed:.0f} s; statuses {dict(sorted(statuses.items(), key=str))}")
    print(f"crashes: {len(crashes)}")
    for line in crashes[:20]:
        print("  " + line)
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
