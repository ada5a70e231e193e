"""The database's safety: `mlprod db backup` (consistent while mlprod writes), a copy before every
migration, migrations that keep what the tables hold, and clear refusals of an empty or damaged
SQLite file, through the real CLI on real SQLite files (and PostgreSQL where it applies)."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from click.testing import Result
from sqlalchemy import select, text

from mlprod.config import Settings
from mlprod.errors import StoreError
from mlprod.store import open_database
from mlprod.store.db import MIGRATIONS, make_engine
from mlprod.store.models import Invitation, QuotaSpend, Submission, SubmissionFile

OURS = "0006_intake_once"


def database_before(url: str, revision: str) -> None:
    """A database migrated to every revision but ``revision`` and those that need it: what an older
    mlprod left."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    script = ScriptDirectory.from_config(cfg)
    engine = make_engine(url)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        for known in script.walk_revisions():
            ancestors = {r.revision for r in script.revision_map.iterate_revisions(known.revision, "base")}
            if revision not in ancestors:
                command.upgrade(cfg, known.revision)
    engine.dispose()


def _db_file(settings: Settings) -> Path:
    return settings.state_dir / "mlprod.db"


def _spend(settings: Settings, units: int = 1) -> None:
    db = open_database(settings.database_url)
    with db.transaction() as session:
        session.add(QuotaSpend(day=dt.date(2026, 12, 1), method="videos.insert", units=units))
    db.close()


def _rows(path: Path, table: str = "quota_ledger") -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def test_backup_copies_a_consistent_database_while_another_writer_runs(
        run_cli: Callable[..., Result], workspace: Settings, tmp_path: Path) -> None:
    _spend(workspace)
    stop = threading.Event()
    written = [0]

    def writer() -> None:  # another process's connection, as a running `mlprod publish` would hold
        with sqlite3.connect(_db_file(workspace), timeout=10) as conn:
            while not stop.is_set():
                with conn:  # one transaction: two rows, a copy must hold both or neither
                    conn.executemany("INSERT INTO quota_ledger (day, method, units, spent_at)"
                                     " VALUES ('2026-12-01', 'pair', 1, '2026-12-01 10:00:00')", [(), ()])
                written[0] += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        copies = []
        for n in range(3):
            target = tmp_path / f"copie-{n}.db"
            result = run_cli("db", "backup", str(target))
            assert result.exit_code == 0, result.output
            assert f"Database copied to {target}" in result.output and "checked" in result.output
            assert "To restore it: stop mlprod" in result.output
            copies.append(target)
    finally:
        stop.set()
        thread.join()
    assert written[0] > 0
    for copy in copies:
        with sqlite3.connect(copy) as conn:
            assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one file, no -wal
            pairs = conn.execute("SELECT count(*) FROM quota_ledger WHERE method = 'pair'").fetchone()[0]
        assert pairs % 2 == 0
        assert not copy.with_name(copy.name + "-wal").exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(("copie", ".copie"))) == [
        "copie-0.db", "copie-1.db", "copie-2.db"]
    # the copy opens as a database with everything in it
    copied = open_database(f"sqlite:///{copies[-1]}")
    with copied.transaction() as session:
        spent = session.scalars(select(QuotaSpend.units).where(QuotaSpend.method == "videos.insert"))
        assert spent.all() == [1]
    copied.close()


def test_backup_defaults_to_a_dated_copy_and_never_overwrites(run_cli: Callable[..., Result],
                                                             workspace: Settings, tmp_path: Path) -> None:
    _spend(workspace)
    result = run_cli("db", "backup")
    assert result.exit_code == 0, result.output
    made = list((workspace.state_dir / "backups").glob("mlprod-*.db"))
    assert len(made) == 1 and _rows(made[0]) == 1
    assert made[0].stat().st_mode & 0o777 == 0o600  # it holds employers' contacts
    folder = tmp_path / "cle-usb"
    folder.mkdir()
    assert run_cli("db", "backup", str(folder)).exit_code == 0
    assert len(list(folder.glob("mlprod-*.db"))) == 1
    existing = tmp_path / "deja.db"
    existing.write_bytes(b"keep me")
    result = run_cli("db", "backup", str(existing))
    assert result.exit_code == 1
    assert f"{existing}: already exists — choose another file name" in result.output
    assert existing.read_bytes() == b"keep me"


def test_backup_of_postgresql_points_to_its_own_tool(run_cli: Callable[..., Result]) -> None:
    result = run_cli("db", "backup", env={"MLPROD_DATABASE_URL": "postgresql://u:secret@db.example/mlprod"})
    assert result.exit_code == 1
    assert "pg_dump" in result.output and "secret" not in result.output


def test_an_empty_database_file_is_refused_not_started_afresh(run_cli: Callable[..., Result],
                                                              tmp_path: Path) -> None:
    empty = tmp_path / "copied" / "mlprod.db"
    empty.parent.mkdir()
    empty.touch()
    env = {"MLPROD_DATABASE_URL": f"sqlite:///{empty}"}
    for args in (["intake", "list"], ["db", "backup", str(tmp_path / "x.db")]):
        result = run_cli(*args, env=env)
        assert result.exit_code == 1, result.output
        assert f"database {empty}: the file is empty (0 bytes)" in result.output
        assert "delete the empty file" in result.output
    assert empty.stat().st_size == 0 and not (tmp_path / "x.db").exists()


