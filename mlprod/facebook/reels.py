"""A Page Reel through Meta's Reels Publishing API: start, upload at an offset, finish.

``upload`` does the first two phases: ``POST /{page-id}/video_reels upload_phase=start`` gives the
video id and its upload URL, saved in the database (:mod:`mlprod.graph.sessions`) before any byte
is sent; the bytes go part by part to the upload URL (headers ``offset`` and ``file_size``), the
offset saved after each. A new run asks the video's status (``uploading_phase.bytes_transferred``)
and sends the rest from there; a session made for another file is abandoned, never resumed.

Until ``finish``, the Reel is an upload on Meta's side that nobody sees. ``finish`` (the publish
workflow's ``release`` step, last) sends ``upload_phase=finish`` with the caption and
``video_state`` PUBLISHED, or SCHEDULED with ``scheduled_publish_time``. Finishing twice is refused
by Meta, so after a dropped connection (or with ``check_first``) the status is read first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from mlprod.errors import PublishError
from mlprod.graph.client import ConnectionLost, GraphClient
from mlprod.graph.errors import GraphRefused
from mlprod.graph.posts import MetaPost
from mlprod.graph.sessions import Sessions
from mlprod.graph.upload import Progress, UploadTarget, file_sha256, send_file
from mlprod.states import UploadStatus

REEL_URL = "https://www.facebook.com/reel/{}"
FINISHED = frozenset({"published", "scheduled"})


def reel_url(video_id: str) -> str:
    return REEL_URL.format(video_id)


@dataclass(frozen=True)
class VideoStatus:
    """``GET /{video-id}?fields=status``, the parts mlprod reads."""

    video_status: str
    bytes_transferred: int
    publish_status: str
    publish_time: dt.datetime | None = None

    @property
    def finished(self) -> bool:
        return self.publish_status in FINISHED


@dataclass(frozen=True)
class ReelUpload:
    video_id: str
    session_id: int
    recovered: bool
    """An earlier run had sent the whole file (or finished the Reel) before it stopped."""
    finished: VideoStatus | None = None
    """The status when an earlier run had finished the Reel already."""


def video_status(client: GraphClient, video_id: str) -> VideoStatus | None:
    """The video's status, or None when Meta no longer knows it."""
    try:
        answer = client.get(video_id, "asking how far the Reel's upload got", {"fields": "status"})
    except GraphRefused as err:
        if err.problem.code == 100:
            return None
        raise
    status = answer.get("status") or {}
    uploading = status.get("uploading_phase") or {}
    publishing = status.get("publishing_phase") or {}
    when = publishing.get("publish_time")
    return VideoStatus(str(status.get("video_status", "")), int(uploading.get("bytes_transferred") or 0),
                       str(publishing.get("publish_status", "")),
                       dt.datetime.fromtimestamp(int(when), dt.UTC) if when else None)


class Reels:
    """The Page's Reels: upload (start + bytes) and finish."""

    def __init__(self, client: GraphClient, page_id: str, sessions: Sessions, part_size: int) -> None:
        self.client = client
        self.page_id = page_id
        self.sessions = sessions
        self.part_size = part_size

    def upload(self, key: str, video: Path, build_id: int | None, progress: Progress | None) -> ReelUpload:
        size, sha = video.stat().st_size, file_sha256(video)
        for row in self.sessions.active(key):
            if row.sha256 != sha or row.total != size or not row.remote_id:
                self.sessions.save(row.id, status=UploadStatus.abandoned)  # another build: never resumed
                continue
            status = video_status(self.client, row.remote_id)
            if status is None or status.video_status == "error":
                self.sessions.save(row.id, status=UploadStatus.expired)
                continue
            if status.finished:
                return ReelUpload(row.remote_id, row.id, recovered=True, finished=status)
            self.sessions.save(row.id, offset=status.bytes_transferred)
            if status.bytes_transferred < size:
                self._send(row.id, row.url, row.remote_id, video, status.bytes_transferred, progress)
                return ReelUpload(row.remote_id, row.id, recovered=False)
            return ReelUpload(row.remote_id, row.id, recovered=True)
        # sent twice after a dropped connection, a start only leaves an empty upload nobody sees
        started = self.client.post(f"{self.page_id}/video_reels", "starting the Reel's upload",
                                   {"upload_phase": "start"}, repeatable=True)
        video_id, url = str(started.get("video_id", "")), str(started.get("upload_url", ""))
        if not video_id or not url:
            raise PublishError(f"Facebook did not open an upload for the Reel (it answered {sorted(started)})"
                               " — run the same command again")
        row = self.sessions.open(key, build_id, url, video_id, sha, size)
        self._send(row.id, url, video_id, video, 0, progress)
        return ReelUpload(video_id, row.id, recovered=False)

    def _send(self, session_id: int, url: str, video_id: str, video: Path, start: int,
              progress: Progress | None) -> None:
        def where() -> int:
            status = video_status(self.client, video_id)
            if status is None:
                raise PublishError(f"Facebook forgot the Reel's upload ({video_id}) — run the same command"
                                   " again: a new upload starts")
            return status.bytes_transferred

        def acknowledged(offset: int) -> None:
            self.sessions.save(session_id, offset=offset)

        send_file(self.client, UploadTarget(url, video, self.part_size), start, where=where,
                  acknowledged=acknowledged, progress=progress)

    def finish(self, video_id: str, post: MetaPost, now: dt.datetime, *, check_first: bool) -> VideoStatus:
        """Publish (or schedule) the uploaded Reel with its caption; its status afterwards."""
        if check_first:
            status = video_status(self.client, video_id)
            if status is not None and status.finished:
                return status
        data: dict[str, str | int | None] = {"upload_phase": "finish", "video_id": video_id,
                                             "description": post.caption, "video_state": "PUBLISHED"}
        if post.publish_at is not None and post.publish_at > now:
            data.update(video_state="SCHEDULED", scheduled_publish_time=int(post.publish_at.timestamp()))
        try:
            self.client.post(f"{self.page_id}/video_reels", "publishing the Reel", data)
        except ConnectionLost as err:
            status = video_status(self.client, video_id)
            if status is None or not status.finished:
                raise PublishError(f"{err} — run the same command again: it looks before publishing") from err
        status = video_status(self.client, video_id)
        if status is None:
            raise PublishError(f"Facebook no longer knows the Reel {video_id} it just published — check the"
                               " Page, then run `mlprod status`")
        return status

