"""The seed's whole story through the CLI: the mail checked, the incident started at 23:30 on Friday
2025-11-21, the password changed, the call on Tuesday the 25th, the card stopped and reissued, the
checklist done, the incident closed, and the report exported and read back."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from cardguard.incident import plans
import mailkit
from mailkit import message

ALIAS = "amex.7f3k@icloud.com"
TOKYO = {"TZ": "Asia/Tokyo"}


def test_every_plan_loads_and_cites_known_sources():
    loaded = plans.all_plans()
    assert [p.kind for p in loaded] == list(plans.KINDS)
    for plan in loaded:
        assert plan.steps and plan.title.ja and plan.title.en
        for step in plan.steps:
            assert step.title.ja and step.title.en and step.sources
    unknown_code = plans.plan("unknown-code")
    assert [s.id for s in unknown_code.steps][:5] == ["dont-click", "verify-mail", "change-password", "call-fraud",
                                                      "stop-reissue"]
    assert unknown_code.step("call-fraud").call == "fraud"
    assert "60" in unknown_code.step("review-statement").detail.ja
    assert any("188" in s.title.ja for s in unknown_code.steps)
    assert plans.plan("lost-or-stolen").step("call-lost").call == "lost"


@pytest.fixture(scope="module")
def amex_dns():
    with mailkit.amex_dns() as served:
        yield served




def test_the_seed_story(cardguard, amex_dns, tmp_path):
    key, (host, port) = amex_dns
    run = lambda *args: cardguard(*args, env=TOKYO)  # noqa: E731
    assert run("cards", "add", "--nickname", "アメックス", "--product", "amex", "--last4", "1005",
               "--alias", ALIAS).code == 0
    assert run("services", "add", "Netflix", "--card", "1005", "--next-charge", "2025-12-05").code == 0
    assert run("services", "add", "Apple Pay", "--card", "1005", "--holds", "wallet").code == 0

    mail = tmp_path / "safekey.eml"
    mail.write_bytes(mailkit.received_safekey(key))
    checked = run("check", str(mail), "--resolver", f"{host}:{port}", "--alias", ALIAS, "--json")
    assert checked.json()["verdict"] == "genuine"

    # Friday 23:30: the incident starts from the checked mail.
    started = run("incident", "start", "--from-mail", str(mail), "--card", "1005", "--resolver", f"{host}:{port}",
                  "--alias", ALIAS, "--at", "2025-11-21T23:30", "--json")
    assert started.code == 0, started.err
    doc = started.json()
    assert doc["kind"] == "unknown-code" and doc["started_at"] == "2025-11-21 23:30 JST"
    first = doc["timeline"][0]
    # The check is stamped when it was recorded (23:30), not with the mail's arrival (23:27).
    assert first["kind"] == "verdict" and first["at"] == "2025-11-21 23:30 JST" and "genuine" in first["text"]
    call_step = next(s for s in doc["steps"] if s["id"] == "call-fraud")
    assert [(line["number"], line["open_now"]) for line in call_step["call"]] == [("0120-020120", True)]

    assert run("incident", "step", "dont-click", "--at", "2025-11-21T23:31").code == 0
    assert run("incident", "step", "verify-mail", "--at", "2025-11-21T23:35").code == 0
    assert run("incident", "step", "change-password", "--at", "2025-11-22T09:10").code == 0
    # Tuesday after the long weekend: the call, the card stopped and reissued.
    logged = run("incident", "log", "--call", "0120-020120", "--answered-by", "オペレーター 佐藤",
                 "--reference", "REF-20251125-01", "--agreed", "カードを停止して再発行", "--at", "2025-11-25T09:05")
    assert logged.code == 0, logged.err
    assert run("incident", "step", "call-fraud", "--at", "2025-11-25T09:05").code == 0
    assert run("incident", "log", "--card-status", "stopped", "--at", "2025-11-25T09:20").code == 0
    assert run("incident", "step", "stop-reissue", "--at", "2025-11-25T09:20").code == 0
    assert run("incident", "step", "review-statement", "--at", "2025-11-25T09:15").code == 0
    assert run("incident", "step", "police", "--skip", "未遂で被害なし", "--at", "2025-11-25T09:25").code == 0
    assert run("cards", "list", "--json").json()[0]["status"] == "stopped"

    # The new card arrives; the reissue checklist is worked through.
    reissued = run("reissue", "1005", "--last4", "2008", "--expiry", "11/30", "--json").json()
    for item in reissued["checklist"]["items"]:
        assert run("reissue", "mark", str(item["id"]), "not-needed" if item["follows_by_itself"] else "updated").code == 0
    assert run("reissue", "status", "--json").json()["progress"] == {"done": 2, "total": 2}
    assert run("incident", "step", "reissue-checklist", "--at", "2025-12-02T20:00").code == 0
    assert run("incident", "step", "hotline-188", "--skip", "不要", "--at", "2025-12-02T20:01").code == 0
    closed = run("incident", "close", "--summary", "不正利用は未遂。カードを再発行し、登録先を更新した。",
                 "--at", "2025-12-02T20:05", "--json")
    assert closed.json()["status"] == "closed" and closed.json()["progress"] == {"done": 9, "total": 9}

    report = tmp_path / "report.md"
    assert run("incident", "export", "--format", "md", "-o", str(report), "--lang", "ja").code == 0
    text = report.read_text(encoding="utf-8")
    assert text.startswith("# インシデント報告書: 身に覚えのない認証コードが届いた")
    assert "| 2025-11-25 09:20 JST | カードの状態：****1005 → 停止中 |" in text
    assert "アメックス ****1005" in text and "アメックス ****2008" in text
    assert "| 2025-11-21 23:30 JST | メールを確認：本物" in text
    assert "| 2025-11-25 09:05 JST | 0120-020120 に電話" in text and "REF-20251125-01" in text
    assert "オペレーター 佐藤" in text and "カードを停止して再発行" in text
    assert "[-] お金が引き落とされていたら警察に被害届を出す (2025-11-25 09:25 JST): 未遂で被害なし" in text
    assert "不正利用は未遂" in text
    assert "1005 " not in text.replace("****1005", "")  # only last four digits, always masked
    listed = run("incident", "list", "--json").json()
    assert listed[0]["status"] == "closed"


def test_start_needs_a_kind_and_logs_need_content(cardguard):
    run = cardguard("incident", "start")
    assert run.code != 0 and "--kind" in run.err
    assert cardguard("incident", "start", "--kind", "lost-or-stolen").code == 0
    empty = cardguard("incident", "log")
    assert empty.code != 0 and "--note" in empty.err
    bad_step = cardguard("incident", "step", "fly-to-the-moon")
    assert bad_step.code != 0 and "call-lost" in bad_step.err


def test_card_numbers_never_enter_the_timeline(cardguard, profile):
    cardguard("incident", "start", "--kind", "unknown-charge")
    run = cardguard("incident", "log", "--note", "my card is 4242 4242 4242 4242")
    assert run.code != 0 and "card number" in run.err and "4242" not in run.err
    for path in (profile / "data").iterdir():
        assert b"4242 4242" not in path.read_bytes()


def test_phishing_mail_starts_a_phishing_incident(cardguard, tmp_path):
    mail = tmp_path / "phish.eml"
    mail.write_bytes(message(sender="safekey@americanexpress-safekey.com", to="other@icloud.com"))
    started = cardguard("incident", "start", "--from-mail", str(mail), "--offline", "--json")
    assert started.code == 0, started.err
    doc = started.json()
    assert doc["kind"] == "phishing-received" and doc["verdict"]["verdict"] == "phishing"
    assert [s["id"] for s in doc["steps"]] == ["dont-click", "verify-mail", "report-phishing", "delete"]


def test_html_report_prints_on_a4(cardguard, tmp_path):
    cardguard("cards", "add", "--nickname", "アメックス", "--product", "amex", "--last4", "1005")
    cardguard("incident", "start", "--kind", "unknown-code", "--card", "1005", "--at", "2025-11-21T23:30+09:00")
    for n in range(25):  # a long timeline, so the report runs over a page
        cardguard("incident", "log", "--note", f"メモ {n}: 状況を確認した", "--at", f"2025-11-22T10:{n:02d}+09:00")
    cardguard("incident", "log", "--call", "0120-020120", "--answered-by", "佐藤", "--reference", "REF-1",
              "--at", "2025-11-25T09:05+09:00")
    page = tmp_path / "report.html"
    assert cardguard("incident", "export", "--format", "html", "-o", str(page), "--lang", "ja").code == 0
    html = page.read_text(encoding="utf-8")
    assert "<script" not in html and "http://" not in html and "https://" not in html  # self-contained
    pdf = tmp_path / "report.pdf"
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'ud'}",
                    "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri()],
                   check=True, capture_output=True, timeout=120)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    size = next(line for line in info.splitlines() if line.startswith("Page size:"))
    assert 2 <= pages <= 4
    assert "(A4)" in size
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "インシデント報告書" in text and "****1005" in text and "0120-020120" in text and "REF-1" in text
    assert "メモ 24" in text


def test_every_export_has_json(cardguard):
    cardguard("incident", "start", "--kind", "lost-or-stolen", "--at", "2025-11-21T23:30+09:00")
    doc = cardguard("incident", "export", "--json").json()
    assert doc["kind"] == "lost-or-stolen" and doc["steps"][0]["id"] == "call-lost"
    assert cardguard("services", "export", "--json").json() == {"cards": [], "services": []}
    refused = cardguard("serve", "--host", "0.0.0.0", "--json")
    assert refused.code != 0 and refused.json()["error"]["code"] == "error.needs_passphrase"
