"""The verdict and finding codes of every message in a folder, as the JSON the corpus test compares.

    python3 tasks.py bench verdicts FOLDER > tests/fixtures/corpus_verdicts.json

Regenerate only when a rule changes a verdict on purpose (and say so in the commit); a speed change
must leave this file as it is.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from cardguard.directory import load_directory
from cardguard.errors import UserError
from cardguard.verify import CheckOptions, check_message


def summary(verdict) -> dict:
    return {"verdict": verdict.verdict, "issuer": verdict.issuer,
            "codes": [f.code for f in verdict.ordered_findings()],
            "decisive": sorted(f.code for f in verdict.findings if f.code in verdict.decisive)}


def corpus_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in (".eml", ".msg", ""))


def main(argv: list[str]) -> int:
    folder = Path(argv[0])
    directory = load_directory(with_user_files=False)
    out = {}
    for path in corpus_files(folder):
        try:
            out[path.relative_to(folder).as_posix()] = summary(
                check_message(path.read_bytes(), directory, CheckOptions(offline=True)))
        except UserError as error:
            out[path.relative_to(folder).as_posix()] = {"error": error.key}
    # One message a line, so that a changed verdict is a one-line diff.
    print("{\n" + ",\n".join(f"{json.dumps(name)}: {json.dumps(out[name], sort_keys=True)}" for name in sorted(out))
          + "\n}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
