"""YouTube behind the platform interface (:mod:`mlprod.publishing.platform`): the first platform.

The long video, in the recipe's first format (landscape by default), with a custom thumbnail,
French captions and a playlist; job offers join "Offres d'emploi". It is uploaded private and
gets the privacy or schedule the recipe asks (``release``) only once the rest is there. Every
call goes through :class:`~mlprod.youtube.api.Channel` (its cost in the quota ledger), signed in
on first use only.

YouTube offers no way to read the quota left: the ledger counts what mlprod spent. When it finds
on the channel a video uploaded today that the database did not record (a lost database), it
adds a conservative estimate of what that upload cost, and says so.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Sequence
from typing import Any

from mlprod.config import Settings
from mlprod.errors import PublishError
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
from mlprod.publishing.destinations import recipe_platforms
from mlprod.publishing.links import publications_of, recipe_key
from mlprod.recipe import LoadedRecipe
from mlprod.states import Format, PlatformName, Privacy, PublishAction, Step
from mlprod.store import Database
from mlprod.youtube.api import Channel, YouTubeRefused
from mlprod.youtube.attachments import insert_captions, set_thumbnail
from mlprod.youtube.links import PARTNER, WRITABLE_SNIPPET, link_pair
from mlprod.youtube.metadata import VideoMetadata, check, link_line, mark_expired, metadata_for, watch_url
from mlprod.youtube.playlists import add_to_playlist, ensure_playlist, remove_from_playlist
from mlprod.youtube.quota import budget_today, ensure_budget, quota_day, record_spend, reset_text, spent_today
from mlprod.youtube.quota_costs import CURRENT_COSTS, DAILY_QUOTA, method_cost
from mlprod.youtube.recovery import marked_uploads
from mlprod.youtube.upload import ResumableUpload, UploadTarget

WRITABLE_STATUS = ("privacyStatus", "embeddable", "license", "publicStatsViewable",
                   "selfDeclaredMadeForKids", "containsSyntheticMedia")
IDS_PER_CALL = 50
ESTIMATED = "estimated: an earlier run's upload"
"""The ledger's method name for what a video found on the channel cost (its calls were not recorded)."""


def _cost(method: str) -> int:
    return method_cost(CURRENT_COSTS, f"youtube.{method}")


def _meta(post: Post) -> VideoMetadata:
    assert isinstance(post, VideoMetadata), "YouTube publishes its own metadata"
    return post


def _moment(text: object) -> dt.datetime | None:
    if not text:
        return None
    try:
        when = dt.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def remote_of(resource: dict[str, Any], url: str | None = None) -> Remote:
    """What a ``videos`` resource says of the video (captions, when its contentDetails are there)."""
    status = resource.get("status", {})
    video_id = str(resource["id"])
    captioned = str(resource.get("contentDetails", {}).get("caption", "")) == "true"
    return Remote(remote_id=video_id, url=url or watch_url(video_id),
                  privacy=Privacy(str(status.get("privacyStatus", "private"))),
                  publish_at=_moment(status.get("publishAt")),
                  uploaded_at=_moment(resource.get("snippet", {}).get("publishedAt")),
                  done=(Step.captions,) if captioned else ())


