"""Opening the database: SQLite (WAL, busy timeout, foreign keys) or PostgreSQL, migrated on open.

A SQLite file is refused when empty (0 bytes) or damaged, with what to do; a new one is created
whole under a temporary name and linked into place, so no process ever sees it half-made; and an
existing one is copied into ``backups/`` beside it before any migration changes its tables.

Every session is bound to one site (:mod:`mlprod.store.sites`): a command sees and writes its own
site's records only. The regional report alone opens the database over every site, read-only.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.exc import DatabaseError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from mlprod.errors import StoreError
from mlprod.site_names import DEFAULT_SITE, check_site_name
from mlprod.store.backup import backup_before_migration, damaged, is_damage, refuse_empty, sqlite_file
from mlprod.store.sites import SiteBinding, bind_sessions, site_models

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
    """The database as one site sees it (``site``), or as the regional report reads it: every site,
    read-only (``site`` None)."""

    engine: Engine
    sessions: sessionmaker[Session]
    site: str | None = DEFAULT_SITE
    read_only: bool = False
    owns_engine: bool = True

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
        if self.owns_engine:
            self.engine.dispose()

    def sites(self) -> list[str]:
        """The sites that hold records (only the regional report, over every site, may ask)."""
        if self.site is not None:
            raise StoreError(f"database: site {self.site!r} cannot list the other sites — only"
                             " `mlprod report --network` reads every site")
        import mlprod.store.models  # noqa: F401 - every model that holds sites' records, known

        found: set[str] = set()
        with self.transaction() as session:
            for model in site_models():
                found.update(session.scalars(select(model.site).distinct()))
        return sorted(found)

    def for_site(self, site: str) -> Database:
        """One site's records, read-only, on the same connection pool (regional report only)."""
        if self.site is not None:
            raise StoreError(f"database: site {self.site!r} cannot open another site's records")
        return _bound(self.engine, SiteBinding(site, read_only=True), owns_engine=False)


def _bound(engine: Engine, binding: SiteBinding, *, owns_engine: bool = True) -> Database:
    sessions = sessionmaker(engine, expire_on_commit=False)
    bind_sessions(sessions, binding)
    return Database(engine, sessions, binding.site, binding.read_only, owns_engine)


def open_database(url: str, site: str = DEFAULT_SITE, *, every_site: bool = False) -> Database:
    """Open (creating and migrating as needed) the database at ``url``, bound to ``site``.

    ``every_site``: read every site's records, read-only (`mlprod report --network`); ``site`` is
    then ignored.
    """
    binding = SiteBinding(None, read_only=True) if every_site else SiteBinding(check_site_name(site, "site"))
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
    return _bound(engine, binding)
