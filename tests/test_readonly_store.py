"""The paths that only look at the holder's cards (check, contacts, the web's check) never create a
database and never run migrations, yet read the cards and aliases once a registry exists."""

from __future__ import annotations

import os
import json
import sqlite3

import pytest
from alembic.script import ScriptDirectory
from fastapi.testclient import TestClient
from sqlalchemy import create_engine

from cardguard.store.db import alembic_config, migrate
from cardguard.store.read import head_revision
from mailkit import message
from pg import fresh_database, postgres_server

ALIAS = "amex.7f3k@icloud.com"


def files_in(folder):
    return sorted(p.name for p in folder.rglob("*")) if folder.exists() else []


def test_head_revision_is_alembics():
    with create_engine("sqlite://").connect() as connection:
        assert head_revision() == ScriptDirectory.from_config(alembic_config(connection)).get_current_head()


def test_check_and_contacts_in_a_fresh_profile_create_nothing(cardguard, profile, tmp_path):
    mail = tmp_path / "mail.eml"
    mail.write_bytes(message())
    for args in (["check", "--offline", str(mail), "--json"], ["check", "--offline", "--card", "amex", str(mail)],
                 ["contacts", "--card", "amex", "--json"], ["contacts", "--card", "my card"]):
        run = cardguard(*args)
        assert run.code in (0, 1, 2), run.err  # 2: "my card" is neither registered nor a product
        assert "Traceback" not in run.err
    assert files_in(profile / "data") == []


def test_web_check_creates_no_database(profile):
    from cardguard.web.app import create_app

    client = TestClient(create_app(), base_url="http://127.0.0.1")
    token = client.get("/check").text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    response = client.post("/check", data={"csrf": token, "offline": "1"},
                           files={"file": ("mail.eml", message(), "message/rfc822")})
    assert response.status_code == 200 and "American Express" in response.text
    assert files_in(profile / "data") == []


@pytest.fixture
def registered(cardguard):
    assert cardguard("cards", "add", "--nickname", "メインのアメックス", "--product", "amex", "--last4", "1005",
                     "--alias", ALIAS, "--back-number", "0120-020120").code == 0
    return cardguard


def codes(run) -> set[str]:
    return {f["code"] for f in run.json()["findings"]}


def test_check_and_contacts_read_the_registry(registered, profile, tmp_path):
    db = profile / "data" / "cardguard.db"
    before = db.stat().st_mtime_ns
    to_alias, to_other = tmp_path / "alias.eml", tmp_path / "other.eml"
    to_alias.write_bytes(message(to=ALIAS))
    to_other.write_bytes(message(to="someone@example.com"))
    assert "recipient.alias_match" in codes(registered("check", "--offline", str(to_alias), "--json"))
    assert "recipient.other_address" in codes(registered("check", "--offline", str(to_other), "--json"))
    lines = registered("contacts", "--card", "メインのアメックス", "--purpose", "fraud", "--json").json()["calls"]
    assert lines[0]["printed_on_card"] and lines[0]["number"] == "0120-020120"
    assert db.stat().st_mtime_ns == before


def test_an_older_database_is_upgraded_then_read(cardguard, profile):
    db = profile / "data" / "cardguard.db"
    migrate(create_engine(f"sqlite:///{db}"), "0001")
    with sqlite3.connect(db) as connection:
        connection.execute("INSERT INTO cards (issuer, product, nickname, last4, status, alias_email, back_number, "
                           "created_at, updated_at) VALUES ('amex-jp', 'amex', 'old card', '1005', 'active', NULL, "
                           "'0120-020120', '2025-01-01', '2025-01-01')")
    lines = cardguard("contacts", "--card", "old card", "--purpose", "fraud", "--json").json()["calls"]
    assert lines[0]["printed_on_card"] and lines[0]["number"] == "0120-020120"
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchone()[0] == head_revision()


def test_a_locked_database_is_a_clear_error_when_only_looking(registered, profile, tmp_path):
    mail = tmp_path / "mail.eml"
    mail.write_bytes(message(to=ALIAS))
    db = sqlite3.connect(profile / "data" / "cardguard.db", timeout=1)
    db.execute("PRAGMA journal_mode = DELETE")
    db.execute("BEGIN EXCLUSIVE")
    try:
        run = registered("check", "--offline", str(mail), "--json")
    finally:
        db.rollback()
        db.close()
    assert run.code != 0 and "Traceback" not in run.err
    assert json.loads(run.out)["error"]["code"] == "error.db_locked"


def test_postgresql_registry_is_read_without_migrating(cardguard, tmp_path):
    with postgres_server() as server:
        url = fresh_database(server)
        env = {"CARDGUARD_DATABASE_URL": url}
        assert cardguard("cards", "add", "--nickname", "pg card", "--product", "amex", "--last4", "1111",
                         "--alias", ALIAS, env=env).code == 0
        mail = tmp_path / "mail.eml"
        mail.write_bytes(message(to=ALIAS))
        assert "recipient.alias_match" in codes(cardguard("check", "--offline", str(mail), "--json", env=env))


def test_a_database_from_a_newer_cardguard_is_a_clear_error_and_left_as_it_is(registered, profile, tmp_path):
    """A holder who ran a newer cardguard (another checkout, an upgrade undone) and then this one:
    Alembic's own "Can't locate revision" used to reach them as an internal error."""
    db = profile / "data" / "cardguard.db"
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    def content():
        with sqlite3.connect(db) as connection:
            return list(connection.iterdump())

    written = content()
    mail = tmp_path / "mail.eml"
    mail.write_bytes(message(to=ALIAS))
    for args in (["cards", "list"], ["contacts", "--card", "メインのアメックス"], ["check", "--offline", str(mail)]):
        run = registered(*args, "--json")
        assert run.code not in (0, 1), args
        error = run.json()["error"]
        assert error["code"] == "error.db_newer" and "9999" in error["message"] and "newer version" in error["message"], args
        assert "Traceback" not in run.err
        japanese = registered(*args, "--lang", "ja")
        assert "新しいバージョンの cardguard" in japanese.err + japanese.out, args
    assert content() == written


def test_a_store_at_the_newest_migration_opens_without_the_migration_machinery(registered, profile):
    # `cards list` opens the store as every writer does; with nothing to upgrade, Alembic (a sixth of
    # a second to load) is never imported. An older database still upgrades (the test above).
    import subprocess
    import sys

    program = ("import sys\nfrom cardguard.cli import main\nsys.argv = ['cardguard', 'cards', 'list', '--json']\n"
               "try:\n    main()\nexcept SystemExit as done:\n    assert not done.code, done.code\n"
               "print('alembic' in sys.modules, file=sys.stderr)\n")
    run = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, env={**os.environ})
    assert run.returncode == 0, run.stderr
    assert "メインのアメックス" in run.stdout and run.stderr.strip().endswith("False")
