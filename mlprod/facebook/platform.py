"""Facebook behind the platform interface (:mod:`mlprod.publishing.platform`): the Page's Reels and
videos.

Which cut: the vertical one as a Reel (:mod:`mlprod.facebook.reels`) when the recipe makes one and
its clips fit in a Reel's 90 seconds; otherwise the landscape cut as a Page video
(:mod:`mlprod.facebook.videos`). The file decides at upload time (9:16 → Reel), so ``--format``
can force either. A Reel is uploaded, then released (``finish``) as the one step that follows;
a Page video is posted in its upload's last call, its release only reads it back.

The 30 Reels a Page may publish through the API in a moving 24 hours are counted from mlprod's
own publications before anything is sent (Meta refuses the 31st with code 613 at ``finish``, after
the upload: too late). The marker is the caption's last line (``réf. mlprod-…``), found again by
listing the Page's Reels and videos.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from functools import cached_property

from sqlalchemy import select

from mlprod.config import Settings
from mlprod.errors import MlprodError
from mlprod.facebook.reels import Reels, VideoStatus, reel_url, video_status
from mlprod.facebook.rules import REEL_MAX_SECONDS, REELS_PER_DAY, WINDOW, check_post, check_reel_file
from mlprod.facebook.rules import ensure_reels_left as ensure_left
from mlprod.facebook.videos import PageVideos, page_video_url
from mlprod.graph.client import GraphClient
from mlprod.graph.errors import GraphRefused
from mlprod.graph.posts import MetaPost
from mlprod.graph.posts import post_for as meta_post_for
from mlprod.graph.sessions import Sessions
from mlprod.graph.signin import SignIn, signed_in_client
from mlprod.media.probe import probe
from mlprod.publishing import (
    AudienceFigures,
    Budget,
    BuiltFiles,
    PlatformOptions,
    Post,
    Progress,
    PublicationView,
    Remote,
    StepOutcome,
    TakeDown,
    Uploaded,
)
from mlprod.recipe import LoadedRecipe
from mlprod.states import Format, PlatformName, Privacy, PublishAction, Step
from mlprod.store import Database
from mlprod.store.models import Publication, utcnow

WATCH_URL = "https://www.facebook.com/watch/?v={}"
LOOK_BACK = 200
"""How many of the Page's latest Reels and videos are searched for a marker."""


def _post(post: Post) -> MetaPost:
    assert isinstance(post, MetaPost), "Facebook publishes its own posts"
    return post


def clips_seconds(loaded: LoadedRecipe) -> float | None:
    """The clips' length once trimmed: less than the video (cards come on top), None if unknown."""
    total = 0.0
    for clip in loaded.recipe.clips:
        try:
            info = probe(clip.file)
        except MlprodError:  # a missing or broken clip: the build says so, with the fix
            return None
        end = clip.end if clip.end is not None else info.duration
        total += max((end or 0.0) - (clip.start or 0.0), 0.0)
    return total


