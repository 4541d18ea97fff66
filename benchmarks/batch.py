"""`cardguard check FOLDER --json`: throughput on every core against one job, and memory that stays
flat as the folder grows.

    python3 tasks.py bench batch [COUNT]     (default 20,000 synthesized messages)

The messages are built at bench time (the typical mail of bench startup, with a different subject and
recipient each), written to a temporary folder and removed afterwards. Memory is the peak resident
set of the whole process tree (the command and its workers), sampled from /proc every 0.1 s.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from startup import typical_mail


def _tree_rss(pid: int) -> int:
    """Resident memory (KB) of ``pid`` and all its descendants, from /proc."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")))
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, StopIteration, ValueError):
            continue
    return total


def _run(folder: Path, jobs: int) -> tuple[float, int, int]:
    """Seconds, lines printed and the peak resident memory (MB) of the whole process tree."""
    exe = Path(sys.executable).with_name("cardguard")
    env = {**os.environ}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(CARDGUARD_CONFIG_DIR=str(folder.parent / "config"), CARDGUARD_DATA_DIR=str(folder.parent / "data"))
    out = tempfile.TemporaryFile()
    start = time.perf_counter()
    proc = subprocess.Popen([str(exe), "check", "--offline", "--json", "--jobs", str(jobs), str(folder)],
                            stdout=out, env=env)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _tree_rss(proc.pid))
        time.sleep(0.1)
    took = time.perf_counter() - start
    out.seek(0)
    return took, out.read().count(b"\n"), peak // 1024


def main(argv: list[str]) -> int:
    count = int(argv[0]) if argv else 20_000
    work = Path(tempfile.mkdtemp(prefix="cardguard-batch-"))
    try:
        base = typical_mail(4_000)
        small, large = work / "small", work / "large"
        for folder, n in ((small, count // 10), (large, count)):
            folder.mkdir()
            for i in range(n):
                raw = base.replace(b"holder@example.com", f"holder{i}@example.com".encode())
                (folder / f"{i:06d}.eml").write_bytes(raw)
        cores = os.cpu_count() or 1
        print(f"messages: {count:,} of {len(base) / 1000:.0f} KB; {cores} cores")
        one_time, one_lines, _ = _run(small, 1)
        many_time, many_lines, small_peak = _run(small, cores)
        assert one_lines == many_lines == count // 10
        large_time, large_lines, large_peak = _run(large, cores)
        assert large_lines == count
        print(f"1 job, {count // 10:,} messages: {one_lines / one_time:,.0f} msg/s (start-up included)")
        print(f"{cores} jobs, {count // 10:,} messages: {many_lines / many_time:,.0f} msg/s; {count:,} messages: "
              f"{large_lines / large_time:,.0f} msg/s (x{(large_lines / large_time) / (one_lines / one_time):.2f} "
              f"one job)")
        print(f"peak resident memory, all processes: {small_peak} MB at {count // 10:,} messages, {large_peak} MB at "
              f"{count:,} (x{large_peak / max(small_peak, 1):.2f} for x10 the messages)")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
