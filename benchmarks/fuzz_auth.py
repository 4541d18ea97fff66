"""The live-path authentication fuzz, deeper than the suite's (tests/test_fuzz_auth_live.py):

    python3 tasks.py bench fuzz-auth N [SEED]
    python3 tasks.py bench hostile-keys

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


def hostile_keys() -> int:
    """What four signatures with 16384-bit keys and a 16000-bit exponent cost (issue 12: 35 s and more
    before the limits), as a ratio to one honest check measured in the same run."""
    from authkit import HostileZone, fake_rsa_key_txt, sign
    from cardguard.verify import CheckOptions, check_message
    from mailkit import message

    key = Key(2048)
    zone = HostileZone()
    zone.add_txt(f"huge._domainkey.{authfuzz.AMEX}", fake_rsa_key_txt(16384, exponent=(1 << 16000) + 1))
    zone.add_txt(f"s1._domainkey.{authfuzz.AMEX}", key.txt)
    zone.add_txt("_dmarc.americanexpress.com", "v=DMARC1; p=reject")
    directory = load_directory(with_user_files=False)
    honest = sign(message(), key, authfuzz.AMEX)
    hostile = honest
    for _ in range(4):
        hostile = sign(hostile, key, authfuzz.AMEX, selector="huge")
    with dns_server(zone) as address:
        def timed(raw: bytes) -> float:
            best = float("inf")
            for _ in range(5):
                begun = time.monotonic()
                check_message(raw, directory, CheckOptions(resolver=address))
                best = min(best, time.monotonic() - begun)
            return best

        base, slow = timed(honest), timed(hostile)
    print(f"hostile keys: honest check {base * 1000:.0f} ms, with four 16384-bit keys {slow * 1000:.0f} ms "
          f"({slow / base:.2f}x the honest check)")
    return 0 if slow / base < 5 else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]), *(int(a) for a in sys.argv[2:3])))
