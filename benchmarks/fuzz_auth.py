"""The live-path authentication fuzz, deeper than the suite's (tests/test_fuzz_auth_live.py):

    python3 tasks.py bench fuzz-auth N [SEED]

N mutated mails, each checked against the hostile test DNS server on loopback; reports cases run,
crashes found (traceback, unrenderable finding, genuine without authentication, slower than the
budget) and the slowest check against the per-mail DNS budget.
"""

from __future__ import annotations

import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import authfuzz  # noqa: E402
from cardguard.directory import load_directory  # noqa: E402
from mailkit import Key, dns_server  # noqa: E402


def main(cases: int, seed: int = 20251121) -> int:
    rng = random.Random(seed)
    chooser = authfuzz.RandomChooser(rng)
    keys = {"amex": Key(2048)}
    directory = load_directory(with_user_files=False)
    crashes: Counter[str] = Counter()
    slowest = 0.0
    started = time.monotonic()
    with dns_server(authfuzz.world(keys)) as address:
        bases = authfuzz.base_mails(keys)
        for index in range(cases):
            raw = authfuzz.mutate(chooser.choice(bases), chooser)
            begun = time.monotonic()
            problem = authfuzz.run_one(raw, directory, address)
            slowest = max(slowest, time.monotonic() - begun)
            if problem:
                crashes[problem] += 1
                if crashes[problem] == 1:
                    Path(f"fuzz-auth-crash-{index}.eml").write_bytes(raw)
            if (index + 1) % 1000 == 0:
                print(f"  {index + 1} cases, {sum(crashes.values())} crashes", file=sys.stderr, flush=True)
    total = time.monotonic() - started
    print(f"fuzz-auth: {cases} cases in {total:.0f} s, crashes found: {sum(crashes.values())}")
    print(f"slowest check: {slowest:.2f} s (budget {authfuzz.BUDGET} s of DNS per mail, "
          f"{slowest / authfuzz.BUDGET:.2f}x)")
    for problem, count in crashes.most_common(10):
        print(f"  {count} x {problem}")
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]), *(int(a) for a in sys.argv[2:3])))
