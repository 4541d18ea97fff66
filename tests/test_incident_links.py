"""Incident and reissue know each other; what the timeline shows done is done; the incident's
commands take it the same way; a checked mail is kept as facts and worded in the reader's language."""

from __future__ import annotations

import json
import re
import sqlite3

import pytest

from mailkit import message

TOKYO = {"TZ": "Asia/Tokyo"}


@pytest.fixture
def story(cardguard):
    run = lambda *args: cardguard(*args, env=TOKYO)  # noqa: E731
    assert run("cards", "add", "--nickname", "アメックス", "--product", "amex", "--last4", "1005").code == 0
    assert run("services", "add", "Netflix", "--card", "1005").code == 0
    assert run("incident", "start", "--kind", "unknown-code", "--card", "1005", "--at", "2025-11-21T23:30").code == 0
    return run


def states(run, ref="1"):
    return {s["id"]: s["status"] for s in run("incident", "show", ref, "--json").json()["steps"]}


def test_the_fraud_call_and_the_stopped_card_tick_their_steps(story):
    logged = story("incident", "log", "--call", "0120-020120", "--at", "2025-11-25T09:05", "--json")
    assert logged.code == 0, logged.err
    assert logged.json()["changed"] == ["call-fraud"]
    assert states(story)["call-fraud"] == "done"
    text = story("incident", "log", "--card-status", "stopped", "--at", "2025-11-25T09:20", "--lang", "ja").out
    assert "☑ 完了：カードの停止と再発行を依頼する" in text and "次の手順" in text
    assert states(story)["stop-reissue"] == "done"


def test_reissue_and_its_finished_checklist_tick_the_plan(story):
    reissued = story("reissue", "1005", "--last4", "2008", "--json").json()
    assert states(story)["stop-reissue"] == "done"
    assert states(story)["reissue-checklist"] == "todo"
    for item in reissued["checklist"]["items"]:
        assert story("reissue", "mark", str(item["id"]), "updated").code == 0
    assert states(story)["reissue-checklist"] == "done"
    timeline = story("incident", "show", "1", "--lang", "ja").out
    assert "チェックリスト完了：再発行後：登録先をすべて更新" in timeline
    assert "カードの状態：****1005 → 再発行済み" in timeline


def test_close_with_open_steps_asks(story):
    refused = story("incident", "close", "1")
    assert refused.code == 2 and "still open" in refused.err and "Call the 24-hour theft and fraud line" in refused.err
    assert "cardguard incident close 1 --yes" in refused.err
    ja = story("incident", "close", "--lang", "ja")
    assert ja.code == 2 and "未完了の手順が" in ja.err
    assert story("incident", "show", "--json").json()["status"] == "open"
    closed = story("incident", "close", "1", "--yes", "--json")
    assert closed.code == 0 and closed.json()["status"] == "closed"


def test_step_and_log_show_what_changed_not_the_whole_plan(story):
    run = story("incident", "step", "dont-click", "--lang", "en")
    assert run.code == 0, run.err
    assert "☑ Done: Do not click" in run.out and "Next: Check that the email is genuine" in run.out
    assert run.out.count("☐") == 0 and len(run.out.splitlines()) < 10
    logged = story("incident", "log", "--note", "状況を確認", "--lang", "ja")
    assert "記録しました：状況を確認" in logged.out and len(logged.out.splitlines()) < 10


def test_the_incident_is_taken_the_same_way_everywhere(story):
    story("incident", "start", "--kind", "lost-or-stolen")  # #2, now the latest
    assert story("incident", "step", "1", "dont-click").code == 0
    assert story("incident", "step", "dont-click", "--incident", "1").code == 0
    assert states(story, "1")["dont-click"] == "done"
    assert story("incident", "log", "1", "--note", "memo").code == 0
    assert story("incident", "log", "--incident", "1", "--note", "memo").code == 0
    assert story("incident", "export", "1", "--json").json()["id"] == 1
    assert story("incident", "export", "--incident", "1", "--json").json()["id"] == 1
    assert story("incident", "show", "--incident", "1", "--json").json()["id"] == 1
    assert story("incident", "close", "1", "--yes", "--json").json()["status"] == "closed"
    huge = story("incident", "show", "99999999999999999999", "--json")
    assert huge.code == 2 and huge.json()["error"]["code"] == "error.incident_not_found"