class FacebookPlatform:
    """The Page the workspace is signed in to (``mlprod auth login --platform facebook``)."""

    name = PlatformName.facebook
    label = "Facebook"

    def __init__(self, settings: Settings, db: Database, options: PlatformOptions | None = None) -> None:
        self.settings = settings
        self.db = db
        self.options = options or PlatformOptions()
        self.sessions = Sessions(db, self.name)
        self.reels_sent = 0

    # -- signed in on first use ----------------------------------------------------------------

    @cached_property
    def _signed_in(self) -> tuple[SignIn, GraphClient]:
        return signed_in_client(self.settings, self.label, self.options.sleep or time.sleep)

    @property
    def client(self) -> GraphClient:
        return self._signed_in[1]

    @property
    def page_id(self) -> str:
        return self._signed_in[0].page_id

    def _reels(self) -> Reels:
        return Reels(self.client, self.page_id, self.sessions, self.settings.upload_chunk_size)

    # -- planning (no network) -----------------------------------------------------------------

    def cut(self, loaded: LoadedRecipe, chosen: Format | None) -> Format:
        if chosen is not None:
            return chosen
        return Format.vertical if self._as_reel(loaded) else Format.landscape

    def _as_reel(self, loaded: LoadedRecipe) -> bool:
        if Format.vertical not in loaded.recipe.output.formats:
            return False
        seconds = clips_seconds(loaded)
        return seconds is None or seconds <= REEL_MAX_SECONDS

    def post_for(self, loaded: LoadedRecipe, marker: str, *, closed_on: dt.date | None = None) -> Post:
        return meta_post_for(loaded, marker, closed_on=closed_on, reel=self._as_reel(loaded))

    def check(self, post: Post, where: str, now: dt.datetime) -> None:
        check_post(_post(post), where, now)

    def check_files(self, files: BuiltFiles, where: str) -> None:
        info = probe(files.video)
        video = info.video
        if video is None or video.height <= video.width:
            return  # a Page video: up to 4 hours, nothing a recipe reaches
        check_reel_file(video.width, video.height, info.duration, video.fps, where)

    def steps(self, post: Post) -> tuple[Step, ...]:
        return (Step.release,)

    def estimate(self, action: PublishAction, post: Post, steps: Sequence[Step]) -> int:
        """Reels this publication adds to the Page's 30 a day."""
        meta = _post(post)
        releasing = action is PublishAction.upload or Step.release in steps
        return 1 if meta.reel and releasing else 0

    def _reels_published(self, now: dt.datetime) -> list[dt.datetime]:
        with self.db.transaction() as s:
            rows = s.scalars(select(Publication.published_at).where(
                Publication.platform == self.name, Publication.url.like("%/reel/%"),
                Publication.published_at > now - WINDOW))
            return list(rows)

    def ensure_budget(self, needed: int, now: dt.datetime) -> None:
        ensure_left(self._reels_published(now), needed, now)

    def budget(self, now: dt.datetime) -> Budget:
        used = len(self._reels_published(now))
        return Budget(spent_now=self.reels_sent, used_today=used, limit=REELS_PER_DAY, unit="Reels",
                      note="in a moving 24 hours")

    # -- on the Page ---------------------------------------------------------------------------

    def find(self, marker: str) -> Remote | None:
        """The Reel or video whose description carries ``marker`` (the Page's latest ones)."""
        for edge, as_reel in (("video_reels", True), ("videos", False)):
            items = self.client.get_all(f"{self.page_id}/{edge}", "looking for an earlier post",
                                        {"fields": "id,description"}, limit=LOOK_BACK)
            for item in items:
                if marker in str(item.get("description") or ""):
                    video_id = str(item["id"])
                    return self._remote(video_id, video_status(self.client, video_id), reel=as_reel)
        return None

    def _remote(self, video_id: str, status: VideoStatus | None, *, reel: bool) -> Remote:
        url = reel_url(video_id) if reel else page_video_url(self.page_id, video_id)
        if status is None or not status.finished:
            return Remote(video_id, url, Privacy.private)
        if status.publish_status == "scheduled":
            return Remote(video_id, url, Privacy.private, publish_at=status.publish_time,
                          done=(Step.release,))
        return Remote(video_id, url, Privacy.public, uploaded_at=status.publish_time, done=(Step.release,))

    def upload(self, key: str, files: BuiltFiles, post: Post, progress: Progress | None) -> Uploaded:
        meta = _post(post)
        video = probe(files.video).video
        if video is not None and video.height > video.width:
            done = self._reels().upload(key, files.video, files.build_id, progress)
            self.reels_sent += 1
            return Uploaded(self._remote(done.video_id, done.finished, reel=True), done.session_id,
                            done.recovered)
        videos = PageVideos(self.client, self.page_id, self._signed_in[0].app_id or "app", self.sessions,
                            self.settings.upload_chunk_size, lambda: self._found_id(meta.marker))
        made = videos.upload(key, files.video, files.build_id, meta, utcnow(), progress)
        status = video_status(self.client, made.video_id)
        return Uploaded(self._remote(made.video_id, status, reel=False), made.session_id, made.recovered)

    def _found_id(self, marker: str) -> str | None:
        found = self.find(marker)
        return found.remote_id if found else None

    def do_step(self, step: Step, publication: PublicationView, post: Post, files: BuiltFiles | None,
                *, check_first: bool) -> StepOutcome:
        if step is not Step.release:
            return StepOutcome()
        # a Page video was posted whole: reading its status first never finishes it twice
        status = self._reels().finish(publication.remote_id, _post(post), utcnow(), check_first=True)
        if status.publish_status == "scheduled":
            return StepOutcome(privacy=Privacy.private, publish_at=status.publish_time)
        return StepOutcome(privacy=Privacy.public)

    def update(self, publication: PublicationView, post: Post) -> Remote:
        """The description (and a Page video's title) as the recipe says now."""
        meta = _post(post)
        data: dict[str, str | int | None] = {"description": meta.caption}
        if "/reel/" not in (publication.url or ""):
            data["title"] = meta.title[:255]
        self.client.post(publication.remote_id, "updating the post's description", data, repeatable=True)
        return Remote(publication.remote_id, publication.url or self.url(publication.remote_id),
                      publication.privacy, publication.publish_at)

    def take_down(self, publication: PublicationView, closed_on: dt.date) -> TakeDown:
        """A closed offer's Reel or video is deleted from the Page."""
        try:
            self.client.delete(publication.remote_id, f"deleting the post of {publication.recipe}")
        except GraphRefused as err:
            if err.problem.code != 100:
                raise
            return TakeDown(done=True, note="the post is no longer on the Page; marked expired here")
        return TakeDown(done=True, note="deleted from the Page")

    def url(self, remote_id: str) -> str:
        return WATCH_URL.format(remote_id)

    def audience(self, remote_ids: Sequence[str]) -> AudienceFigures:
        """The Page's followers now, and each post's views (3 seconds or more)."""
        page = self.client.get(self.page_id, "reading the Page's followers",
                               {"fields": "followers_count,fan_count"})
        count = page.get("followers_count", page.get("fan_count"))
        views: dict[str, int] = {}
        for video_id in remote_ids:
            try:
                answer = self.client.get(f"{video_id}/video_insights", "reading a post's views",
                                         {"metric": "total_video_views"})
            except GraphRefused as err:
                if err.problem.code == 100:  # deleted since (an expired offer)
                    continue
                raise
            for entry in answer.get("data") or []:
                values = entry.get("values") or [{}]
                views[video_id] = int(values[-1].get("value") or 0)
        return AudienceFigures(int(count) if count is not None else None, views)
