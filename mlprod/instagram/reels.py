"""An Instagram Reel: a REELS container uploaded resumably, polled until ready, then published.

1. ``POST /{ig-user-id}/media`` with ``media_type=REELS``, ``upload_type=resumable`` and the
   caption makes a container (its id and upload ``uri``), saved in the database before any byte;
2. the bytes go part by part to the ``uri`` (headers ``offset``, ``file_size``); a new run reads
   ``GET /{container}?fields=video_status`` (``uploading_phase.bytes_transferred``) and resumes;
3. ``GET /{container}?fields=status_code,status`` is polled until ``FINISHED`` — every few seconds,
   for at most :data:`MAX_WAIT`, saying so when it takes a while; ``ERROR`` and ``EXPIRED`` (24 h
   after its creation) end the container: the next run starts a new one;
4. ``content_publishing_limit`` is read, then ``POST /{ig-user-id}/media_publish`` with
   ``creation_id`` makes the post. That call is never sent twice: after a dropped connection, or
   when a container says ``PUBLISHED``, the account's media are searched for the marker instead.

Instagram's API cannot schedule a post, nor make one private, nor delete one (staff do it in the
app): the platform's checks and ``take_down`` say so.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mlprod.errors import PublishError, QuotaExceeded
from mlprod.graph.client import ConnectionLost, GraphClient
from mlprod.graph.errors import GraphRefused
from mlprod.graph.posts import MetaPost
from mlprod.graph.sessions import Sessions
from mlprod.graph.upload import Progress, UploadTarget, file_sha256, send_file
from mlprod.states import UploadStatus

log = logging.getLogger(__name__)

POLL_EVERY = 3.0
MAX_WAIT = 600.0
SAY_AFTER = 15.0
GONE = frozenset({"ERROR", "EXPIRED"})


@dataclass(frozen=True)
class PublishedReel:
    media_id: str
    session_id: int
    recovered: bool


@dataclass(frozen=True)
class Limit:
    used: int
    total: int

    @property
    def left(self) -> int:
        return max(self.total - self.used, 0)


class InstagramReels:
    def __init__(self, client: GraphClient, account_id: str, sessions: Sessions, part_size: int,
                 find: Callable[[], str | None], *, clock: Callable[[], float] = time.monotonic,
                 poll_every: float = POLL_EVERY, max_wait: float = MAX_WAIT) -> None:
        self.client = client
        self.account_id = account_id
        self.sessions = sessions
        self.part_size = part_size
        self.find = find
        """Looks for this recipe's post on the account by its marker: its media id, or None."""
        self.clock = clock
        self.poll_every = poll_every
        self.max_wait = max_wait

    # -- what Instagram says -------------------------------------------------------------------

    def limit(self) -> Limit:
        answer = self.client.get(f"{self.account_id}/content_publishing_limit",
                                 "reading the account's publishing limit", {"fields": "quota_usage,config"})
        entry = (answer.get("data") or [{}])[0]
        config = entry.get("config") or {}
        return Limit(int(entry.get("quota_usage") or 0), int(config.get("quota_total") or 100))

    def ensure_limit(self, needed: int = 1) -> None:
        limit = self.limit()
        if limit.left < needed:
            raise QuotaExceeded(f"instagram: the account published {limit.used} posts in the last 24 hours,"
                                f" Instagram's limit is {limit.total} — publish the rest tomorrow"
                                " (`mlprod publish --platform instagram` then): what was done is kept")

    def _container(self, container_id: str, fields: str) -> dict[str, object] | None:
        try:
            return self.client.get(container_id, "asking Instagram about the upload", {"fields": fields})
        except GraphRefused as err:
            if err.problem.code == 100:
                return None
            raise

    def _received(self, container_id: str) -> int:
        answer = self._container(container_id, "video_status")
        if answer is None:
            raise PublishError("Instagram forgot the Reel's upload — run the same command again: a new"
                               " upload starts")
        status = answer.get("video_status")
        uploading = status.get("uploading_phase") if isinstance(status, dict) else None
        return int(uploading.get("bytes_transferred") or 0) if isinstance(uploading, dict) else 0

    def _status(self, container_id: str) -> tuple[str, str]:
        answer = self._container(container_id, "status_code,status")
        if answer is None:
            return "EXPIRED", "Instagram no longer knows the container"
        return str(answer.get("status_code", "")), str(answer.get("status", ""))

    # -- the whole publication -----------------------------------------------------------------

    def publish(self, key: str, video: Path, build_id: int | None, post: MetaPost,
                progress: Progress | None) -> PublishedReel:
        size, sha = video.stat().st_size, file_sha256(video)
        for row in self.sessions.active(key):
            if row.sha256 != sha or row.total != size or not row.remote_id:
                self.sessions.save(row.id, status=UploadStatus.abandoned)
                continue
            code, _why = self._status(row.remote_id)
            if code == "PUBLISHED":
                found = self.find()
                if found is not None:
                    return PublishedReel(found, row.id, recovered=True)
                self.sessions.save(row.id, status=UploadStatus.abandoned)
                continue
            if code in GONE:
                self.sessions.save(row.id, status=UploadStatus.expired)
                continue
            offset = self._received(row.remote_id)
            self.sessions.save(row.id, offset=offset)
            if offset < size:
                self._send(row.id, row.url, row.remote_id, video, offset, progress)
            return self._ready_then_publish(row.id, row.remote_id, recovered=offset >= size)
        self.ensure_limit()  # before sending anything that could not be published today
        created = self.client.post(f"{self.account_id}/media", "creating the Instagram Reel", {
            "media_type": "REELS", "upload_type": "resumable", "caption": post.caption},
            repeatable=True)  # a container made twice is never published: it expires unseen
        container, uri = str(created.get("id", "")), str(created.get("uri", ""))
        if not container or not uri:
            raise PublishError("Instagram did not open an upload for the Reel (it answered"
                               f" {sorted(created)}) — run the same command again")
        row = self.sessions.open(key, build_id, uri, container, sha, size)
        self._send(row.id, uri, container, video, 0, progress)
        return self._ready_then_publish(row.id, container, recovered=False)

    def _send(self, session_id: int, uri: str, container: str, video: Path, start: int,
              progress: Progress | None) -> None:
        send_file(self.client, UploadTarget(uri, video, self.part_size), start,
                  where=lambda: self._received(container),
                  acknowledged=lambda offset: self.sessions.save(session_id, offset=offset),
                  progress=progress)

    def wait_until_ready(self, container: str) -> None:
        """Poll the container until ``FINISHED``; our error for ``ERROR``, ``EXPIRED`` or a long wait."""
        started = self.clock()
        said = False
        while True:
            code, why = self._status(container)
            if code in ("FINISHED", "PUBLISHED"):
                return
            if code == "ERROR":
                raise PublishError(f"Instagram could not process the video ({why or 'no reason given'}) —"
                                   " check the vertical cut (an MP4 of 3 s to 15 min, at most 1920 px"
                                   " wide), then run the same command again: a new upload starts")
            if code == "EXPIRED":
                raise PublishError("the Instagram upload expired before it was published (Instagram keeps it"
                                   " 24 hours) — run the same command again: a new upload starts")
            waited = self.clock() - started
            if waited >= self.max_wait:
                raise PublishError("Instagram is still processing the video after"
                                   f" {waited / 60:.0f} min — run the same command later: it publishes it"
                                   " once ready, without uploading again")
            if waited >= SAY_AFTER and not said:
                log.warning("Instagram is processing the video (%s); waiting up to %.0f min more",
                            code or "no status yet", (self.max_wait - waited) / 60)
                said = True
            self.client.sleep(self.poll_every)

    def _ready_then_publish(self, session_id: int, container: str, *, recovered: bool) -> PublishedReel:
        try:
            self.wait_until_ready(container)
        except PublishError:
            if self._status(container)[0] in GONE:
                self.sessions.save(session_id, status=UploadStatus.expired)
            raise
        self.ensure_limit()
        try:
            answer = self.client.post(f"{self.account_id}/media_publish", "publishing the Instagram Reel",
                                      {"creation_id": container})
        except ConnectionLost as err:
            found = self.find() if self._status(container)[0] == "PUBLISHED" else None
            if found is None:
                raise PublishError(f"{err} — run the same command again: it looks before publishing") from err
            return PublishedReel(found, session_id, recovered=True)
        media_id = str(answer.get("id", ""))
        if not media_id:
            raise PublishError("Instagram published the Reel but gave no id — run `mlprod publish` again: it"
                               " finds the post by its reference line")
        return PublishedReel(media_id, session_id, recovered=recovered)
