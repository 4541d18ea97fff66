"""The database: migrations that create and upgrade without loss, on SQLite and a real PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text

from cardguard.store.db import Store, alembic_config, migrate
from cardguard.store.models import Base
from pg import fresh_database, postgres_server


def revisions() -> list[str]:
    engine = create_engine("sqlite://")
    with engine.connect() as connection:
        script = ScriptDirectory.from_config(alembic_config(connection))
        return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def test_migrations_from_empty_match_the_models(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'new.db'}")
    with store.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []
    assert {"cards", "services", "checklists", "checklist_items", "alembic_version"} <= store.tables()
    mode = store.engine.connect().exec_driver_sql("PRAGMA journal_mode").scalar()
    assert mode == "wal"


SAMPLE = [
    "INSERT INTO cards (id, issuer, product, nickname, last4, status, created_at, updated_at) "
    "VALUES (1, 'amex-jp', 'amex', 'main', '1005', 'active', '2024-01-01 00:00:00', '2024-01-01 00:00:00')",
    "INSERT INTO services (id, name, card_id, billing_cycle, holds_card_as, status, created_at, updated_at) "
    "VALUES (1, 'Netflix', 1, 'monthly', 'typed', 'active', '2024-01-01 00:00:00', '2024-01-01 00:00:00')",
]


@pytest.mark.parametrize("previous", revisions())
def test_upgrading_a_database_made_by_an_earlier_revision_keeps_its_data(tmp_path, previous):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(url)
    migrate(engine, previous)
    with engine.begin() as connection:
        for statement in SAMPLE:
            connection.execute(text(statement))
    engine.dispose()
    store = Store(url)  # opening upgrades to the newest revision
    with store.engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == revisions()[-1]
        assert connection.execute(text("SELECT nickname, last4 FROM cards")).all() == [("main", "1005")]
        assert connection.execute(text("SELECT name, card_id FROM services")).all() == [("Netflix", 1)]


@pytest.fixture(scope="module")
def postgres():
    with postgres_server() as url:
        yield url


def test_postgresql_migrations_and_the_reissue_flow(postgres, cardguard):
    url = fresh_database(postgres)
    store = Store(url)
    with store.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    store.close()
    env = {"CARDGUARD_DATABASE_URL": url}
    assert cardguard("cards", "add", "--nickname", "pg card", "--product", "amex-gold", "--last4", "1111",
                     env=env).code == 0
    assert cardguard("services", "add", "Netflix", "--card", "1111", "--amount", "1490", "--next-charge",
                     "2025-12-05", env=env).code == 0
    run = cardguard("reissue", "1111", "--last4", "2222", "--json", env=env)
    assert run.code == 0, run.err
    assert run.json()["checklist"]["progress"] == {"done": 0, "total": 1}
    item = run.json()["checklist"]["items"][0]["id"]
    assert cardguard("reissue", "mark", str(item), "updated", env=env).code == 0
    (service,) = cardguard("services", "list", "--json", env=env).json()
    assert service["card"]["last4"] == "2222" and service["amount"] == "1490.00"


def test_unreachable_postgresql_is_a_clear_error(cardguard):
    run = cardguard("cards", "list", env={"CARDGUARD_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none"})
    assert run.code != 0 and "Cannot open the database" in run.err and "Traceback" not in run.err
