"""Opening the database: SQLite (WAL) under the user's data dir by default, any SQLAlchemy URL
through CARDGUARD_DATABASE_URL. Migrations run on open, so an older database is upgraded in place.
Database trouble (locked, read-only, unreachable) becomes a message, never a traceback."""

from __future__ import annotations

from contextlib import contextmanager
from importlib import resources
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from cardguard.paths import database_url
from cardguard.errors import UserError


def shown_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a URL that does not even parse is shown as given
        return url


def translate(error: Exception, url: str) -> UserError:
    from cardguard.store.read import database_error

    return database_error(str(getattr(error, "orig", error)), shown_url(url))


def _sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        # A second cardguard (the web app, say) waits briefly instead of failing at once.
        cursor.execute("PRAGMA busy_timeout = 3000")
        cursor.execute("PRAGMA foreign_keys = ON")
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
        except Exception:  # noqa: BLE001 - a read-only file cannot switch mode; reads still work
            pass
        cursor.close()


def alembic_config(connection):
    # Alembic loads only when a store is opened to write: the read-only paths never need it.
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(resources.files("cardguard.store").joinpath("migrations")))
    config.attributes["connection"] = connection
    return config


def migrate(engine: Engine, revision: str = "head", *, where: str | None = None) -> None:
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    with engine.begin() as connection:
        config = alembic_config(connection)
        # A database a newer cardguard wrote is at a revision this one does not ship; Alembic says
        # "Can't locate revision" in its own words. The holder's data is fine: this copy is older.
        known = {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}
        newer = sorted(set(MigrationContext.configure(connection).get_current_heads()) - known)
        if newer:
            raise UserError("error.db_newer", where=where or shown_url(str(engine.url)), revision=", ".join(newer))
        command.upgrade(config, revision)


def _at_head(engine: Engine) -> bool:
    """Whether the database is at the newest migration shipped: then there is nothing to upgrade,
    and Alembic (a sixth of a second to load) stays unloaded, as on the read-only paths."""
    from sqlalchemy import text

    from cardguard.store.read import head_revision

    head = head_revision()
    if head is None:
        return False
    try:
        with engine.connect() as connection:
            versions = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    except SQLAlchemyError:
        return False  # no such table yet: a new database, which migrate creates
    return versions == [head]


class Store:
    def __init__(self, url: str | None = None, *, upgrade: bool = True) -> None:
        self.url = url or database_url()
        parsed = make_url(self.url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        if self.is_sqlite and parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        try:
            self.engine = create_engine(self.url, future=True)
        except (SQLAlchemyError, ImportError, ValueError) as exc:
            raise UserError("error.db_failed", where=shown_url(self.url), reason=str(exc)[:200]) from None
        if self.is_sqlite:
            _sqlite_pragmas(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        if upgrade:
            try:
                if not _at_head(self.engine):
                    migrate(self.engine, where=shown_url(self.url))
            except (OperationalError, SQLAlchemyError) as exc:
                raise translate(exc, self.url) from None

    def tables(self) -> set[str]:
        return set(inspect(self.engine).get_table_names())

    @contextmanager
    def session(self):
        session: Session = self._sessions()
        try:
            yield session
            session.commit()
        except SQLAlchemyError as exc:
            session.rollback()
            raise translate(exc, self.url) from None
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def close(self) -> None:
        self.engine.dispose()
