"""The SQLite database file's safety: refused when empty or damaged, copied whole and consistent.

Copies go through SQLite's online backup API in one step: it reads a single snapshot while other
mlprod processes keep writing (WAL lets them), so the copy is what the database held at one moment,
never a mix. Each copy is written to a temporary name, checked with ``PRAGMA quick_check``, turned
into a single self-contained file (rollback journal, no ``-wal`` beside it), then renamed: a crash
leaves no half copy. mlprod copies the database before every schema migration into ``backups/``
beside it, and ``mlprod db backup`` makes one on demand.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from mlprod.clock import PARIS
from mlprod.errors import StoreError

log = logging.getLogger(__name__)
BACKUPS = "backups"
BUSY_TIMEOUT_S = 10.0
_DAMAGED = {"SQLITE_CORRUPT", "SQLITE_NOTADB"}


def sqlite_file(url: str) -> Path | None:
    """The database file a ``sqlite:///…`` URL names; None for PostgreSQL and in-memory databases."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def backups_dir(path: Path) -> Path:
    return path.parent / BACKUPS


def is_damage(err: BaseException) -> bool:
    """Whether SQLite said the file is not a database or is corrupt (``err`` or what it wraps)."""
    cause: BaseException | None = getattr(err, "orig", None) or err
    return getattr(cause, "sqlite_errorname", None) in _DAMAGED


def damaged(path: Path, err: BaseException | str) -> StoreError:
    said = getattr(err, "orig", None) or err
    return StoreError(
        f"database {path}: the file is damaged (SQLite says: {said}), mlprod cannot read it — stop"
        " mlprod, move the damaged file away (keep it: figures may be recovered from it), and copy the"
        f" newest backup in its place: mlprod's own copies before each upgrade are in {backups_dir(path)},"
        " and those made with `mlprod db backup` where you put them"
    )


def refuse_empty(path: Path) -> None:
    """A zero-byte file is not a new database: mlprod never leaves one (new databases are created
    whole, see store.db), so it is a copy or a restore that went wrong, and starting afresh would
    forget every publication (and publish again what the channel has)."""
    wal = path.with_name(path.name + "-wal")
    if path.is_file() and path.stat().st_size == 0 and not (wal.is_file() and wal.stat().st_size):
        raise StoreError(
            f"database {path}: the file is empty (0 bytes): it holds none of this workspace's builds,"
            " publications or figures — if you copied the workspace, copy this file again, whole; to"
            f" restore, copy a backup in its place (mlprod's own are in {backups_dir(path)}); to start"
            " a new database on purpose, delete the empty file and run the command again"
        )


@dataclass(frozen=True)
class BackupResult:
    source: Path
    path: Path
    size_bytes: int

    @property
    def restore_hint(self) -> str:
        wal, shm = (self.source.with_name(self.source.name + side).name for side in ("-wal", "-shm"))
        return (f"To restore it: stop mlprod, delete {wal} and {shm} beside {self.source} if they are"
                f" there, and copy {self.path.name} over {self.source}.")


def _open_source(path: Path) -> sqlite3.Connection:
    if not path.is_file():
        raise StoreError(f"database {path}: no such file — nothing to copy yet (mlprod creates it with"
                         " the first command that records something)")
    refuse_empty(path)
    # mode=rw: never create the file; the busy timeout waits out a writer's checkpoint
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, timeout=BUSY_TIMEOUT_S)


def copy_database(source: Path, target: Path) -> BackupResult:
    """Copy the SQLite database ``source`` to ``target`` (which must not exist), consistently."""
    if target.exists():
        raise StoreError(f"{target}: already exists — choose another file name, or delete it first")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        src = _open_source(source)
        try:
            with contextlib.closing(sqlite3.connect(tmp)) as dst:
                src.backup(dst)  # pages=-1: one step, one snapshot of the source
                dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
                check = dst.execute("PRAGMA quick_check").fetchall()
        except sqlite3.DatabaseError as err:
            if is_damage(err):
                raise damaged(source, err) from err
            raise StoreError(f"database {source}: cannot copy it ({err}) — check the disk and retry") from err
        finally:
            src.close()
        if [tuple(row) for row in check] != [("ok",)]:
            first = "; ".join(str(row[0]) for row in check[:3])
            raise damaged(source, f"the copy fails SQLite's integrity check: {first}")
        with open(tmp, "rb") as done:
            os.fsync(done.fileno())
        tmp.replace(target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        for side in ("-journal", "-wal", "-shm"):
            tmp.with_name(tmp.name + side).unlink(missing_ok=True)
        raise
    return BackupResult(source, target, target.stat().st_size)


def _stamp(now: dt.datetime | None = None) -> str:
    return (now or dt.datetime.now(dt.UTC)).astimezone(PARIS).strftime("%Y%m%d-%H%M%S")


def default_backup_path(path: Path, now: dt.datetime | None = None) -> Path:
    return backups_dir(path) / f"{path.stem}-{_stamp(now)}.db"


def backup_database(url: str, target: Path | None = None) -> BackupResult:
    """``mlprod db backup``: copy the SQLite database at ``url`` to ``target`` (a file, or a folder
    to put a dated copy in; default: ``backups/`` beside the database)."""
    path = sqlite_file(url)
    if path is None:
        shown = url.split("@")[-1]
        raise StoreError(f"database {shown}: `mlprod db backup` copies a SQLite database; this one is"
                         " PostgreSQL — use its own tool, e.g. pg_dump --format=custom --file=mlprod.dump"
                         " DBNAME (on a schedule, with the server's other databases)")
    if target is None:
        target = default_backup_path(path)
    elif target.is_dir():
        target = target / default_backup_path(path).name
    return copy_database(path, target)


def backup_before_migration(path: Path) -> Path:
    """A copy of the database as it was before a schema migration, kept in ``backups/``."""
    target = backups_dir(path) / f"{path.stem}-before-upgrade-{_stamp()}.db"
    while target.exists():  # two upgrades within a second (tests)
        target = target.with_name(target.stem + "-1.db")
    copy_database(path, target)
    log.info("database %s: copied to %s before upgrading its tables", path, target)
    return target
