"""Resumable video upload that survives 5xx, dropped connections, expired sessions and a killed
process, and never creates the same video twice.

The protocol is YouTube's (YOUTUBE.md §Resumable): a ``videos.insert`` opens a session, chunks are
PUT with ``Content-Range``, a ``bytes */TOTAL`` query says where the server is. The retry loop is
ours (``next_chunk(num_retries=0)``): after each failure we wait (exponential backoff with
jitter), ask the server where it is, and carry on from there.

Never twice, across processes:

* the session URL is written to the database (:mod:`mlprod.publishing.sessions`) *before* the
  first byte is sent, and its offset after every acknowledged chunk, each in its own transaction;
* a new run first asks an unfinished session where it is: the server's offset (resume), the
  finished video (a crash between the last chunk and our database write: record it, upload
  nothing), or 404 (expired: only then a new session);
* a session started for another file (a different sha256) is never resumed with this one.

Chunks are read from the file one at a time and sent as bytes (a stream body would be consumed by
an automatic re-send and hang), so memory stays at about one chunk whatever the file's size.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from googleapiclient.errors import HttpError
from googleapiclient.http import MediaUpload

from mlprod.errors import PublishError
from mlprod.publishing.sessions import active_sessions, open_session, save_session, session_url
from mlprod.states import PlatformName, UploadStatus
from mlprod.store.models import UploadSession
from mlprod.youtube.api import CONNECTION_ERRORS, Channel, backoff, error_reason, translate
from mlprod.youtube.quota import call_cost, failed_call_cost
from mlprod.youtube.recovery import find_lost_upload

log = logging.getLogger(__name__)

INSERT = "youtube.videos.insert"
MAX_FAILURES_IN_A_ROW = 8
MAX_NEW_SESSIONS = 3
HASH_BLOCK = 1 << 20

Progress = Callable[[int, int], None]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(HASH_BLOCK):
            digest.update(block)
    return digest.hexdigest()


class FileChunks(MediaUpload):
    """A resumable media source that hands out one chunk of the file at a time, as bytes."""

    def __init__(self, path: Path, size: int, chunk_size: int, mimetype: str = "video/mp4") -> None:
        super().__init__()
        self._path = path
        self._size = size
        self._chunk_size = chunk_size
        self._mimetype = mimetype

    def chunksize(self) -> int:
        return self._chunk_size

    def mimetype(self) -> str:
        return self._mimetype

    def size(self) -> int:
        return self._size

    def resumable(self) -> bool:
        return True

    def has_stream(self) -> bool:
        return False

    def getbytes(self, begin: int, length: int) -> bytes:
        with open(self._path, "rb") as f:
            f.seek(begin)
            return f.read(length)


@dataclass(frozen=True)
class UploadTarget:
    """What to upload, for which recipe, with which metadata."""

    recipe: str
    """The recipe's path relative to the workspace: the key of its sessions and video."""
    path: Path
    body: dict[str, Any]
    part: str
    build_id: int | None
    chunk_size: int
    platform: PlatformName = PlatformName.youtube
    """Sessions are kept per recipe and platform: a Short of the same recipe has its own."""


@dataclass(frozen=True)
class UploadOutcome:
    video: dict[str, Any]
    session_id: int
    resumed_from: int
    """The offset the upload started from in this run (0 for a fresh start)."""
    recovered: bool
    """True when the server had finished the upload already (a crash after the last chunk)."""
    new_sessions: int


@dataclass
class _Position:
    offset: int = 0
    video: dict[str, Any] | None = None
    expired: bool = False


