"""The web app's list of proposals found in statements (/statements), and accepting one there as
`statements accept` does: the same core function, the same CSRF guard as every other form."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from fastapi.testclient import TestClient

import re

import pytest

import statementkit as kit
from cardguard.directory import load_directory
from cardguard.statements.ledger import import_statements
from cardguard.statements.parse import parse_statement
from cardguard.store.db import Store
from cardguard.wallet import registry
from cardguard.web.app import create_app


def test_statements_page_lists_proposals_with_their_evidence_and_changes_nothing(profile):
    client = TestClient(create_app(), base_url="http://127.0.0.1")
    empty = client.get("/statements?lang=en")
    assert empty.status_code == 200 and "No open proposals" in empty.text
    store = Store()
    with store.session() as session:
        card = registry.add_card(session, load_directory(), {"nickname": "イオン", "last4": "4649"})
        files = [(f"aeon{m}.csv", parse_statement(kit.aeon([(date(2026, m, 20), "Ｕ－ＮＥＸＴ", 2189)]))) for m in (1, 2, 3)]
        import_statements(session, card, files)
    store.close()
    page = client.get("/statements?lang=ja")
    assert page.status_code == 200 and "利用明細から" in page.text
    assert "Ｕ－ＮＥＸＴ" in page.text and "2026-01-20, 2026-02-20, 2026-03-20" in page.text and "毎月" in page.text
    # Only accepting changes anything, and only by its own form (below); the page itself changes nothing.
    assert page.text.count("<form") == 1 and 'action="/statements/1/accept"' in page.text
    assert not any(word in page.text for word in kit.BANK_WORDS)
    # The import command the page names runs as written (its FILE and CARD filled in), not in Markdown ticks.
    from test_mail_web import _parses

    assert "`" not in page.text.split("<main", 1)[1]
    assert page.text.count("cardguard statements import FILE --card CARD") == 1
    _parses("cardguard statements import FILE --card CARD", {"FILE": "march.csv", "CARD": "4649"})
    assert "default-src 'none'" in page.headers["content-security-policy"]


JA = {"accept-language": "ja"}


@pytest.fixture
def found(profile):
    """A card whose three statements show U-NEXT monthly: proposal #1, open."""
    store = Store()
    with store.session() as session:
        card = registry.add_card(session, load_directory(), {"nickname": "イオン", "last4": "4649"})
        files = [(f"aeon{m}.csv", parse_statement(kit.aeon([(date(2026, m, 20), "Ｕ－ＮＥＸＴ", 2189)]))) for m in (1, 2, 3)]
        import_statements(session, card, files)
        card_id = card.id
    store.close()
    client = TestClient(create_app(), base_url="http://127.0.0.1")
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/statements", headers=JA).text).group(1)
    return client, token, card_id


def _services():
    from cardguard.store.models import Service

    store = Store()
    with store.session() as session:
        out = [(s.name, s.card_id, s.billing_cycle, s.amount) for s in session.scalars(select(Service).order_by(Service.id))]
    store.close()
    return out