def test_a_call_that_is_not_a_number_and_a_moment_in_2099_are_refused(story):
    bad = story("incident", "log", "--call", "abc", "--lang", "ja")
    assert bad.code == 2 and "電話番号：「abc」は電話番号ではありません" in bad.err
    future = story("incident", "log", "--note", "x", "--at", "2099-01-01T10:00")
    assert future.code == 2 and "is in the future" in future.err
    events = story("incident", "show", "--json").json()["timeline"]
    assert [e["kind"] for e in events] == ["opened"]


def test_huge_ids_are_not_found_not_a_crash(story):
    for args in (["reissue", "mark", "99999999999999999999", "updated"],
                 ["services", "edit", "99999999999999999999", "--notes", "x"],
                 ["services", "remove", "9" * 5000]):
        run = story(*args, "--json")
        assert run.code == 2, run.out
        assert run.json()["error"]["code"] in ("error.item_not_found", "error.service_not_found")


def test_a_check_in_english_exports_in_japanese_with_no_english_sentence(cardguard, profile, tmp_path):
    mail = tmp_path / "phish.eml"
    mail.write_bytes(message(sender="safekey@americanexpress-safekey.com", to="other@icloud.com"))
    started = cardguard("incident", "start", "--from-mail", str(mail), "--offline", "--lang", "en", "--json")
    assert started.code == 0, started.err
    assert started.json()["verdict"]["label"] == "phishing"
    # What is stored is the verdict's facts: codes and values, no sentence in either language.
    db = sqlite3.connect(profile / "data" / "cardguard.db")
    (data,) = db.execute("select data from incident_events where kind = 'verdict'").fetchone()
    stored = json.loads(data)
    assert stored["verdict"] == "phishing" and stored["findings"][0]["code"]
    assert "message" not in json.dumps(stored) and "verdict_label" not in stored
    assert len(data) < 8000
    report = cardguard("incident", "export", "--format", "md", "--lang", "ja").out
    assert "フィッシング" in report
    reasons = report.split("## メールの判定")[1].split("## ")[0]
    english = [line for line in reasons.splitlines()
               if re.search(r"[A-Za-z]{3,} [A-Za-z]{3,} [A-Za-z]{3,}", re.sub(r"\S+@\S+|https?://\S+|\S+\.\w+", "", line))]
    assert english == [], english
    assert "phishing:" not in report.lower().replace("フィッシング", "")


def test_old_incidents_stored_worded_are_still_read(cardguard, profile):
    assert cardguard("incident", "start", "--kind", "phishing-received").code == 0
    db = sqlite3.connect(profile / "data" / "cardguard.db")
    old = {"ja": {"verdict": "phishing", "verdict_label": "フィッシング", "subject": "件名", "from": {"address": "a@b.example"},
                  "findings": [{"message": "古い理由", "decisive": True}]},
           "en": {"verdict": "phishing", "verdict_label": "Phishing", "subject": "subj", "from": {"address": "a@b.example"},
                  "findings": [{"message": "old reason", "decisive": True}]}}
    db.execute("insert into incident_events (incident_id, at, kind, text, data) values (1, '2025-11-21 14:00:00', "
               "'verdict', 'phishing', ?)", (json.dumps(old),))
    db.commit()
    doc = cardguard("incident", "show", "1", "--json", "--lang", "ja").json()
    assert doc["verdict"]["label"] == "フィッシング" and doc["verdict"]["reasons"] == ["古い理由"]