class ResumableUpload:
    """One video's upload; :meth:`run` returns the video resource YouTube made."""

    def __init__(self, channel: Channel, target: UploadTarget, *, progress: Progress | None = None,
                 sleep: Callable[[float], None] | None = None) -> None:
        self.channel = channel
        self.db = channel.db
        self.target = target
        self.progress = progress
        self.sleep = sleep or channel.sleep
        self.size = target.path.stat().st_size
        self.sha256 = file_sha256(target.path)
        self.new_sessions = 0

    # -- the protocol --------------------------------------------------------------------------

    def _request(self, session_url: str | None = None, offset: int = 0) -> Any:
        media = FileChunks(self.target.path, self.size, self.target.chunk_size)
        request = self.channel.service.videos().insert(
            part=self.target.part, body=self.target.body, media_body=media)
        if session_url is not None:
            request.resumable_uri = session_url
            request.resumable_progress = offset
        return request

    def _open_session(self) -> int:
        """POST the metadata (a ``videos.insert``, charged), save the session URL, return its row id."""
        if self.new_sessions >= MAX_NEW_SESSIONS:
            raise PublishError(f"{self.target.path.name}: YouTube dropped {self.new_sessions} upload"
                               " sessions in a row — try again later")
        request = self._request()
        headers = dict(request.headers)
        headers.update({"X-Upload-Content-Type": "video/mp4",
                        "X-Upload-Content-Length": str(self.size),
                        "content-length": str(request.body_size)})
        for attempt in range(self.channel.retries + 1):
            try:
                resp, content = request.http.request(request.uri, method=request.method,
                                                     body=request.body, headers=headers)
            except CONNECTION_ERRORS as err:
                if attempt == self.channel.retries:
                    raise PublishError(f"cannot reach YouTube to start the upload ({err}) — check the"
                                       " network and run the same command again") from err
                self.sleep(backoff(attempt, self.channel.base_delay))
                continue
            if resp.status == 200 and "location" in resp:
                self.channel.record(INSERT, call_cost(INSERT, self.channel.costs))
                break
            refused = HttpError(resp, content, uri=request.uri)
            status, reason, _ = error_reason(refused)
            self.channel.record(INSERT, failed_call_cost(INSERT, status, reason, self.channel.costs))
            if status in {500, 502, 503, 504, 429} and attempt < self.channel.retries:
                self.sleep(backoff(attempt, self.channel.base_delay))
                continue
            raise translate(refused, "starting the upload") from refused
        self.new_sessions += 1
        return open_session(self.db, self.target.recipe, self.target.platform, self.target.build_id,
                            resp["location"], self.sha256, self.size)

    def _query(self, session_url: str, total: int) -> _Position:
        """Ask where an upload stands: ``PUT`` with ``Content-Range: bytes */TOTAL``, empty body."""
        http = self._request().http
        resp, content = http.request(session_url, method="PUT", body=b"", headers={
            "Content-Range": f"bytes */{total}", "Content-Length": "0"})
        if resp.status in (200, 201):
            return _Position(offset=total, video=json.loads(content))
        if resp.status == 308:
            ranges = resp.get("range")
            return _Position(offset=int(ranges.rsplit("-", 1)[1]) + 1 if ranges else 0)
        if resp.status in (404, 410):
            return _Position(expired=True)
        raise HttpError(resp, content, uri=session_url)

    def _query_with_retries(self, session_url: str, total: int) -> _Position:
        for attempt in range(MAX_FAILURES_IN_A_ROW):
            try:
                return self._query(session_url, total)
            except HttpError as err:
                status, _reason, _ = error_reason(err)
                if status < 500 and status != 429:
                    raise translate(err, "asking YouTube how far the upload got") from err
                last: Exception = err
            except CONNECTION_ERRORS as err:
                last = err
            self.sleep(backoff(attempt, self.channel.base_delay))
        raise PublishError(f"YouTube does not say how far the upload got ({last}) — run the same"
                           " command again later: it resumes from there")

    # -- the loop ------------------------------------------------------------------------------

    def run(self) -> UploadOutcome:
        session_id, position, recovered = self._resume_or_open()
        resumed_from = position.offset
        while position.video is None:
            if position.expired:
                save_session(self.db, session_id, status=UploadStatus.expired)
                log.warning("upload session expired; starting a new one from the beginning")
                session_id, position = self._open_session(), _Position()
                continue
            position = self._send_from(session_id, position.offset)
        self._report(self.size)
        return UploadOutcome(position.video, session_id, resumed_from, recovered, self.new_sessions)

    def _resume_or_open(self) -> tuple[int, _Position, bool]:
        """The session to carry on with (asking each unfinished one where it is), or a new one."""
        for row in active_sessions(self.db, self.target.recipe, self.target.platform):
            position = self._query_with_retries(row.session_url, row.total_bytes)
            if position.expired and row.remote_id:  # finished, recorded by id, session gone since
                position = self._fetch_video(row.remote_id)
            elif position.expired and row.offset + self.target.chunk_size >= row.total_bytes:
                position = self._search_lost(row)  # the last chunk may have landed: look first
            if position.video is not None:  # finished on YouTube, never recorded here
                return row.id, position, True
            if position.expired:
                save_session(self.db, row.id, status=UploadStatus.expired)
            elif row.file_sha256 != self.sha256 or row.total_bytes != self.size:
                # another build: never resume with this file
                save_session(self.db, row.id, status=UploadStatus.abandoned)
            else:
                save_session(self.db, row.id, offset=position.offset)
                return row.id, position, False
        return self._open_session(), _Position(), False

    def _search_lost(self, row: UploadSession) -> _Position:
        title = str(self.target.body.get("snippet", {}).get("title", ""))
        found = find_lost_upload(self.channel, title, row.total_bytes, row.created_at)
        return _Position(offset=self.size, video=found) if found else _Position(expired=True)

    def _fetch_video(self, youtube_id: str) -> _Position:
        answer = self.channel.call(self.channel.service.videos().list(
            part=self.target.part, id=youtube_id), "looking up the uploaded video")
        items = answer.get("items") or []
        return _Position(offset=self.size, video=items[0]) if items else _Position(expired=True)

    def _send_from(self, session_id: int, offset: int) -> _Position:
        """Send chunks from ``offset`` until the end, a 404, or too many failures in a row."""
        row_url = session_url(self.db, session_id)
        request = self._request(row_url, offset)
        failures = 0
        self._report(offset)
        while True:
            try:
                _status, video = request.next_chunk(num_retries=0)
            except HttpError as err:
                status = error_reason(err)[0]
                if status in (404, 410):
                    return _Position(expired=True)
                if status < 500 and status != 429:
                    raise translate(err, f"uploading {self.target.path.name}") from err
                why = f"HTTP {status} {error_reason(err)[1]}"
            except CONNECTION_ERRORS as err:
                why = f"connection lost: {err.__class__.__name__} {err}"
            else:
                if video is not None:
                    # still active: the caller marks it completed in the transaction that
                    # records the publication, so a crash in between is recovered, not re-uploaded
                    save_session(self.db, session_id, offset=self.size, remote_id=str(video.get("id", "")))
                    return _Position(offset=self.size, video=video)
                save_session(self.db, session_id, offset=request.resumable_progress)
                self._report(request.resumable_progress)
                failures = 0
                continue
            failures += 1
            if failures >= MAX_FAILURES_IN_A_ROW:
                raise PublishError(
                    f"{self.target.path.name}: the upload failed {failures} times in a row ({why})"
                    " — run the same command again later: it resumes where it stopped")
            delay = backoff(failures - 1, self.channel.base_delay)
            log.warning("upload chunk failed (%s); asking YouTube where it stands in %.1f s", why, delay)
            self.sleep(delay)
            position = self._query_with_retries(row_url, self.size)
            if position.video is not None or position.expired:
                return position
            save_session(self.db, session_id, offset=position.offset)
            request = self._request(row_url, position.offset)  # a fresh request: no stale error state
            self._report(position.offset)

    def _report(self, done: int) -> None:
        if self.progress is not None:
            self.progress(done, self.size)
