"""Every real phishing mail of the shared corpus keeps its verdict and finding codes, and none is genuine.

The pinned codes change only in a commit that says why (a rule the issues asked to change)."""

from __future__ import annotations

import json

import pytest

from corpus_pin import PIN, corpus_folder, verdict_codes


def test_the_corpus_keeps_its_pinned_verdicts_and_none_is_genuine():
    folder = corpus_folder()
    if folder is None or not folder.is_dir():
        pytest.fail("The phishing corpus is missing: expected shared/corpus/phishing beside the repository "
                    "(../shared on CI) or CARDGUARD_CORPUS pointing at it.")
    seen = verdict_codes()
    assert not [name for name, entry in seen.items() if entry.get("verdict") == "genuine"]
    pinned = json.loads(PIN.read_text(encoding="utf-8"))
    changed = {name: (pinned.get(name), entry) for name, entry in seen.items() if pinned.get(name) != entry}
    assert not changed, f"{len(changed)} corpus verdicts changed, e.g. {list(changed.items())[:3]}"
    assert set(pinned) == set(seen)
