"""Upload sessions of Facebook and Instagram, kept through :mod:`mlprod.publishing.sessions`.

One row per upload, keyed by the recipe and the platform: ``session_url`` is where the bytes go (a
Reel's or a container's upload URL, or a Resumable Upload API session id), ``remote_id`` the object
Meta made for it at the start (the Reel's video id, the Instagram container's id), ``offset`` the
bytes Meta acknowledged. Written before the first byte is sent and after every acknowledged part,
each in its own transaction; the publish workflow marks it completed with the publication.
"""

from __future__ import annotations

from dataclasses import dataclass

from mlprod.publishing.sessions import active_sessions, open_session, save_session
from mlprod.states import PlatformName, UploadStatus
from mlprod.store import Database


@dataclass(frozen=True)
class SessionRow:
    id: int
    url: str
    remote_id: str | None
    sha256: str
    total: int
    offset: int


class Sessions:
    """The upload sessions of one platform."""

    def __init__(self, db: Database, platform: PlatformName) -> None:
        self.db = db
        self.platform = platform

    def active(self, key: str) -> list[SessionRow]:
        """The recipe's unfinished sessions on this platform, newest first."""
        return [SessionRow(r.id, r.session_url, r.remote_id, r.file_sha256, r.total_bytes, r.offset)
                for r in active_sessions(self.db, key, self.platform)]

    def open(self, key: str, build_id: int | None, url: str, remote_id: str | None, sha256: str,
             total: int) -> SessionRow:
        session_id = open_session(self.db, key, self.platform, build_id, url, sha256, total)
        if remote_id is not None:
            save_session(self.db, session_id, remote_id=remote_id)
        return SessionRow(session_id, url, remote_id, sha256, total, 0)

    def save(self, session_id: int, *, offset: int | None = None, status: UploadStatus | None = None,
             remote_id: str | None = None) -> None:
        changes = {"offset": offset, "status": status, "remote_id": remote_id}
        save_session(self.db, session_id, **{k: v for k, v in changes.items() if v is not None})
