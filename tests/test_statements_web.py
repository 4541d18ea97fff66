"""The web app's read-only list of proposals found in statements (/statements)."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient

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
    assert "<form" not in page.text  # read-only: accepting is `statements accept`
    assert not any(word in page.text for word in kit.BANK_WORDS)
    assert "default-src 'none'" in page.headers["content-security-policy"]
