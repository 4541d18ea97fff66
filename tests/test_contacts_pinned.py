"""`contacts --json` pinned for every card of the directory and every purpose, at three fixed moments.

The answers were recorded before "whom to call" moved into one core function (issue 13); a change
to any of them shows up here as a diff of tests/fixtures/contacts_pinned.json, and each change in
that file's history says which part of issue 10 asked for it. Regenerate after a deliberate change:
CARDGUARD_WRITE_PINNED=1 .venv/bin/pytest -n 0 tests/test_contacts_pinned.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from typer.testing import CliRunner

from cardguard.cli import app
from cardguard.directory.schema import PURPOSES

FIXTURE = Path(__file__).parent / "fixtures" / "contacts_pinned.json"
MOMENTS = {
    "seed-night": "2025-11-21T23:30+09:00",  # Friday night before a three-day weekend
    "weekday-10": "2025-11-25T10:00+09:00",  # Tuesday morning, every office open
    "holiday-10": "2025-11-24T10:00+09:00",  # 振替休日 (substitute holiday) at 10:00
}
CARDS = ["amex", "amex-gold", "amex-platinum", "amex-business", "amex-business-gold", "skytraveler",
         "skytraveler-premier", "hilton", "hilton-premium", "spg", "ana", "ana-gold", "ana-premium", "delta",
         "delta-gold", "persona-stacia"]
FIELDS = ("purpose", "number", "card", "origin", "kind", "toll_free", "hours", "open_now", "always_open", "opens_at",
          "closes_at", "countries")


def _answers() -> dict:
    runner = CliRunner()
    out: dict = {}
    for moment_name, moment in MOMENTS.items():
        for card in CARDS:
            for purpose in PURPOSES:
                result = runner.invoke(app, ["contacts", "--card", card, "--purpose", purpose, "--at", moment,
                                             "--json", "--lang", "en"])
                assert result.exit_code == 0, result.output
                lines = json.loads(result.stdout)["calls"]
                out[f"{moment_name} {card} {purpose}"] = [{k: line.get(k) for k in FIELDS} for line in lines]
    return out


def test_contacts_answers_are_pinned(profile):
    answers = _answers()
    if os.environ.get("CARDGUARD_WRITE_PINNED"):
        FIXTURE.parent.mkdir(exist_ok=True)
        FIXTURE.write_text(json.dumps(answers, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    pinned = json.loads(FIXTURE.read_text(encoding="utf-8"))
    assert set(answers) == set(pinned)
    changed = sorted(key for key in pinned if answers[key] != pinned[key])
    assert not changed, f"{len(changed)} answers differ from the pinned ones, first: {changed[0]}: " \
                        f"{answers[changed[0]]} != {pinned[changed[0]]}"
