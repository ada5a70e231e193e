"""Upload sessions of Facebook and Instagram in the database, so that a killed process resumes.

One :class:`~mlprod.store.models.UploadSession` row per upload, keyed by the recipe and the
platform: ``session_url`` is where the bytes go (a Reel's or a container's upload URL, or a
Resumable Upload API session id), ``remote_id`` the object Meta made for it at the start (the
Reel's video id, the Instagram container's id), ``offset`` the bytes Meta acknowledged. The row is
written *before* the first byte is sent and after every acknowledged part, each in its own
transaction; the publish workflow marks it completed in the transaction that records the
publication.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from mlprod.states import PlatformName, UploadStatus
from mlprod.store import Database
from mlprod.store.models import UploadSession, utcnow


@dataclass(frozen=True)
class SessionRow:
    id: int
    url: str
    remote_id: str | None
    sha256: str
    total: int
    offset: int


class Sessions:
    """The upload sessions of one platform, for the recipe keys it is given."""

    def __init__(self, db: Database, platform: PlatformName) -> None:
        self.db = db
        self.platform = platform

    def active(self, key: str) -> list[SessionRow]:
        """The recipe's unfinished sessions on this platform, newest first."""
        with self.db.transaction() as s:
            rows = s.scalars(select(UploadSession).where(
                UploadSession.recipe == key, UploadSession.platform == self.platform,
                UploadSession.status == UploadStatus.active).order_by(UploadSession.id.desc()))
            return [SessionRow(r.id, r.session_url, r.remote_id, r.file_sha256, r.total_bytes, r.offset)
                    for r in rows]

    def open(self, key: str, build_id: int | None, url: str, remote_id: str | None, sha256: str,
             total: int) -> SessionRow:
        with self.db.transaction() as s:
            row = UploadSession(recipe=key, platform=self.platform, build_id=build_id, session_url=url,
                                remote_id=remote_id, file_sha256=sha256, total_bytes=total, offset=0,
                                status=UploadStatus.active)
            s.add(row)
            s.flush()
            return SessionRow(row.id, url, remote_id, sha256, total, 0)

    def save(self, session_id: int, *, offset: int | None = None, status: UploadStatus | None = None,
             remote_id: str | None = None) -> None:
        with self.db.transaction() as s:
            row = s.get(UploadSession, session_id)
            if row is None:
                return
            if offset is not None:
                row.offset = offset
            if status is not None:
                row.status = status
            if remote_id is not None:
                row.remote_id = remote_id
            row.updated_at = utcnow()
