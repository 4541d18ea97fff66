"""What a new holder found on a fresh profile, around services: the same service typed twice, and a
re-import of cardguard's own export writing one row's values into another service."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cardguard.directory import load_directory
from cardguard.errors import UserError
from cardguard.store.db import Store
from cardguard.store.models import Service
from cardguard.wallet import registry
from cardguard.wallet.csvio import export_csv, import_services
from cardguard.wallet.render import service_json

JA = {"accept-language": "ja-JP,ja;q=0.9"}


@pytest.fixture
def with_card(cardguard):
    assert cardguard("cards", "add", "--nickname", "amex", "--product", "amex", "--last4", "1005").code == 0
    return cardguard


# ------------------------------------------------------------------------------ the same service twice

def test_the_same_service_on_the_same_card_twice_is_refused_in_both_languages(with_card):
    assert with_card("services", "add", "Netflix", "--card", "1005", "--amount", "¥1,490").code == 0
    again = with_card("services", "add", "ＮＥＴＦＬＩＸ ", "--card", "1005", "--lang", "ja")
    assert again.code != 0 and "Traceback" not in again.err
    assert "すでに登録されています" in again.err and "****1005" in again.err and "#1" in again.err
    assert "--allow-duplicate" in again.err and "何も保存していません" in again.err
    english = with_card("services", "add", "netflix", "--card", "1005", "--lang", "en", "--json")
    assert english.code != 0
    error = __import__("json").loads(english.out)["error"]
    assert error["code"] == "error.service_duplicate" and "already registered" in error["message"]
    assert len(with_card("services", "list", "--json").json()) == 1

    # Another card, or no card at all, is another service; a second subscription is possible when said.
    assert with_card("services", "add", "Netflix").code == 0
    assert with_card("services", "add", "Netflix", "--card", "1005", "--allow-duplicate").code == 0
    assert len(with_card("services", "list", "--json").json()) == 3


def test_an_edit_that_would_make_a_twin_is_refused_too(with_card):
    assert with_card("services", "add", "Netflix", "--card", "1005").code == 0
    assert with_card("services", "add", "Hulu", "--card", "1005").code == 0
    renamed = with_card("services", "edit", "Hulu", "--name", "netflix", "--lang", "en")
    assert renamed.code != 0 and "already registered" in renamed.err
    assert [s["name"] for s in with_card("services", "list", "--json").json()] == ["Netflix", "Hulu"]
    # Editing a service's other fields is never a duplicate of itself.
    assert with_card("services", "edit", "Netflix", "--amount", "1490").code == 0


def test_the_reissue_checklist_lists_a_service_typed_twice_once(with_card):
    assert with_card("services", "add", "Netflix", "--card", "1005").code == 0
    assert with_card("services", "add", "Netflix", "--card", "1005").code != 0
    checklist = with_card("reissue", "amex", "--last4", "2008", "--json").json()["checklist"]
    assert [item["title"] for item in checklist["items"]] == ["Netflix"]


@pytest.fixture
def client(profile):
    from cardguard.web.app import create_app

    return TestClient(create_app(), base_url="http://127.0.0.1", raise_server_exceptions=False)


def _csrf(client) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', client.get("/cards", headers=JA).text).group(1)


def test_the_web_form_asks_before_adding_the_same_service_twice(client):
    token = _csrf(client)
    assert client.post("/cards", data={"csrf": token, "nickname": "amex", "last4": "1005"}, headers=JA,
                       follow_redirects=False).status_code == 303
    form = {"csrf": token, "name": "Netflix", "card": "1005", "holds_card_as": "typed"}
    assert client.post("/services", data=form, headers=JA, follow_redirects=False).status_code == 303
    again = client.post("/services", data=form, headers=JA, follow_redirects=False)
    assert again.status_code == 400
    assert "すでに登録されています" in again.text and "同じ名前でも追加する" in again.text
    assert "--allow-duplicate" not in again.text
    # The form is shown again as typed, the choice offered in words, not codes.
    assert re.search(r'<option value="typed" selected>カード番号を入力して登録</option>', again.text)
    page = client.get("/cards", headers=JA).text
    assert page.count("<strong>Netflix</strong>") == 1
    assert ">unknown<" not in page and ">typed<" not in page and ">wallet<" not in page
    anyway = client.post("/services", data={**form, "allow_duplicate": "1"}, headers=JA, follow_redirects=False)
    assert anyway.status_code == 303
    assert client.get("/cards", headers=JA).text.count("<strong>Netflix</strong>") == 2


# ------------------------------------------------------------------ export, then import: nothing changes

def test_reimporting_an_export_never_writes_one_rows_values_into_another_service(with_card, tmp_path):
    """The newuser's file: two Netflix on one card, one with a next charge and a currency, one without.
    Importing the export (with or without its id column) must leave both as they were."""
    with_card("services", "add", "Netflix", "--card", "1005", "--amount", "1490", "--currency", "JPY",
              "--next-charge", "2026-12-05", "--updated-on", "2026-11-30")
    with_card("services", "add", "Amazon", "--card", "1005")
    with_card("services", "add", "Netflix", "--card", "1005", "--amount", "1490", "--allow-duplicate")
    before = with_card("services", "list", "--all", "--json").json()
    for lang in ("ja", "en"):
        path = tmp_path / f"services-{lang}.csv"
        assert with_card("services", "export", "-o", str(path), "--lang", lang).code == 0
        run = with_card("services", "import", str(path), "--json", "--lang", lang)
        assert run.code == 0, run.err
        assert (run.json()["added"], run.json()["updated"], run.json()["unchanged"]) == (0, 0, 3)
        assert with_card("services", "list", "--all", "--json").json() == before
        # An export from before the id column: the rows are told apart by what they hold, or refused.
        rows = list(csv.reader(io.StringIO(path.read_text("utf-8-sig"))))
        older = tmp_path / f"older-{lang}.csv"
        older.write_text("\n".join(",".join(row[:-1]) for row in rows), "utf-8")
        assert with_card("services", "import", str(older)).code == 0
        assert with_card("services", "list", "--all", "--json").json() == before


def test_a_row_that_cannot_say_which_of_two_services_it_is_is_refused(with_card, tmp_path):
    with_card("services", "add", "Netflix", "--card", "1005")
    with_card("services", "add", "Netflix", "--card", "1005", "--allow-duplicate")
    path = tmp_path / "s.csv"
    path.write_text("サービス名,カード,金額\nNetflix,1005,1490\n", "utf-8")
    run = with_card("services", "import", str(path), "--lang", "ja")
    assert run.code != 0 and "#1, #2" in run.err and "ID の列" in run.err
    assert [s["amount"] for s in with_card("services", "list", "--json").json()] == [None, None]


def test_the_export_says_its_values_in_the_readers_words_and_they_import_back(with_card, tmp_path):
    with_card("services", "add", "Netflix", "--card", "1005", "--cycle", "monthly", "--holds", "wallet")
    path = tmp_path / "s.csv"
    with_card("services", "export", "-o", str(path), "--lang", "ja")
    text = path.read_text("utf-8-sig")
    assert "毎月" in text and "ウォレット" in text and "利用中" in text
    assert not re.search(r"\b(monthly|wallet|active|unknown|typed)\b", text)
    english = with_card("services", "export", "--lang", "en").out
    assert "monthly" in english and "wallet" in english


# A name alphabet small enough that services share names, and so keys (name, card), often.
names = st.sampled_from(["Netflix", "netflix", "ＮＥＴＦＬＩＸ", "Hulu", "U-NEXT", "=cmd", "-500", "Apple Pay"])
services = st.lists(st.fixed_dictionaries({
    "name": names,
    "card": st.sampled_from([None, "1005", "2008"]),
    "amount": st.one_of(st.none(), st.decimals(min_value=0, max_value=99999, places=2).map(str)),
    "currency": st.sampled_from([None, "JPY", "USD"]),
    "next_charge": st.one_of(st.none(), st.dates(date(2020, 1, 1), date(2035, 12, 31)).map(str)),
    "card_updated_on": st.one_of(st.none(), st.dates(date(2020, 1, 1), date(2026, 1, 1)).map(str)),
    "billing_cycle": st.sampled_from([None, "monthly", "yearly", "half-yearly", "one-off", "unknown"]),
    "holds_card_as": st.sampled_from([None, "typed", "wallet"]),
    "notes": st.sampled_from([None, "+81 3", "メモ", "@home"]),
    "cancelled": st.booleans(),
}), max_size=8)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(generated=services, lang=st.sampled_from(["ja", "en"]), drop_ids=st.booleans())
def test_export_then_import_changes_nothing(tmp_path_factory, generated, lang, drop_ids):
    store = Store(f"sqlite:///{tmp_path_factory.mktemp('roundtrip') / 'r.db'}")
    try:
        with store.session() as session:
            directory = load_directory(with_user_files=False)
            registry.add_card(session, directory, {"nickname": "old", "last4": "1005"})
            registry.add_card(session, directory, {"nickname": "new", "last4": "2008"})
            for entry in generated:
                raw = {k: val for k, val in entry.items() if k != "cancelled"}
                service = registry.add_service(session, raw, allow_duplicate=True)
                if entry["cancelled"]:
                    service.status = "cancelled"
        with store.session() as session:
            before = [service_json(s) for s in session.query(Service).order_by(Service.id)]
            data = export_csv(list(session.query(Service).order_by(Service.id)), lang)
        if drop_ids:
            rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
            out = io.StringIO()
            csv.writer(out).writerows(row[:-1] for row in rows)
            data = out.getvalue().encode()
        try:
            with store.session() as session:
                result = import_services(session, data, lang=lang)
            assert result.added == result.updated == 0, result.rows
        except UserError as error:
            # Without ids, twins whose rows differ cannot be told apart: refused, and nothing written.
            assert drop_ids and error.key == "error.import_invalid", error.key
        with store.session() as session:
            after = [service_json(s) for s in session.query(Service).order_by(Service.id)]
        assert after == before
    finally:
        store.close()


def test_the_web_export_is_in_the_readers_language_and_imports_back_unchanged(client):
    token = _csrf(client)
    client.post("/cards", data={"csrf": token, "nickname": "amex", "last4": "1005"}, headers=JA)
    form = {"csrf": token, "name": "Netflix", "card": "1005", "amount": "1490", "holds_card_as": "wallet"}
    client.post("/services", data=form, headers=JA)
    client.post("/services", data={**form, "amount": "", "allow_duplicate": "1"}, headers=JA)
    exported = client.get("/services/export.csv", headers=JA).content
    assert "サービス名" in exported.decode("utf-8-sig") and "ウォレット" in exported.decode("utf-8-sig")
    before = client.get("/cards", headers=JA).text
    again = client.post("/services/import", data={"csrf": token}, headers=JA,
                        files={"file": ("s.csv", exported, "text/csv")}, follow_redirects=False)
    assert again.status_code == 303
    assert client.get("/services/export.csv", headers=JA).content == exported
    assert client.get("/cards", headers=JA).text == before