class YouTubePlatform:
    """The channel the workspace is signed in to (``mlprod auth login``)."""

    name = PlatformName.youtube
    label = "YouTube"
    budget_pool = "youtube"
    """The Shorts spend the same daily quota (see :mod:`mlprod.publishing.platform`)."""

    def __init__(self, settings: Settings, db: Database, options: PlatformOptions | None = None,
                 channel: Channel | None = None) -> None:
        self.settings = settings
        self.db = db
        self.options = options or PlatformOptions()
        self.limit = self.options.quota_budget or DAILY_QUOTA
        self._channel = channel
        self._marked: dict[str, dict[str, Any]] | None = None
        self._estimated = 0

    @property
    def channel(self) -> Channel:
        """Signed in on first use: planning, and publishing what is already online, need no sign-in."""
        if self._channel is None:
            from mlprod.youtube.auth import youtube

            self._channel = Channel(youtube(self.settings), self.db, sleep=self.options.sleep or time.sleep)
        return self._channel

    # -- planning (no network) -----------------------------------------------------------------

    def cut(self, loaded: LoadedRecipe, chosen: Format | None) -> Format:
        return chosen or loaded.recipe.output.formats[0]

    def post_for(self, loaded: LoadedRecipe, marker: str, *, closed_on: dt.date | None = None) -> Post:
        return self._linked(loaded, metadata_for(loaded, closed_on=closed_on, marker=marker))

    def _linked(self, loaded: LoadedRecipe, meta: VideoMetadata) -> VideoMetadata:
        """With the line to the long video's Short (or the Short's long video) when it is online,
        and room kept for it when the recipe publishes both (:mod:`mlprod.youtube.links`)."""
        named = recipe_platforms(loaded, self.settings.platforms)
        paired = PlatformName.youtube in named and PlatformName.youtube_short in named
        partner = PARTNER[self.name]
        found = publications_of(self.db, recipe_key(self.settings.root, loaded.path), [partner]).get(partner)
        link = link_line(partner is PlatformName.youtube_short, found.url) if found and found.url else None
        return dataclasses.replace(meta, paired=paired, link=link)

    def check(self, post: Post, where: str, now: dt.datetime) -> None:
        check(_meta(post), where, now)

    def check_files(self, files: BuiltFiles, where: str) -> None:
        """YouTube takes up to 256 GB or 12 hours: nothing a recipe's video reaches."""

    def steps(self, post: Post) -> tuple[Step, ...]:
        link = (Step.link,) if _meta(post).paired else ()
        return (Step.thumbnail, Step.captions, Step.playlist, *link, Step.release)

    def estimate(self, action: PublishAction, post: Post, steps: Sequence[Step]) -> int:
        meta = _meta(post)
        first = action is PublishAction.upload
        # an upload first looks for the video on the channel: its uploads and their tags
        units = _cost("videos.insert") + self._find_cost() if first else 0
        if action is PublishAction.update:
            units += _cost("videos.update") + self._playlist_cost(meta)
        return units + sum(self._step_cost(step, meta, check_first=not first) for step in steps)

    def _find_cost(self) -> int:
        return _cost("channels.list") + _cost("playlistItems.list") + _cost("videos.list")

    def _playlist_cost(self, meta: VideoMetadata) -> int:
        if not meta.playlist:
            return 0
        return _cost("playlists.list") + _cost("playlists.insert") + _cost("playlistItems.insert")

    def _step_cost(self, step: Step, meta: VideoMetadata, *, check_first: bool) -> int:
        if step is Step.thumbnail:
            return _cost("thumbnails.set")
        if step is Step.captions:
            return (_cost("captions.list") if check_first else 0) + _cost("captions.insert")
        if step is Step.playlist and meta.playlist:
            return (_cost("playlistItems.list") if check_first else 0) + self._playlist_cost(meta)
        if step is Step.link:  # both descriptions read, both changed at most
            return _cost("videos.list") + 2 * _cost("videos.update")
        if step is Step.release:
            return _cost("videos.update")
        return 0

    def ensure_budget(self, needed: int, now: dt.datetime) -> None:
        ensure_budget(self.db, needed, self.limit, now)

    def budget(self, now: dt.datetime) -> Budget:
        today = budget_today(self.db, self.limit, now)
        spent = self._channel.spent if self._channel is not None else 0
        warning = None
        if self._estimated:
            warning = (f"{self._estimated:,} units of today's YouTube quota are estimated: videos uploaded"
                       " today by an earlier run were found on the channel, and this database did not"
                       " record what they cost (YouTube offers no way to read the quota left)")
        return Budget(spent_now=spent, used_today=today.used, limit=today.limit, note=reset_text(now),
                      warning=warning)

    # -- on the channel ------------------------------------------------------------------------

    def find(self, marker: str) -> Remote | None:
        """The channel's video carrying ``marker``: its uploads are read once per run."""
        if self._marked is None:
            self._marked = marked_uploads(self.channel)
        resource = self._marked.get(marker)
        if resource is None:
            return None
        remote = remote_of(resource, self.url(str(resource["id"])))
        self._count_earlier_upload(remote)
        return remote

    def _count_earlier_upload(self, remote: Remote) -> None:
        """A video uploaded today that the ledger knows nothing of: count what its upload and
        steps may have cost (all of them, playlist creation included: better refuse a batch up
        front than stop it halfway)."""
        now = dt.datetime.now(dt.UTC)
        if remote.uploaded_at is None or quota_day(remote.uploaded_at) != quota_day(now):
            return
        if spent_today(self.db, now) - self._estimated > self.channel.spent:
            return  # the ledger holds today's earlier runs: this video's cost is in it
        units = (_cost("videos.insert") + _cost("thumbnails.set") + _cost("captions.insert")
                 + _cost("playlists.list") + _cost("playlists.insert") + _cost("playlistItems.insert")
                 + _cost("videos.update"))
        record_spend(self.db, ESTIMATED, units, now)
        self._estimated += units

    def upload(self, key: str, files: BuiltFiles, post: Post, progress: Progress | None) -> Uploaded:
        # private until released: nothing shows before the thumbnail, captions and playlist
        meta = dataclasses.replace(_meta(post), privacy=Privacy.private, publish_at=None)
        target = UploadTarget(recipe=key, path=files.video, body=meta.body(), part="snippet,status",
                              build_id=files.build_id, chunk_size=self.settings.upload_chunk_size,
                              platform=self.name)
        done = ResumableUpload(self.channel, target, progress=progress).run()
        remote = remote_of(done.video, self.url(str(done.video["id"])))
        return Uploaded(remote, done.session_id, done.recovered)

    def do_step(self, step: Step, publication: PublicationView, post: Post, files: BuiltFiles | None,
                *, check_first: bool) -> StepOutcome:
        meta, video_id = _meta(post), publication.remote_id
        if step is Step.thumbnail:
            if files is None or files.thumbnail is None:
                return StepOutcome()
            try:
                set_thumbnail(self.channel, video_id, files.thumbnail)
            except YouTubeRefused as err:
                if err.reason != "forbidden":
                    raise
                return StepOutcome(done=False, warning=str(err))
            return StepOutcome()
        if step is Step.captions:
            if files is not None and files.captions is not None:
                insert_captions(self.channel, video_id, files.captions, check_first=check_first)
            return StepOutcome()
        if step is Step.playlist:
            if not meta.playlist:
                return StepOutcome()
            found = ensure_playlist(self.channel, meta.playlist)
            add_to_playlist(self.channel, found, video_id, check_first=check_first)
            return StepOutcome(playlist_id=found)
        if step is Step.link:
            return link_pair(self.channel, self.db, publication.recipe, self.name, video_id,
                             publication.url or self.url(video_id))
        if step is Step.release:
            answer = self.channel.call(self.channel.service.videos().update(
                part="status", body={"id": video_id, "status": meta.status()}),
                "making the video visible as the recipe asks")
            remote = remote_of(answer)
            return StepOutcome(privacy=remote.privacy, publish_at=remote.publish_at)
        return StepOutcome()

    def update(self, publication: PublicationView, post: Post) -> Remote:
        """``videos.update`` with whole snippet and status parts; a changed playlist is moved to."""
        meta, video_id = _meta(post), publication.remote_id
        if Step.release in publication.missing:  # not whole yet: it stays private until released
            meta = dataclasses.replace(meta, privacy=Privacy.private, publish_at=None)
        self.channel.call(self.channel.service.videos().update(
            part="snippet,status", body=meta.body(video_id)), "updating the video's metadata")
        playlist_id = publication.playlist_id
        if meta.playlist:
            wanted = ensure_playlist(self.channel, meta.playlist)
            if wanted != playlist_id:
                add_to_playlist(self.channel, wanted, video_id, check_first=True)
                if playlist_id:
                    remove_from_playlist(self.channel, playlist_id, video_id)
                playlist_id = wanted
        return Remote(video_id, self.url(video_id), meta.privacy, meta.publish_at, playlist_id)

    def take_down(self, publication: PublicationView, closed_on: dt.date) -> TakeDown:
        """Unlisted, the notice first in the description, out of its playlist (read first, so
        nothing else changes: ``videos.update`` replaces whole parts)."""
        video_id = publication.remote_id
        answer = self.channel.call(self.channel.service.videos().list(part="snippet,status", id=video_id),
                                   f"reading the video of {publication.recipe}")
        items = answer.get("items") or []
        if not items:
            return TakeDown(done=True, note="the video is no longer on YouTube; marked expired here")
        video = items[0]
        snippet = {k: v for k, v in video.get("snippet", {}).items() if k in WRITABLE_SNIPPET}
        snippet["description"] = mark_expired(str(snippet.get("description", "")), closed_on)
        status = {k: v for k, v in video.get("status", {}).items() if k in WRITABLE_STATUS}
        status["privacyStatus"] = "unlisted"  # and no publishAt: a closed offer is never scheduled
        self.channel.call(self.channel.service.videos().update(
            part="snippet,status", body={"id": video_id, "snippet": snippet, "status": status}),
            f"unlisting the video of {publication.recipe}")
        if publication.playlist_id:
            try:
                remove_from_playlist(self.channel, publication.playlist_id, video_id)
            except YouTubeRefused as err:
                if err.status != 404:  # the playlist itself was deleted: nothing to leave
                    raise
        return TakeDown(done=True)

    def url(self, remote_id: str) -> str:
        return watch_url(remote_id)

    def audience(self, remote_ids: Sequence[str]) -> AudienceFigures:
        """The channel's subscribers (rounded by YouTube; None when hidden) and each video's views."""
        answer = self.channel.call(self.channel.service.channels().list(part="statistics", mine=True),
                                   "reading the channel's subscribers")
        items = answer.get("items") or []
        if not items:
            raise PublishError("the signed-in account has no YouTube channel — sign in with the"
                               " channel's account (`mlprod auth login`)")
        stats = items[0].get("statistics", {})
        hidden = bool(stats.get("hiddenSubscriberCount")) or "subscriberCount" not in stats
        views: dict[str, int] = {}
        ids = list(remote_ids)
        for at in range(0, len(ids), IDS_PER_CALL):
            page = self.channel.call(self.channel.service.videos().list(
                part="statistics", id=",".join(ids[at:at + IDS_PER_CALL])), "reading the videos' views")
            views.update({str(v["id"]): int(v.get("statistics", {}).get("viewCount", 0))
                          for v in page.get("items", [])})
        return AudienceFigures(None if hidden else int(stats["subscriberCount"]), views)
