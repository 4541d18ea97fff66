"""Run the verifier over a folder of messages (offline) and count verdicts.

    python3 tasks.py bench corpus PATH [--show VERDICT]

Evaluation only: the corpus is real phishing and none of it may come out `genuine`.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections import Counter
from pathlib import Path

from cardguard.directory import load_directory
from cardguard.errors import UserError
from cardguard.verify import CheckOptions, check_message


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="corpus")
    parser.add_argument("folder", type=Path)
    parser.add_argument("--show", help="list the files that got this verdict")
    args = parser.parse_args(argv)
    directory = load_directory(with_user_files=False)
    counts: Counter[str] = Counter()
    issuers: Counter[str] = Counter()
    shown = []
    crashes = []
    files = sorted(p for p in args.folder.rglob("*") if p.is_file() and p.suffix in (".eml", ".msg", ""))
    for path in files:
        try:
            verdict = check_message(path.read_bytes(), directory, CheckOptions(offline=True))
        except UserError as error:
            counts[f"error:{error.key}"] += 1
            continue
        except Exception:  # noqa: BLE001 - a crash is exactly what this run looks for
            crashes.append((path, traceback.format_exc()))
            counts["CRASH"] += 1
            continue
        counts[verdict.verdict] += 1
        issuers[verdict.issuer or "-"] += 1
        if args.show == verdict.verdict:
            shown.append(f"{path.name}: {verdict.from_address} | {verdict.subject[:60]}")
    print(f"messages: {len(files)}")
    for verdict, count in sorted(counts.items()):
        print(f"  {verdict}: {count}")
    print("claimed issuer:", dict(issuers))
    for line in shown:
        print("  " + line)
    for path, trace in crashes[:5]:
        print(f"CRASH {path}\n{trace}", file=sys.stderr)
    return 1 if counts["genuine"] or crashes else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
