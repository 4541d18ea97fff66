"""Where the shared phishing corpus lives, and what cardguard says about each of its mails.

The corpus sits beside the repository (``../shared/corpus/phishing`` from a checkout of main, an
ancestor's ``shared/`` from a worktree); it is evaluation data and is never copied into the repo.
Run as a script to rewrite the pinned codes after a change the issues call for:
``.venv/bin/python tests/corpus_pin.py``.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIN = ROOT / "tests" / "fixtures" / "corpus_verdicts.json"


def corpus_folder() -> Path | None:
    if os.environ.get("CARDGUARD_CORPUS"):
        return Path(os.environ["CARDGUARD_CORPUS"])
    for parent in ROOT.parents:
        candidate = parent / "shared" / "corpus" / "phishing"
        if candidate.is_dir():
            return candidate
    return None


def verdict_codes() -> dict[str, dict]:
    """file name -> verdict, finding codes and decisive codes (codes only: never the mail)."""
    from cardguard.directory import load_directory
    from cardguard.errors import UserError
    from cardguard.verify import CheckOptions, check_message

    folder = corpus_folder()
    directory = load_directory(with_user_files=False)
    out: dict[str, dict] = {}
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        if not path.is_file():
            continue
        try:
            verdict = check_message(path.read_bytes(), directory, CheckOptions(offline=True))
        except UserError as error:
            out[path.name] = {"error": error.key}
            continue
        out[path.name] = {"verdict": verdict.verdict, "codes": sorted({f.code for f in verdict.findings}),
                          "decisive": sorted(verdict.decisive)}
    return out


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    entries = verdict_codes()
    # One mail per line, so that a change to the rules shows as a readable diff.
    lines = [f"{json.dumps(name)}: {json.dumps(entry, sort_keys=True)}" for name, entry in sorted(entries.items())]
    PIN.write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")
    print(f"wrote {PIN}")
