"""The resumable upload, through the real Google client against the sandbox: faults, expired
sessions, a crash before the database write, another file under the same recipe."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import select

from mlprod.config import Settings
from mlprod.sandbox import Sandbox
from mlprod.sandbox.faults import parse_faults
from mlprod.sandbox.testing import FakeClock, write_bytes
from mlprod.store import Database, open_database
from mlprod.store.models import UploadSession
from mlprod.youtube.api import Channel
from mlprod.youtube.auth import approve_by_fetching, login, youtube
from mlprod.youtube.quota import spent_today
from mlprod.youtube.upload import ResumableUpload, UploadTarget

CHUNK = 262144
BODY = {"snippet": {"title": "Préparer son entretien", "description": "Conseils.", "categoryId": "27"},
        "status": {"privacyStatus": "public", "selfDeclaredMadeForKids": False}}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def connect(sandbox: Sandbox, workspace: Settings) -> tuple[Settings, Database, Channel]:
    settings = workspace.with_overrides(youtube_url=sandbox.url, upload_chunk_size=CHUNK)
    login(settings, approve=approve_by_fetching)
    db = open_database(settings.database_url)
    channel = Channel(youtube(settings), db, sleep=lambda _s: None)
    return settings, db, channel


def target(path: Path, recipe: str = "recipes/entretien.yaml") -> UploadTarget:
    return UploadTarget(recipe=recipe, path=path, body=BODY, part="snippet,status", build_id=None,
                        chunk_size=CHUNK)


def sessions(db: Database) -> list[UploadSession]:
    with db.transaction() as s:
        return list(s.scalars(select(UploadSession).order_by(UploadSession.id)))


def test_an_upload_through_503_reset_and_expiry_completes_with_the_same_bytes(
        sandbox_factory, workspace: Settings, tmp_path: Path) -> None:
    sandbox = sandbox_factory(faults=parse_faults("503@2,reset@4,expire@6"))
    _settings, db, channel = connect(sandbox, workspace)
    video = write_bytes(tmp_path / "video.mp4", 5 * CHUNK + 1234)
    seen: list[tuple[int, int]] = []

    done = ResumableUpload(channel, target(video), progress=lambda d, t: seen.append((d, t))).run()

    state = sandbox.state()
    [stored] = state["videos"]
    assert stored["id"] == done.video["id"]
    assert stored["media_sha256"] == sha256(video)
    assert stored["media_bytes"] == video.stat().st_size
    assert state["faults_fired"] == ["503@2", "reset@4", "expire@6"]
    assert done.new_sessions == 2  # the first one expired at chunk 6
    assert seen[-1] == (video.stat().st_size, video.stat().st_size)
    # two videos.insert (one per session), each charged: the ledger says what the sandbox counted
    assert state["quota_used"] == 200 == spent_today(db)
    statuses = [s.status for s in sessions(db)]
    assert statuses == ["expired", "active"]  # the caller completes it along with the Video row


def test_a_crash_after_the_last_chunk_is_recovered_without_a_second_video(
        sandbox_factory, workspace: Settings, tmp_path: Path) -> None:
    sandbox = sandbox_factory()
    _settings, db, channel = connect(sandbox, workspace)
    video = write_bytes(tmp_path / "video.mp4", 3 * CHUNK + 10)
    first = ResumableUpload(channel, target(video)).run()
    # the process dies here, before the Video row is written: the session is still active
    again = ResumableUpload(channel, target(video)).run()

    assert again.recovered
    assert again.video["id"] == first.video["id"]
    assert len(sandbox.state()["videos"]) == 1
    assert sandbox.state()["quota_used"] == 100 == spent_today(db)


def test_an_unrecorded_upload_is_found_on_the_channel_once_its_session_is_gone(
        sandbox_factory, workspace: Settings, tmp_path: Path) -> None:
    clock = FakeClock()
    sandbox = sandbox_factory(clock=clock)
    _settings, db, channel = connect(sandbox, workspace)
    video = write_bytes(tmp_path / "video.mp4", 3 * CHUNK + 10)
    interrupted = ResumableUpload(channel, target(video))
    session_id = interrupted._open_session()
    interrupted._send_from(session_id, 0)
    with db.transaction() as s:  # as if killed right after the last chunk, before any write
        row = s.get(UploadSession, session_id)
        assert row is not None
        row.remote_id, row.offset = None, 3 * CHUNK  # the 10-byte last chunk was in flight
    clock.advance(days=8)  # YouTube has forgotten the session (404)

    done = ResumableUpload(channel, target(video)).run()

    assert done.recovered and done.new_sessions == 0
    assert len(sandbox.state()["videos"]) == 1


def test_a_finished_upload_of_an_older_build_is_recorded_not_repeated(
        sandbox_factory, workspace: Settings, tmp_path: Path) -> None:
    sandbox = sandbox_factory()
    _settings, _db, channel = connect(sandbox, workspace)
    old = write_bytes(tmp_path / "old.mp4", 4 * CHUNK, seed=1)
    new = write_bytes(tmp_path / "new.mp4", 4 * CHUNK, seed=2)
    interrupted = ResumableUpload(channel, target(old))
    session_id = interrupted._open_session()
    interrupted._send_from(session_id, 0)  # the last chunk lands, then the process dies

    done = ResumableUpload(channel, target(new)).run()

    assert done.recovered  # YouTube has that recipe's video already: record it, upload nothing
    [stored] = sandbox.state()["videos"]
    assert stored["media_sha256"] == sha256(old)


def test_an_unfinished_session_for_another_file_is_abandoned(
        sandbox_factory, workspace: Settings, tmp_path: Path) -> None:
    sandbox = sandbox_factory()
    _settings, db, channel = connect(sandbox, workspace)
    old = write_bytes(tmp_path / "old.mp4", 4 * CHUNK, seed=1)
    new = write_bytes(tmp_path / "new.mp4", 4 * CHUNK, seed=2)
    ResumableUpload(channel, target(old))._open_session()  # killed before the first chunk

    done = ResumableUpload(channel, target(new)).run()

    [stored] = sandbox.state()["videos"]
    assert stored["media_sha256"] == sha256(new) and not done.recovered
    assert [s.status for s in sessions(db)] == ["abandoned", "active"]


@pytest.mark.parametrize("size", [CHUNK, 1])
def test_a_file_of_one_chunk_or_less(sandbox_factory, workspace: Settings, tmp_path: Path,
                                     size: int) -> None:
    sandbox = sandbox_factory()
    _settings, _db, channel = connect(sandbox, workspace)
    video = write_bytes(tmp_path / "video.mp4", size)
    ResumableUpload(channel, target(video)).run()
    assert sandbox.state()["videos"][0]["media_sha256"] == sha256(video)
