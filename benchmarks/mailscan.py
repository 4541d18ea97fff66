"""`mail scan` speed and memory over a large mbox built from the corpus at bench time (never committed).

    python3 tasks.py bench mailscan ../shared/corpus/phishing [COUNT]

Builds an mbox of COUNT messages (default 20,000) by cycling the corpus's messages of up to 64 KB,
then, each in its own process so peak memory is its own:
- baseline: a bare `mailbox.mbox` iteration with `email.message_from_bytes` for every message;
- scan: cardguard's streaming reader and judge (offline), recording into a fresh SQLite store, as
  `mail scan` runs them;
- scan --no-store: the same without recording.
Reports messages per second for each, their ratio to the baseline, each one's peak RSS, and for the
messages that claim no issuer, the scan's cost against a bare header parse of the same messages in the
same loop.
"""

from __future__ import annotations

import email
import email.parser
import email.policy
import json
import mailbox
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LIMIT = 64 * 1024


def build(folder: Path, count: int, target: Path) -> int:
    raws = [p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file() and p.stat().st_size <= LIMIT]
    box = mailbox.mbox(str(target), create=True)
    box.lock()
    written = 0
    try:
        while written < count:
            for raw in raws:
                if written >= count:
                    break
                box.add(raw)
                written += 1
        box.flush()
    finally:
        box.unlock()
        box.close()
    return written


def phase_baseline(path: str) -> dict:
    start = time.perf_counter()
    box = mailbox.mbox(path, create=False)
    count = 0
    for key in box.iterkeys():
        email.message_from_bytes(box.get_bytes(key), policy=email.policy.default)
        count += 1
    return {"count": count, "seconds": time.perf_counter() - start}


def phase_scan(path: str, store: bool = True) -> dict:
    from contextlib import nullcontext

    from cardguard.cli_common import check_setup
    from cardguard.mailbox import scan
    from cardguard.mailbox.accounts import Recorder
    from cardguard.mailbox.judge import head_of
    from cardguard.store.db import Store

    directory, options = check_setup("en", offline=True, resolver=None, trust=None, alias=None)
    headers = email.parser.BytesHeaderParser(policy=email.policy.default)
    recorder = Recorder(Store(f"sqlite:///{Path(path).parent / 'bench.db'}")) if store else None
    start = time.perf_counter()
    count = issuer = 0
    plain_scan = plain_headers = 0.0
    verdicts: dict[str, int] = {}
    # The loop of scan.scan, opened up to time the messages that claim no issuer on their own.
    with recorder if recorder is not None else nullcontext():
        for source, data in scan.messages(path):
            began = time.perf_counter()
            judged = scan.judge_scanned(source, data, directory, options, False)
            if recorder is not None:
                recorder.add(judged)
            spent = time.perf_counter() - began
            count += 1
            verdicts[judged.verdict_name] = verdicts.get(judged.verdict_name, 0) + 1
            if judged.claims_issuer:
                issuer += 1
            elif isinstance(data, bytes):
                began = time.perf_counter()
                headers.parsebytes(head_of(data))
                plain_headers += time.perf_counter() - began
                plain_scan += spent
    return {"count": count, "seconds": time.perf_counter() - start, "issuer": issuer, "verdicts": verdicts,
            "no_issuer_scan_seconds": plain_scan, "no_issuer_header_parse_seconds": plain_headers,
            "recorded": recorder.stored if recorder is not None else 0}


def phase_scan_no_store(path: str) -> dict:
    return phase_scan(path, store=False)


def child(phase: str, path: str) -> dict:
    proc = subprocess.run([sys.executable, __file__, "_phase", phase, path], capture_output=True, text=True,
                          check=True)
    return json.loads(proc.stdout)


def main(argv: list[str]) -> int:
    if argv and argv[0] == "_phase":
        result = {"baseline": phase_baseline, "scan": phase_scan, "no-store": phase_scan_no_store}[argv[1]](argv[2])
        result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return 0
    folder = Path(argv[0])
    count = int(argv[1]) if len(argv) > 1 else 20_000
    with tempfile.TemporaryDirectory(prefix="cg-mailscan-") as temp:
        path = Path(temp) / "bench.mbox"
        written = build(folder, count, path)
        size_mb = path.stat().st_size / 1e6
        base = child("baseline", str(path))
        scanned = child("scan", str(path))
        bare = child("no-store", str(path))
    base_rate = base["count"] / base["seconds"]
    scan_rate = scanned["count"] / scanned["seconds"]
    bare_rate = bare["count"] / bare["seconds"]
    print(f"mbox: {written} messages, {size_mb:.0f} MB (corpus messages up to {LIMIT // 1024} KB, cycled)")
    print(f"baseline mailbox.mbox + email.message_from_bytes: {base_rate:,.0f} msgs/s, "
          f"peak RSS {base['peak_rss_mb']:.0f} MB")
    print(f"mail scan (offline, recording):                   {scan_rate:,.0f} msgs/s, "
          f"peak RSS {scanned['peak_rss_mb']:.0f} MB; {scanned['recorded']} recorded")
    print(f"mail scan --no-store:                             {bare_rate:,.0f} msgs/s, "
          f"peak RSS {bare['peak_rss_mb']:.0f} MB")
    print(f"scan / baseline speed: {scan_rate / base_rate:.2f}x (--no-store {bare_rate / base_rate:.2f}x)")
    print(f"claim an issuer: {scanned['issuer']} of {scanned['count']}; verdicts {scanned['verdicts']}")
    if scanned["no_issuer_header_parse_seconds"]:
        print(f"messages that claim no issuer: scan cost {scanned['no_issuer_scan_seconds']:.1f} s vs bare header "
              f"parse {scanned['no_issuer_header_parse_seconds']:.1f} s "
              f"({scanned['no_issuer_scan_seconds'] / scanned['no_issuer_header_parse_seconds']:.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
