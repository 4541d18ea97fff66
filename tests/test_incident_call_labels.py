"""What the holder recorded about a call (who answered, the reference, what was agreed, a note) is
labelled wherever the timeline is shown: `incident show`, `incident log`'s confirmation, the
Markdown and HTML report, and the web incident page, in Japanese and in English. A bare "佐藤" on
the timeline said nothing about who that is."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from cardguard.web.app import create_app

LABELS = {
    "ja": ["担当者：佐藤", "受付番号：REF-01", "合意内容：停止と再発行", "メモ：折り返し待ち"],
    "en": ["Answered by: 佐藤", "Reference: REF-01", "Agreed: 停止と再発行", "Note: 折り返し待ち"],
}


@pytest.fixture
def client(profile):
    return TestClient(create_app(), base_url="http://127.0.0.1", raise_server_exceptions=False)


@pytest.fixture
def logged(cardguard):
    assert cardguard("incident", "start", "--kind", "unknown-code").code == 0
    run = cardguard("incident", "log", "--call", "0120-020120", "--answered-by", "佐藤", "--reference", "REF-01",
                    "--agreed", "停止と再発行", "--note", "折り返し待ち", "--lang", "ja")
    assert run.code == 0, run.err
    assert all(label in run.out for label in LABELS["ja"]), run.out
    return cardguard


def _timeline(text: str) -> str:
    return text.split("記録\n")[-1] if "記録\n" in text else text.split("Timeline\n")[-1]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_incident_show_labels_each_detail_of_a_call(logged, lang):
    shown = logged("incident", "show", "--lang", lang).out
    line = next(line for line in _timeline(shown).splitlines() if "佐藤" in line)
    for label in LABELS[lang]:
        assert label in line, line
    data = logged("incident", "show", "--json", "--lang", lang).json()
    (call,) = [e for e in data["timeline"] if e["kind"] == "call"]
    assert [(d["field"], d["text"]) for d in call["details"]] == list(zip(
        ["answered_by", "reference", "agreed", "note"], LABELS[lang]))


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_reports_label_each_detail_of_a_call(logged, tmp_path, lang):
    for fmt in ("md", "html"):
        out = tmp_path / f"report-{lang}.{fmt}"
        assert logged("incident", "export", "1", "--format", fmt, "-o", str(out), "--lang", lang).code == 0
        text = out.read_text(encoding="utf-8")
        row = next(line for line in text.splitlines() if "佐藤" in line and "折り返し待ち" in line)
        for label in LABELS[lang]:
            assert label in row, row


@pytest.mark.parametrize(("lang", "header"), [("ja", "ja-JP,ja;q=0.9"), ("en", "en")])
def test_the_web_incident_page_labels_each_detail_of_a_call(logged, client, lang, header):
    page = client.get("/incidents/1", headers={"accept-language": header}).text
    timeline = page.split('class="timeline"')[1].split("</ul>")[0]
    entry = next(item for item in re.findall(r"<li>.*?</li>", timeline, re.S) if "佐藤" in item)
    for label in LABELS[lang]:
        assert label in entry, entry


def test_a_note_with_a_card_change_is_labelled_too(cardguard):
    assert cardguard("cards", "add", "--nickname", "main", "--product", "amex", "--last4", "1005").code == 0
    assert cardguard("incident", "start", "--kind", "lost-or-stolen", "--card", "1005").code == 0
    run = cardguard("incident", "log", "--card-status", "stopped", "--note", "電話で停止", "--lang", "en")
    assert run.code == 0 and "Note: 電話で停止" in run.out, run.out
    shown = cardguard("incident", "show", "--lang", "ja").out
    assert "メモ：電話で停止" in _timeline(shown)


# ------------------------------------------------------------- nothing the holder logs is dropped

@pytest.mark.parametrize(("lang", "said"), [("ja", "電話した番号も入力してください"), ("en", "give the number you called")])
def test_a_calls_details_without_the_number_are_refused_not_kept_as_a_bare_note(cardguard, lang, said):
    # They used to become a note with the name, reference and agreement silently gone.
    assert cardguard("incident", "start", "--kind", "unknown-code").code == 0
    run = cardguard("incident", "log", "--answered-by", "佐藤", "--note", "折り返し待ち", "--lang", lang)
    assert run.code != 0 and said in run.err and "--call" in run.err
    as_json = cardguard("incident", "log", "--reference", "REF-01", "--json").json()
    assert as_json["error"]["code"] == "error.call_details_without_call"
    timeline = cardguard("incident", "show", "--json").json()["timeline"]
    assert [e["kind"] for e in timeline] == ["opened"]


def test_the_web_log_form_refuses_details_without_a_number_beside_the_number(cardguard, client):
    assert cardguard("incident", "start", "--kind", "unknown-code").code == 0
    page = client.get("/incidents/1", headers={"accept-language": "ja"}).text
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    refused = client.post("/incidents/1/log", headers={"accept-language": "ja"},
                          data={"csrf": token, "answered_by": "佐藤", "note": "折り返し待ち"})
    assert refused.status_code == 400 and "電話した番号も入力してください" in refused.text
    assert 'value="佐藤"' in refused.text  # what was typed is kept


def test_a_call_that_stopped_the_card_is_logged_as_both(cardguard):
    assert cardguard("cards", "add", "--nickname", "main", "--product", "amex", "--last4", "1005").code == 0
    assert cardguard("incident", "start", "--kind", "lost-or-stolen", "--card", "1005").code == 0
    run = cardguard("incident", "log", "--call", "0120-020120", "--answered-by", "佐藤", "--card-status", "stopped",
                    "--lang", "en")
    assert run.code == 0 and "Called 0120-020120" in run.out and "stopped" in run.out.lower(), run.out
    timeline = cardguard("incident", "show", "--json").json()["timeline"]
    assert [e["kind"] for e in timeline] == ["opened", "call", "card"]
    assert cardguard("cards", "list", "--json").json()[0]["status"] == "stopped"
