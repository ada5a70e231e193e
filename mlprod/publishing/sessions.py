"""Resumable upload sessions in the database, for every platform (``upload_sessions``).

Never twice, across processes: a platform writes its session (the URL or id it must resume with)
with :func:`open_session` *before* the first byte is sent, and the acknowledged offset after every
chunk with :func:`save_session`, each in its own transaction. A new run first asks each of
:func:`active_sessions` where it stands on the platform: resume there, record the publication the
platform finished (a crash between its last answer and our write), or mark it ``expired`` and
open a new one. A session made for another file (another sha256) is marked ``abandoned``, never
resumed. The publish workflow marks the session ``completed`` in the transaction that records the
publication (:func:`mlprod.jobs.records.finish_session`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from mlprod.states import PlatformName, UploadStatus
from mlprod.store import Database
from mlprod.store.models import UploadSession, utcnow


def active_sessions(db: Database, recipe: str, platform: PlatformName) -> list[UploadSession]:
    """The recipe's unfinished sessions on ``platform``, newest first."""
    with db.transaction() as s:
        return list(s.scalars(select(UploadSession).where(
            UploadSession.recipe == recipe, UploadSession.platform == platform,
            UploadSession.status == UploadStatus.active,
        ).order_by(UploadSession.id.desc())))


def open_session(db: Database, recipe: str, platform: PlatformName, build_id: int | None, session_url: str,
                 file_sha256: str, total_bytes: int) -> int:
    """Record a session the platform opened (before sending anything to it); its row id."""
    with db.transaction() as s:
        row = UploadSession(recipe=recipe, platform=platform, build_id=build_id, session_url=session_url,
                            file_sha256=file_sha256, total_bytes=total_bytes, offset=0,
                            status=UploadStatus.active)
        s.add(row)
        s.flush()
        return row.id


def save_session(db: Database, session_id: int, **values: Any) -> None:
    """Change a session's ``offset``, ``status`` or ``remote_id``, in a transaction of its own."""
    with db.transaction() as s:
        row = s.get(UploadSession, session_id)
        assert row is not None, "sessions are never deleted"
        for key, value in values.items():
            setattr(row, key, value)
        row.updated_at = utcnow()


def session_url(db: Database, session_id: int) -> str:
    with db.transaction() as s:
        row = s.get(UploadSession, session_id)
        assert row is not None, "sessions are never deleted"
        return row.session_url