@pytest.mark.parametrize("damage", ["garbage", "truncated", "pages"])
def test_a_damaged_database_file_says_so_and_what_to_do(run_cli: Callable[..., Result], workspace: Settings,
                                                        damage: str) -> None:
    _spend(workspace)
    path = _db_file(workspace)
    data = bytearray(path.read_bytes())
    if damage == "garbage":
        data = bytearray(b"not a database, a text file copied over it\n" * 100)
    elif damage == "truncated":
        data = data[: len(data) // 2]
    else:  # the tables' pages overwritten, the header intact: found when a table is read
        data[4096:] = b"\x55" * (len(data) - 4096)
    path.write_bytes(bytes(data))
    result = run_cli("intake", "list")
    assert result.exit_code == 1, result.output
    assert f"database {path}: the file is damaged" in result.output
    assert str(workspace.state_dir / "backups") in result.output
    assert "MLPROD_DATABASE_URL" not in result.output
    result = run_cli("db", "backup", str(workspace.root / "copie.db"))
    assert result.exit_code == 1 and "the file is damaged" in result.output
    assert not (workspace.root / "copie.db").exists()


def test_a_migration_is_preceded_by_a_copy_of_the_database(workspace: Settings) -> None:
    url = workspace.database_url
    database_before(url, OURS)
    _spend(workspace, units=7)  # opening it migrates it: the copy is made first
    backups = list((workspace.state_dir / "backups").glob("mlprod-before-upgrade-*.db"))
    assert len(backups) == 1
    with sqlite3.connect(backups[0]) as conn:
        versions = {r[0] for r in conn.execute("SELECT version_num FROM alembic_version")}
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert OURS not in versions and "submission_numbers" not in tables
    assert _rows(_db_file(workspace)) == 1
    _spend(workspace)  # nothing to migrate: no new copy
    assert len(list((workspace.state_dir / "backups").iterdir())) == 1


def _open_and_write(url: str, n: int) -> int:
    db = open_database(url)
    with db.transaction() as session:
        session.add(QuotaSpend(day=dt.date(2026, 12, 1), method=f"m{n}", units=n))
    db.close()
    return n


def test_a_new_database_is_made_whole_even_when_opened_by_many_at_once(tmp_path: Path) -> None:
    """Six processes open a database that does not exist yet, at once (mlprod commands started by
    a script): each sees no file or the whole migrated database, never an empty one."""
    path = tmp_path / "state" / "mlprod.db"
    url = f"sqlite:///{path}"
    # spawn, not fork: a forked child runs the after-fork hooks of whatever the test process holds
    # (kombu's, once a cluster test ran before), which can block on an inherited Redis socket
    with ProcessPoolExecutor(6, mp_context=multiprocessing.get_context("spawn")) as pool:
        assert sorted(pool.map(_open_and_write, [url] * 6, range(6))) == list(range(6))
    assert _rows(path) == 6
    assert sorted(p.name for p in path.parent.iterdir() if not p.name.endswith(("-wal", "-shm"))) == [
        "mlprod.db"]


def test_migration_0006_keeps_submissions_and_continues_their_numbers(database_url: str) -> None:
    database_before(database_url, OURS)
    engine = make_engine(database_url)
    now = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
    with engine.begin() as conn:
        for n in (1, 2, 3):
            conn.execute(text("INSERT INTO invitations (nonce, employer, expires_at, created_at)"
                              " VALUES (:n, 'E', :t, :t)"), {"n": f"nonce{n}", "t": now})
        rows = [(1, 1, "rejected"), (2, 1, "pending"), (3, 2, "approved"), (4, 3, "pending"),
                (10, 3, "rejected")]  # invitation 3: its newest was rejected, a new form is allowed
        for number, invitation, status in rows:
            conn.execute(text(
                "INSERT INTO submissions (public_id, invitation_id, employer, status, offer, consent_text,"
                " consent_at, created_at) VALUES (:p, :i, 'E', :s, '{}', 'oui', :t, :t)"),
                {"p": f"sub-2026-{number:04d}", "i": invitation, "s": status, "t": now})
        conn.execute(text("INSERT INTO submission_files (submission_id, role, stored_path, original_name,"
                          " size_bytes, sha256)"
                          " SELECT id, 'clip', 'x.mp4', 'x.mp4', 1, 'h' FROM submissions"))
    engine.dispose()
    db = open_database(database_url)
    with db.transaction() as session:
        assert session.scalar(select(text("count(*)")).select_from(SubmissionFile)) == 5
        live = dict(session.execute(select(Submission.public_id, Submission.open_invitation_id)).all())
        assert live == {"sub-2026-0001": None, "sub-2026-0002": 1, "sub-2026-0003": 2,
                        "sub-2026-0004": None, "sub-2026-0010": None}
        assert session.scalar(select(Invitation.id).where(Invitation.nonce == "nonce3")) == 3
    from mlprod.intake.submissions import _next_public_id

    with db.transaction() as session:
        assert _next_public_id(session, 2026) == "sub-2026-0011"
        assert _next_public_id(session, 2027) == "sub-2027-0001"
    db.close()


def test_a_database_from_a_newer_mlprod_is_refused_clearly(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    open_database(url).close()
    with sqlite3.connect(tmp_path / "new.db") as conn:
        conn.execute("INSERT INTO alembic_version VALUES ('0099_from_the_future')")
    with pytest.raises(StoreError, match="a newer mlprod wrote it: upgrade mlprod"):
        open_database(url)
