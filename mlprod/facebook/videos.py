"""A Page video (the landscape cut, or a video too long for a Reel) through the Resumable Upload API.

1. ``POST /{app-id}/uploads`` with ``file_name``, ``file_length``, ``file_type=video/mp4`` opens a
   session (``upload:…``), saved in the database before any byte is sent;
2. the bytes go part by part to ``/upload:…`` (header ``file_offset``); Meta answers the file's
   handle (``h``) once it is whole; ``GET /upload:…`` says how far it got, to resume;
3. ``POST /{page-id}/videos`` with ``fbuploader_video_file_chunk`` (the handle), ``title`` and
   ``description`` makes the video: published, or (``published=false`` with
   ``scheduled_publish_time``) scheduled.

Step 3 makes a post: it is never sent twice. When an earlier run may have sent it (the file was
whole), or the connection drops while sending it, the Page's videos are searched for the marker
in the description first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mlprod.errors import PublishError
from mlprod.graph.client import ConnectionLost, GraphClient
from mlprod.graph.errors import GraphRefused
from mlprod.graph.posts import MetaPost
from mlprod.graph.sessions import Sessions
from mlprod.graph.upload import Progress, UploadTarget, file_sha256, send_file
from mlprod.states import UploadStatus

TITLE_MAX = 255


def page_video_url(page_id: str, video_id: str) -> str:
    return f"https://www.facebook.com/{page_id}/videos/{video_id}/"


@dataclass(frozen=True)
class PageVideo:
    video_id: str
    session_id: int
    recovered: bool
    scheduled_for: dt.datetime | None


class PageVideos:
    def __init__(self, client: GraphClient, page_id: str, app_id: str, sessions: Sessions, part_size: int,
                 find: Callable[[], str | None]) -> None:
        self.client = client
        self.page_id = page_id
        self.app_id = app_id
        self.sessions = sessions
        self.part_size = part_size
        self.find = find
        """Looks for this recipe's post on the Page by its marker: its video id, or None."""

    def _position(self, session: str) -> tuple[int, str | None] | None:
        """(bytes received, handle once whole), or None when Meta forgot the session."""
        try:
            answer = self.client.get(session, "asking how far the video's upload got")
        except GraphRefused as err:
            if err.problem.code == 100:
                return None
            raise
        if answer.get("h"):
            return -1, str(answer["h"])
        return int(answer.get("file_offset") or 0), None

    def upload(self, key: str, video: Path, build_id: int | None, post: MetaPost, now: dt.datetime,
               progress: Progress | None) -> PageVideo:
        size, sha = video.stat().st_size, file_sha256(video)
        for row in self.sessions.active(key):
            if row.sha256 != sha or row.total != size:
                self.sessions.save(row.id, status=UploadStatus.abandoned)
                continue
            position = self._position(row.url)
            if position is None:
                self.sessions.save(row.id, status=UploadStatus.expired)
                continue
            offset, handle = position
            if handle is not None:  # whole: an earlier run may have made the post already
                found = self.find()
                if found is not None:
                    return PageVideo(found, row.id, recovered=True, scheduled_for=None)
            else:
                handle = self._send(row.id, row.url, video, offset, progress)
            return self._publish(row.id, handle, post, now, recovered=False)
        opened = self.client.post(f"{self.app_id}/uploads", "opening the video's upload", {
            "file_name": video.name, "file_length": size, "file_type": "video/mp4"}, repeatable=True)
        session = str(opened.get("id", ""))
        if not session:
            raise PublishError("Facebook did not open an upload session for the video — run the same"
                               " command again")
        row = self.sessions.open(key, build_id, session, None, sha, size)
        handle = self._send(row.id, session, video, 0, progress)
        return self._publish(row.id, handle, post, now, recovered=False)

    def _send(self, session_id: int, session: str, video: Path, start: int, progress: Progress | None) -> str:
        size = video.stat().st_size

        def where() -> int:
            position = self._position(session)
            if position is None:
                raise PublishError("Facebook forgot the video's upload session — run the same command"
                                   " again: a new upload starts")
            return size if position[1] else position[0]

        last = send_file(self.client, UploadTarget(self.client.url(session), video, self.part_size,
                                                   offset_header="file_offset"),
                         start, where=where, acknowledged=lambda o: self.sessions.save(session_id, offset=o),
                         progress=progress, done=lambda answer, _offset: bool(answer.get("h")))
        handle = last.get("h")
        if not handle:
            position = self._position(session)
            handle = position[1] if position else None
        if not handle:
            raise PublishError("Facebook did not give the uploaded video's handle — run the same command"
                               " again")
        return str(handle)

    def _publish(self, session_id: int, handle: str, post: MetaPost, now: dt.datetime,
                 *, recovered: bool) -> PageVideo:
        data: dict[str, str | int | None] = {
            "fbuploader_video_file_chunk": handle, "title": post.title[:TITLE_MAX],
            "description": post.caption}
        scheduled = post.publish_at if post.publish_at is not None and post.publish_at > now else None
        if scheduled is not None:
            data.update(published="false", scheduled_publish_time=int(scheduled.timestamp()))
        try:
            answer = self.client.post(f"{self.page_id}/videos", "publishing the video on the Page", data)
        except ConnectionLost as err:
            found = self.find()
            if found is None:
                raise PublishError(f"{err} — run the same command again: it looks before publishing") from err
            return PageVideo(found, session_id, recovered=True, scheduled_for=scheduled)
        video_id = str(answer.get("id", ""))
        self.sessions.save(session_id, remote_id=video_id)
        return PageVideo(video_id, session_id, recovered=recovered, scheduled_for=scheduled)
