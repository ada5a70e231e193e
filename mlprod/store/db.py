"""Opening the database: SQLite (WAL, busy timeout, foreign keys) or PostgreSQL, migrated on open.

A SQLite file is refused when empty (0 bytes) or damaged, with what to do; a new one is created
whole under a temporary name and linked into place, so no process ever sees it half-made; and an
existing one is copied into ``backups/`` beside it before any migration changes its tables.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DatabaseError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from mlprod.errors import StoreError
from mlprod.store.backup import backup_before_migration, damaged, is_damage, refuse_empty, sqlite_file

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


def _pending(cfg: Any, engine: Engine) -> tuple[set[str], set[str]]:
    """The revisions the database is at, and the heads the migrations lead to."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    with engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
    return current, set(ScriptDirectory.from_config(cfg).get_heads())


def migrate(engine: Engine, backup_file: Path | None = None) -> None:
    """Bring the schema to the newest migration (a no-op when it is there already).

    ``backup_file``: the SQLite file to copy (store.backup) before migrating tables that hold data.
    """
    from alembic import command
    from alembic.config import Config
    from alembic.util.exc import CommandError

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    current, heads = _pending(cfg, engine)
    if current == heads:
        return
    if backup_file is not None and current:
        backup_before_migration(backup_file)
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "heads")  # feature branches may each add a head
    except CommandError as err:
        raise StoreError(f"database {engine.url.render_as_string(hide_password=True)}: its tables are at"
                         f" a version this mlprod does not know ({err}) — a newer mlprod wrote it: upgrade"
                         " mlprod on this machine") from err


def _create_whole(path: Path) -> None:
    """A new SQLite database, migrated under a temporary name then linked into place: another process
    opening ``path`` meanwhile sees no file, or the whole database; never an empty one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.new")
    engine = make_engine(f"sqlite:///{tmp}")
    try:
        migrate(engine)
        engine.dispose()  # the last connection checkpoints the WAL into the file and removes it
        with contextlib.suppress(FileExistsError):  # another process made it first: theirs stands
            os.link(tmp, path)
    finally:
        engine.dispose()
        for leftover in (tmp, tmp.with_name(tmp.name + "-wal"), tmp.with_name(tmp.name + "-shm")):
            leftover.unlink(missing_ok=True)


@dataclass
class Database:
    engine: Engine
    sessions: sessionmaker[Session]

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Session]:
        """One logical write: committed whole, or rolled back whole."""
        try:
            with self.sessions.begin() as session:
                yield session
        except DatabaseError as err:
            path = sqlite_file(self.engine.url.render_as_string(hide_password=False))
            if path is not None and is_damage(err):
                raise damaged(path, err) from err
            raise

    def close(self) -> None:
        self.engine.dispose()


def open_database(url: str) -> Database:
    """Open (creating and migrating as needed) the database at ``url``."""
    shown = url.split("@")[-1]  # never print a password
    path = sqlite_file(url)
    try:
        if path is not None:
            refuse_empty(path)
            if not path.exists():
                _create_whole(path)
        engine = make_engine(url)
        migrate(engine, path)
    except ModuleNotFoundError as err:
        raise StoreError(f"database {shown}: driver missing ({err.name}) — install mlprod[postgres]") from err
    except DatabaseError as err:
        if path is not None and is_damage(err):
            raise damaged(path, err) from err
        if isinstance(err, OperationalError):
            raise StoreError(f"database {shown}: cannot open it ({err.orig}) — check MLPROD_DATABASE_URL"
                             " or that the server is running") from err
        raise StoreError(f"database {shown}: {err} — check MLPROD_DATABASE_URL") from err
    except SQLAlchemyError as err:
        raise StoreError(f"database {shown}: {err} — check MLPROD_DATABASE_URL") from err
    return Database(engine, sessionmaker(engine, expire_on_commit=False))
