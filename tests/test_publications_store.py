"""Publications in the database: YouTube's old ``videos`` rows migrate into them, on SQLite and
PostgreSQL, and closed sets (statuses, kinds, states) read back as the enums mypy checks."""

from __future__ import annotations

import datetime as dt

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect, select, text

from mlprod.states import (
    BuildStatus,
    Format,
    PlatformName,
    Privacy,
    PublicationState,
    Step,
    UploadStatus,
    VideoKind,
)
from mlprod.store import open_database
from mlprod.store.db import MIGRATIONS, make_engine
from mlprod.store.models import Build, Publication, UploadSession

BEFORE = ("0003_stats", "0004_intake")  # every head but publications: the schema of a 2026 workspace
NOW = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


def _upgrade(url: str, *revisions: str) -> None:
    engine = make_engine(url)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        for revision in revisions:
            command.upgrade(cfg, revision)
    engine.dispose()


def _old_rows(url: str) -> None:
    engine = make_engine(url)
    columns = ("recipe, youtube_id, kind, title, privacy, publish_at, playlist_id, offer_closes,"
               " metadata_hash, thumbnail_done, captions_done, expired_at, published_at, updated_at")
    names = ("r", "y", "k", "t", "p", "at", "pl", "oc", "mh", "td", "cd", "ex")
    values = ", ".join(f":{n}" for n in names)
    rows = [
        ("recipes/entretien.yaml", "aaa", "tutorial", "Préparer son entretien", "public", None, "PL1", None,
         "h1", True, True, None),
        ("recipes/offres/a.yaml", "bbb", "job_offer", "Offre A", "unlisted", None, "PL2",
         dt.date(2026, 2, 1), "h2", True, True, NOW),
        ("recipes/cv.yaml", "ccc", "tutorial", "Rédiger son CV", "private",
         dt.datetime(2099, 1, 4, 9, tzinfo=dt.UTC), None, None, "h3", True, False, None),
    ]
    with engine.begin() as conn:
        for row in rows:
            conn.execute(text(f"INSERT INTO videos ({columns}) VALUES ({values}, :pub, :pub)"),
                         dict(zip(names, row, strict=True), pub=NOW))
        conn.execute(text("INSERT INTO upload_sessions (recipe, session_url, file_sha256, total_bytes,"
                          ' "offset", status, youtube_id, created_at, updated_at) VALUES (:recipe, :url,'
                          " :sha, 10, 10, 'completed', 'ccc', :now, :now)"),
                     {"recipe": "recipes/cv.yaml", "url": "http://x", "sha": "0" * 64, "now": NOW})
    engine.dispose()


def test_videos_become_youtube_publications(database_url: str) -> None:
    _upgrade(database_url, *BEFORE)
    _old_rows(database_url)

    db = open_database(database_url)  # migrates to every head, publications included

    assert "videos" not in inspect(db.engine).get_table_names()
    with db.transaction() as s:
        rows = {p.remote_id: p for p in s.scalars(select(Publication))}
        session = s.scalars(select(UploadSession)).one()
    assert set(rows) == {"aaa", "bbb", "ccc"}
    tutorial, offer, scheduled = rows["aaa"], rows["bbb"], rows["ccc"]
    assert tutorial.platform is PlatformName.youtube and tutorial.kind is VideoKind.tutorial
    assert (tutorial.state, tutorial.missing, tutorial.playlist_id) == (PublicationState.published, [], "PL1")
    assert tutorial.url == "https://www.youtube.com/watch?v=aaa" and tutorial.metadata_hash == "h1"
    assert (offer.state, offer.privacy, offer.offer_closes) == (PublicationState.expired, Privacy.unlisted,
                                                                dt.date(2026, 2, 1))
    assert scheduled.state is PublicationState.scheduled and scheduled.missing == [Step.captions.value]
    assert (session.platform, session.remote_id, session.status) == (PlatformName.youtube, "ccc",
                                                                     UploadStatus.completed)
    db.close()


def test_closed_sets_read_back_as_enums(database_url: str) -> None:
    db = open_database(database_url)
    with db.transaction() as s:
        s.add(Build(recipe="recipes/a.yaml", slug="a", format=Format.vertical, quality="draft",
                    content_hash="h" * 64, status=BuildStatus.failed, renderer_version="1"))
    with db.transaction() as s:
        build = s.scalars(select(Build)).one()
        assert build.status is BuildStatus.failed and build.format is Format.vertical
        assert s.scalar(select(Build.id).where(Build.status == "failed")) == build.id  # still a VARCHAR
    db.close()
