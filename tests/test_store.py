"""The database on SQLite and PostgreSQL: migrations, pragmas, transactions, constraints."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError

from mlprod.errors import StoreError
from mlprod.states import Privacy, PublicationState, VideoKind
from mlprod.store import open_database
from mlprod.store.models import Build, Publication, Submission, SubmissionFile, UploadSession

EXPECTED_TABLES = {"builds", "publications", "upload_sessions", "quota_ledger", "channel_snapshots",
                   "daily_metrics", "video_metrics", "invitations", "submissions", "submission_files"}


def _build(**fields: object) -> Build:
    values: dict[str, object] = {"recipe": "recipes/a.yaml", "slug": "a", "format": "landscape",
                                 "quality": "standard", "content_hash": "h" * 64, "status": "done",
                                 "renderer_version": "1"}
    values.update(fields)
    return Build(**values)


def _publication(**fields: object) -> Publication:
    values: dict[str, object] = {"platform": "youtube", "kind": VideoKind.tutorial,
                                 "state": PublicationState.published, "privacy": Privacy.public}
    values.update(fields)
    return Publication(**values)


def test_migrations_create_every_table_and_are_idempotent(database_url: str) -> None:
    db = open_database(database_url)
    assert set(inspect(db.engine).get_table_names()) >= EXPECTED_TABLES
    db.close()
    again = open_database(database_url)  # a second open finds the schema current and changes nothing
    with again.engine.connect() as conn:
        versions = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    assert versions and all(versions)
    again.close()


def test_sqlite_runs_with_wal_busy_timeout_and_foreign_keys(tmp_path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'x.db'}")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
    db.close()


def test_a_transaction_is_all_or_nothing(database_url: str) -> None:
    db = open_database(database_url)
    with db.transaction() as session:
        session.add(_build())
    with pytest.raises(RuntimeError), db.transaction() as session:
        session.add(_build(slug="b"))
        session.flush()
        raise RuntimeError("crash between two writes")
    with db.transaction() as session:
        assert session.scalars(select(Build.slug)).all() == ["a"]
    db.close()


def test_youtube_ids_are_unique_and_foreign_keys_hold(database_url: str) -> None:
    db = open_database(database_url)
    with db.transaction() as session:
        build = _build()
        session.add(build)
        session.flush()
        session.add(_publication(recipe="recipes/a.yaml", remote_id="abc", build_id=build.id,
                                 title="Préparer son entretien"))
    with pytest.raises(IntegrityError), db.transaction() as session:
        session.add(_publication(recipe="recipes/b.yaml", remote_id="abc", title="x"))
    with pytest.raises(IntegrityError), db.transaction() as session:
        session.add(SubmissionFile(submission_id=9999, role="clip", stored_path="x", original_name="x",
                                   size_bytes=1, sha256="0" * 64))
    db.close()


def test_models_round_trip_typed_values(database_url: str) -> None:
    db = open_database(database_url)
    when = dt.datetime(2026, 9, 1, 8, 0, tzinfo=dt.UTC)
    with db.transaction() as session:
        sub = Submission(public_id="sub-2026-0042", employer="Boulangerie du Cours",
                         offer={"position": "Vendeur·se", "contract": "CDD"},
                         consent_text="J'accepte…", consent_at=when)
        sub.files.append(SubmissionFile(role="clip", stored_path="media/offres/x.mp4",
                                        original_name="IMG_0001.MOV", size_bytes=5 * 2**30,
                                        sha256="a" * 64))
        session.add(sub)
        session.add(UploadSession(recipe="r", session_url="http://x/upload?id=1", file_sha256="b" * 64,
                                  total_bytes=3 * 2**31, offset=2**31))
    with db.transaction() as session:
        loaded = session.scalars(select(Submission)).one()
        assert loaded.offer["position"] == "Vendeur·se"
        assert loaded.files[0].size_bytes == 5 * 2**30  # BigInteger: files over 2 GB fit
        assert loaded.consent_at.replace(tzinfo=loaded.consent_at.tzinfo or dt.UTC) == when
        assert session.scalars(select(UploadSession.offset)).one() == 2**31
    db.close()


def test_an_unreachable_database_gets_a_clear_message() -> None:
    with pytest.raises(StoreError) as err:
        open_database("postgresql+psycopg://nobody:secret@127.0.0.1:1/none")
    assert "cannot open" in str(err.value) and "secret" not in str(err.value)
