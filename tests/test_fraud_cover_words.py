"""What the seed says Amex covers after fraud (seeds/001, ③): 「遡って60日前目以降に生じたカードの不正
利用で、既に支払れた分はアメックスが補填する」 — the charges already paid are what is covered. The
directory's advice and the incident plans' statement step say it in those words (the seed's two slips,
前目 and 支払れた, read as 前 and 支払われた), in both languages, still citing the directory."""

from __future__ import annotations

import pytest

from cardguard.incident import plans

SEED_JA = "遡って60日前以降に生じたカードの不正利用で、既に支払われた分はアメックスが補填します。"
SEED_EN = "For unauthorized use of your card from 60 days back onward, the amounts already paid are covered by Amex."


def _said_like_the_seed(ja: str, en: str) -> None:
    assert SEED_JA in ja and "60日以内" not in ja and "届け出を受け取った日" not in ja
    assert SEED_EN in en and "including" not in en and "up to 60 days" not in en


@pytest.mark.parametrize("kind", ["unknown-code", "unknown-charge"])
def test_the_statement_step_of_each_plan_says_what_the_seed_says_and_cites_it(cardguard, kind):
    step = plans.plan(kind).step("review-statement")
    _said_like_the_seed(step.detail.ja, step.detail.en)
    assert "directory" in step.sources
    # As the holder reads it in the incident.
    assert cardguard("incident", "start", "--kind", kind).code == 0
    ja = cardguard("incident", "show", "--lang", "ja").out
    shown = cardguard("incident", "show", "--json", "--lang", "en").json()
    (row,) = [s for s in shown["steps"] if s["id"] == "review-statement"]
    _said_like_the_seed(ja, row["detail"])
    assert row["sources"] == ["30秒でわかる!目的別のアメックス問い合わせ電話番号〜緊急連絡先一覧"]


def test_the_directorys_advice_says_what_the_seed_says(cardguard):
    words = {}
    for lang in ("ja", "en"):
        doc = cardguard("contacts", "--card", "amex", "--purpose", "fraud", "--json", "--lang", lang).json()
        (advice,) = [a for a in doc["advice"] if a["id"] == "fraud-60-days"]
        words[lang] = advice["message"]
    _said_like_the_seed(words["ja"], words["en"])
    assert words["ja"] == SEED_JA and words["en"] == SEED_EN
