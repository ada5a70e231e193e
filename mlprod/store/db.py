"""Opening the database: SQLite (WAL, busy timeout, foreign keys) or PostgreSQL, migrated on open."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from mlprod.errors import StoreError

MIGRATIONS = Path(__file__).with_name("migrations")
BUSY_TIMEOUT_MS = 10_000


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_pre_ping=True)


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration (a no-op when it is there already)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "heads")  # feature branches may each add a head


@dataclass
class Database:
    engine: Engine
    sessions: sessionmaker[Session]

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Session]:
        """One logical write: committed whole, or rolled back whole."""
        with self.sessions.begin() as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()


def open_database(url: str) -> Database:
    """Open (creating and migrating as needed) the database at ``url``."""
    shown = url.split("@")[-1]  # never print a password
    try:
        engine = make_engine(url)
        migrate(engine)
    except ModuleNotFoundError as err:
        raise StoreError(f"database {shown}: driver missing ({err.name}) — install mlprod[postgres]") from err
    except OperationalError as err:
        raise StoreError(f"database {shown}: cannot open it ({err.orig}) — check MLPROD_DATABASE_URL"
                         " or that the server is running") from err
    except SQLAlchemyError as err:
        raise StoreError(f"database {shown}: {err} — check MLPROD_DATABASE_URL") from err
    return Database(engine, sessionmaker(engine, expire_on_commit=False))