def test_accepting_on_the_page_adds_the_service_on_its_card_as_statements_accept_does(found):
    client, token, card_id = found
    answer = client.post("/statements/1/accept", data={"csrf": token}, headers=JA, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/statements#proposal-1"
    assert _services() == [("Ｕ－ＮＥＸＴ", card_id, "monthly", 2189)]
    page = client.get("/statements", headers=JA).text
    assert 'data-status="accepted"' in page and "登録済み" in page
    assert "<form" not in page  # accepted: nothing left to press
    assert "サービス #1" in page
    # Pressed again (a second tab, a double tap): the core's "already", never a second service.
    again = client.post("/statements/1/accept", data={"csrf": token}, headers={**JA, "hx-request": "true"})
    assert again.status_code == 200 and "すでにサービス #1 として登録済みです" in again.text
    assert len(_services()) == 1


def test_on_a_phone_the_row_is_replaced_by_what_was_done_in_japanese(found):
    client, token, card_id = found
    answer = client.post("/statements/1/accept", headers={**JA, "hx-request": "true", "x-csrf-token": token})
    assert answer.status_code == 200
    assert answer.text.lstrip().startswith('<li class="proposal" id="proposal-1"')
    assert "#1 Ｕ－ＮＥＸＴ：イオン ****4649 のサービス #1 として登録しました" in answer.text
    assert "<form" not in answer.text


def test_a_service_of_the_same_name_is_linked_not_duplicated(found):
    client, token, card_id = found
    store = Store()
    with store.session() as session:
        registry.add_service(session, {"name": "U-NEXT", "card": "4649"})
    store.close()
    page = client.get("/statements", headers=JA).text
    assert "サービス #1 U-NEXT に結び付ける" in page
    answer = client.post("/statements/1/accept", headers={**JA, "hx-request": "true", "x-csrf-token": token})
    assert "結び付けました（追加はしていません）" in answer.text
    assert [name for name, *_ in _services()] == ["U-NEXT"]


@pytest.mark.parametrize("how", ["no token", "wrong token", "other site"])
def test_without_the_pages_token_nothing_is_accepted(found, how):
    client, token, _ = found
    data, headers = {"csrf": token}, dict(JA)
    if how == "no token":
        data = {}
    elif how == "wrong token":
        data = {"csrf": token[:-2] + "xx"}
    else:
        headers["origin"] = "http://evil.example"
    answer = client.post("/statements/1/accept", data=data, headers=headers, follow_redirects=False)
    assert answer.status_code == 403
    assert _services() == []
    assert "<form" in client.get("/statements", headers=JA).text  # still open


def test_a_proposal_gone_since_the_page_was_loaded_is_said_in_its_row_in_japanese(found):
    client, token, _ = found
    from cardguard.store.models import StatementProposal

    store = Store()
    with store.session() as session:
        session.delete(session.get(StatementProposal, 1))
    store.close()
    answer = client.post("/statements/1/accept", headers={**JA, "hx-request": "true", "x-csrf-token": token})
    assert answer.status_code == 404
    assert answer.headers["hx-retarget"] == "#proposal-1-error"
    gone = "提案 #1 はもうありません（このページを開いた後に、別の画面かコマンドで変わりました）。ページを再読み込みしてください。"
    assert 'role="alert"' in answer.text and gone in answer.text
    assert "cardguard statements" not in answer.text  # the command line's advice is no use on a phone
    assert _services() == []
    plain = client.post("/statements/1/accept", data={"csrf": token}, headers=JA, follow_redirects=False)
    assert plain.status_code == 404 and gone in plain.text


def test_on_a_phone_a_found_charge_is_accepted_in_place_and_a_stale_one_says_so_in_its_row(tmp_path, monkeypatch):
    import json
    import os
    import subprocess
    import sys

    from playwright.sync_api import expect

    from browserkit import PHONE, chromium, serving, shoot
    from cardguard.store.models import StatementProposal

    home = tmp_path / "home"
    (home / "config").mkdir(parents=True)
    (home / "data").mkdir()
    # This test's Store and the served app read the same profile.
    monkeypatch.setenv("CARDGUARD_CONFIG_DIR", str(home / "config"))
    monkeypatch.setenv("CARDGUARD_DATA_DIR", str(home / "data"))
    monkeypatch.delenv("CARDGUARD_DATABASE_URL", raising=False)
    env = dict(os.environ)
    files = []
    for month in (1, 2, 3):
        path = tmp_path / f"aeon{month}.csv"
        path.write_bytes(kit.aeon([(date(2026, month, 20), "Ｕ－ＮＥＸＴ", 2189), (date(2026, month, 25), "ＤＡＺＮ", 4200)]))
        files.append(str(path))
    for args in (["cards", "add", "--nickname", "イオン", "--last4", "4649"], ["statements", "import", *files, "--card", "4649"]):
        subprocess.run([sys.executable, "-m", "cardguard", *args], env=env, check=True, capture_output=True)
    with serving(home, TZ="UTC") as (base, _), chromium() as browser:
        context = browser.new_context(viewport=PHONE, locale="ja-JP", is_mobile=True, has_touch=True)
        page = context.new_page()
        page.goto(base + "/statements")
        rows = page.locator("li.proposal")
        expect(rows).to_have_count(2)
        first, second = rows.filter(has_text="Ｕ－ＮＥＸＴ"), rows.filter(has_text="ＤＡＺＮ")
        assert first.get_by_role("button").bounding_box()["height"] >= 44  # a thumb's tap target
        page.evaluate("window.__stay = 'same page'")
        first.get_by_role("button", name="イオン ****4649 のサービスとして登録").click()
        expect(first.locator("[role=status]")).to_contain_text("イオン ****4649 のサービス #1 として登録しました")
        expect(first).to_have_attribute("data-status", "accepted")
        expect(first.locator("button")).to_have_count(0)
        assert page.evaluate("window.__stay") == "same page"  # in place, no reload
        # The other proposal goes away behind the page's back: pressing it says so, in its own row.
        store = Store()
        with store.session() as session:
            gone = session.scalars(select(StatementProposal).where(StatementProposal.merchant == "ＤＡＺＮ")).one()
            gone_id = gone.id
            session.delete(gone)
        store.close()
        second.get_by_role("button", name="イオン ****4649 のサービスとして登録").click()
        expect(page.locator(f"#proposal-{gone_id}-error")).to_contain_text(f"提案 #{gone_id} はもうありません")
        expect(page.locator("#flash")).to_be_empty()
        shoot(page, "phone-statements-accept")
        context.close()
    listed = subprocess.run([sys.executable, "-m", "cardguard", "services", "list", "--json"], env=env,
                            capture_output=True, check=True)
    assert [(s["name"], s["amount"]) for s in json.loads(listed.stdout)] == [("Ｕ－ＮＥＸＴ", "2189.00")]
