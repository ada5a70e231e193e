"""``mlprod publish``: build if needed, upload once, then thumbnail, captions and playlist.

A batch is planned first without touching the network (recipe, consent, metadata rules, what is
left to do and its quota cost), refused up front if today's quota cannot cover it, then carried
out recipe by recipe: a failing recipe does not stop the others, except a spent quota or a lost
sign-in, which stop the batch cleanly. Each step is recorded as soon as YouTube confirms it, so
running the same command again finishes what is missing and never repeats what was done.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import select

from mlprod.config import Settings
from mlprod.errors import AuthError, MlprodError, PublishError, QuotaExceeded
from mlprod.locks import workspace_lock
from mlprod.progress import ProgressBar
from mlprod.recipe import LoadedRecipe, load_recipe
from mlprod.store import Database
from mlprod.store.models import Video, utcnow
from mlprod.youtube.api import Channel, YouTubeRefused
from mlprod.youtube.attachments import insert_captions, set_thumbnail
from mlprod.youtube.metadata import VideoMetadata, check, metadata_for
from mlprod.youtube.playlists import add_to_playlist, ensure_playlist, remove_from_playlist
from mlprod.youtube.quota import budget_today, ensure_budget
from mlprod.youtube.quota_costs import CURRENT_COSTS, DAILY_QUOTA, method_cost
from mlprod.youtube.records import (
    BuiltFiles,
    check_consent,
    files_of_build,
    recipe_key,
    video_for,
    watch_url,
)
from mlprod.youtube.upload import ResumableUpload, UploadTarget, finish_session

BarFactory = Callable[[str], ProgressBar]


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class PublishOptions:
    update: bool = False
    quota_budget: int = DAILY_QUOTA
    format: str | None = None
    upload_bar: BarFactory | None = None
    build_bar: BarFactory | None = None
    now: Callable[[], dt.datetime] = _utcnow


class Outcome(StrEnum):
    published = "published"
    scheduled = "scheduled"
    completed = "completed"    # an earlier run's video, its missing steps done now
    updated = "updated"
    unchanged = "unchanged"
    already = "already"        # published before: nothing changed on the channel
    failed = "failed"
    skipped = "skipped"        # not tried: the batch stopped before (quota, sign-in)


@dataclass
class PublishResult:
    recipe: str
    outcome: Outcome
    message: str
    youtube_id: str | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def url(self) -> str | None:
        return watch_url(self.youtube_id) if self.youtube_id else None

    def to_json(self) -> dict[str, Any]:
        return {"recipe": self.recipe, "outcome": self.outcome.value, "youtube_id": self.youtube_id,
                "url": self.url, "message": self.message, "warnings": self.warnings}


@dataclass
class BatchResult:
    results: list[PublishResult]
    spent: int
    used_today: int
    budget: int
    stopped: str | None = None

    @property
    def failed(self) -> list[PublishResult]:
        return [r for r in self.results if r.outcome in (Outcome.failed, Outcome.skipped)]


@dataclass
class Plan:
    """One recipe's work, decided before anything is sent."""

    path: Path
    key: str
    loaded: LoadedRecipe
    meta: VideoMetadata
    video: Video | None
    action: str  # upload | finish | update | nothing
    estimate: int
    format: str


def _cost(method: str) -> int:
    return method_cost(CURRENT_COSTS, f"youtube.{method}")


def _playlist_cost(meta: VideoMetadata) -> int:
    if not meta.playlist:
        return 0
    return _cost("playlists.list") + _cost("playlists.insert") + _cost("playlistItems.insert")


def _pending_cost(video: Video, meta: VideoMetadata) -> int:
    units = 0 if video.thumbnail_done else _cost("thumbnails.set")
    if not video.captions_done:
        units += _cost("captions.list") + _cost("captions.insert")
    if meta.playlist and not video.playlist_id:
        units += _cost("playlistItems.list") + _playlist_cost(meta)
    return units


def _pending(video: Video, meta: VideoMetadata) -> bool:
    return not (video.thumbnail_done and video.captions_done and (video.playlist_id or not meta.playlist))


def _settled(meta: VideoMetadata, now: dt.datetime) -> VideoMetadata:
    """A schedule that has passed: YouTube made the video public then; do not send it again."""
    if meta.publish_at is not None and meta.publish_at <= now:
        privacy = "public" if meta.privacy == "private" else meta.privacy
        return dataclasses.replace(meta, publish_at=None, privacy=privacy)
    return meta


class Publisher:
    def __init__(self, settings: Settings, db: Database, options: PublishOptions,
                 channel: Channel | None = None) -> None:
        self.settings = settings
        self.db = db
        self.options = options
        self._channel = channel

    @property
    def channel(self) -> Channel:
        """Signed in on first use: publishing what is already online needs no sign-in."""
        if self._channel is None:
            from mlprod.youtube.auth import youtube

            self._channel = Channel(youtube(self.settings), self.db)
        return self._channel

    # -- planning (no network) -----------------------------------------------------------------

    def plan(self, path: Path) -> Plan:
        loaded = load_recipe(path)
        key = recipe_key(self.settings, loaded.path)
        video = video_for(self.db, key)
        closed_on = video.offer_closes if video is not None and video.expired_at else None
        meta = metadata_for(loaded, closed_on=closed_on)
        fmt = self.options.format or loaded.recipe.output.formats[0].value
        if video is None:
            check_consent(self.db, loaded, key)
            check(meta, key, self.options.now())
            estimate = (_cost("videos.insert") + _cost("thumbnails.set") + _cost("captions.insert")
                        + _playlist_cost(meta))
            return Plan(path, key, loaded, meta, None, "upload", estimate, fmt)
        meta = _settled(meta, self.options.now())
        if self.options.update and video.metadata_hash != meta.fingerprint():
            check_consent(self.db, loaded, key)
            check(meta, key, self.options.now())
            estimate = _cost("videos.update") + _playlist_cost(meta) + _pending_cost(video, meta)
            return Plan(path, key, loaded, meta, video, "update", estimate, fmt)
        if _pending(video, meta):
            return Plan(path, key, loaded, meta, video, "finish", _pending_cost(video, meta), fmt)
        return Plan(path, key, loaded, meta, video, "nothing", 0, fmt)

    # -- doing ---------------------------------------------------------------------------------

    def execute(self, plan: Plan) -> PublishResult:
        if plan.action == "nothing":
            return self._already(plan)
        if plan.action == "upload":
            return self._upload(plan)
        assert plan.video is not None
        ensure_budget(self.db, plan.estimate, self.options.quota_budget, self.options.now())
        files = files_of_build(self.settings, self.db, plan.video.build_id)
        if plan.action == "update":
            self._push_metadata(plan)
            warnings = self._finish(plan.video.id, plan.meta, files, check_first=True)
            return PublishResult(plan.key, Outcome.updated, "metadata updated on YouTube (no re-upload)",
                                 plan.video.youtube_id, warnings)
        warnings = self._finish(plan.video.id, plan.meta, files, check_first=True)
        return PublishResult(plan.key, Outcome.completed, "published earlier; the missing steps are done",
                             plan.video.youtube_id, warnings)

    def _already(self, plan: Plan) -> PublishResult:
        assert plan.video is not None
        message = "already published: nothing changed on the channel"
        if plan.video.metadata_hash != plan.meta.fingerprint() and not self.options.update:
            message += " (the recipe's title, description, tags or schedule changed since —"
            message += " `mlprod publish --update` pushes them)"
        outcome = Outcome.unchanged if self.options.update else Outcome.already
        return PublishResult(plan.key, outcome, message, plan.video.youtube_id)

    def _build(self, plan: Plan) -> BuiltFiles:
        """The recipe's current build in the format to publish, rendered first if missing or stale."""
        from mlprod.jobs.build import build_recipe, current_build
        from mlprod.recipe.schema import Format

        fmt = Format(plan.format)
        found = current_build(self.settings, self.db, plan.loaded.path, fmt)
        if found is None:
            bars: list[ProgressBar] = []

            def progress(label: str) -> Callable[[float, float], None]:
                assert self.options.build_bar is not None
                bars.append(self.options.build_bar(f"build {label}"))
                return bars[-1].update

            try:
                built = build_recipe(self.settings, self.db, plan.loaded.path, formats=[fmt],
                                     progress=progress if self.options.build_bar else None)
            finally:
                for bar in bars:
                    bar.close()
            found = next((b for b in built if b.format == fmt), None)
            if found is None:
                raise PublishError(f"{plan.key}: the build made no {plan.format} video — run"
                                   f" `mlprod build {plan.key}` to see why")
        return BuiltFiles(found.build_id, Path(found.video),
                          Path(found.captions) if found.captions else None,
                          Path(found.thumbnail) if found.thumbnail else None)

    def _upload(self, plan: Plan) -> PublishResult:
        files = self._build(plan)
        ensure_budget(self.db, plan.estimate, self.options.quota_budget, self.options.now())
        target = UploadTarget(recipe=plan.key, path=files.video, body=plan.meta.body(),
                              part="snippet,status", build_id=files.build_id,
                              chunk_size=self.settings.upload_chunk_size)
        bar = self.options.upload_bar(f"upload {plan.loaded.slug}") if self.options.upload_bar else None
        try:
            done = ResumableUpload(self.channel, target, progress=bar.update if bar else None).run()
        finally:
            if bar:
                bar.close()
        youtube_id = str(done.video["id"])
        row_id = self._record(plan, files, done.video, done.session_id)
        warnings = self._finish(row_id, plan.meta, files, check_first=done.recovered)
        status = done.video.get("status", {})
        if status.get("publishAt"):
            message = f"scheduled: private until {status['publishAt']}, public from then"
            outcome = Outcome.scheduled
        else:
            privacy = status.get("privacyStatus", plan.meta.privacy)
            message, outcome = f"published ({privacy})", Outcome.published
        if done.recovered:
            message += "; the upload had finished in an earlier run, it is now recorded"
        return PublishResult(plan.key, outcome, message, youtube_id, warnings)

    def _record(self, plan: Plan, files: BuiltFiles, resource: dict[str, Any], session_id: int) -> int:
        """The Video row and the session's end, in one transaction."""
        status = resource.get("status", {})
        publish_at = status.get("publishAt")
        offer = getattr(plan.loaded.recipe, "offer", None)
        with self.db.transaction() as s:
            finish_session(s, session_id, str(resource["id"]))
            row = s.scalar(select(Video).where(Video.youtube_id == str(resource["id"])))
            if row is None:
                row = Video(recipe=plan.key, youtube_id=str(resource["id"]), build_id=files.build_id,
                            kind=plan.loaded.kind, title=plan.meta.title,
                            privacy=str(status.get("privacyStatus", plan.meta.privacy)),
                            publish_at=dt.datetime.fromisoformat(publish_at) if publish_at else None,
                            offer_closes=offer.closes if offer else None,
                            metadata_hash=plan.meta.fingerprint(),
                            thumbnail_done=files.thumbnail is None, captions_done=files.captions is None)
                s.add(row)
                s.flush()
            return row.id

    def _finish(self, row_id: int, meta: VideoMetadata, files: BuiltFiles | None,
                *, check_first: bool) -> list[str]:
        """Thumbnail, captions, playlist: each done once, each recorded as soon as it is done."""
        warnings: list[str] = []
        with self.db.transaction() as s:
            row = s.get(Video, row_id)
            assert row is not None
            video_id, thumb_done, captions_done, playlist_id = (
                row.youtube_id, row.thumbnail_done, row.captions_done, row.playlist_id)
        if files is None and not (thumb_done and captions_done):
            warnings.append("the build behind this video is gone: thumbnail and captions not sent —"
                            " run `mlprod build` on the recipe, then `mlprod publish --update`")
        elif files is not None:
            if not thumb_done and (files.thumbnail is None
                                   or self._thumbnail(video_id, files.thumbnail, warnings)):
                self._mark(row_id, thumbnail_done=True)
            if not captions_done:
                if files.captions is not None:
                    insert_captions(self.channel, video_id, files.captions, check_first=check_first)
                self._mark(row_id, captions_done=True)
        if meta.playlist and not playlist_id:
            found = ensure_playlist(self.channel, meta.playlist)
            add_to_playlist(self.channel, found, video_id, check_first=check_first)
            self._mark(row_id, playlist_id=found)
        return warnings

    def _thumbnail(self, video_id: str, image: Path, warnings: list[str]) -> bool:
        try:
            set_thumbnail(self.channel, video_id, image)
        except YouTubeRefused as err:
            if err.reason != "forbidden":
                raise
            warnings.append(str(err))
            return False
        return True

    def _mark(self, row_id: int, **values: Any) -> None:
        with self.db.transaction() as s:
            row = s.get(Video, row_id)
            assert row is not None
            for name, value in values.items():
                setattr(row, name, value)
            row.updated_at = utcnow()

    def _push_metadata(self, plan: Plan) -> None:
        """``videos.update`` with whole snippet and status parts; a changed playlist is moved to."""
        video, meta = plan.video, plan.meta
        assert video is not None
        self.channel.call(self.channel.service.videos().update(
            part="snippet,status", body=meta.body(video.youtube_id)), "updating the video's metadata")
        playlist_id = video.playlist_id
        if meta.playlist:
            wanted = ensure_playlist(self.channel, meta.playlist)
            if wanted != playlist_id:
                add_to_playlist(self.channel, wanted, video.youtube_id, check_first=True)
                if playlist_id:
                    remove_from_playlist(self.channel, playlist_id, video.youtube_id)
                playlist_id = wanted
        offer = getattr(plan.loaded.recipe, "offer", None)
        self._mark(video.id, title=meta.title, privacy=meta.privacy, publish_at=meta.publish_at,
                   playlist_id=playlist_id, metadata_hash=meta.fingerprint(),
                   offer_closes=offer.closes if offer else None)


def publish_recipes(settings: Settings, db: Database, paths: Sequence[Path],
                    options: PublishOptions | None = None, channel: Channel | None = None) -> BatchResult:
    """Publish each recipe; a failing one does not stop the others (a spent quota or a lost
    sign-in stops the batch). Raises :class:`QuotaExceeded` up front when today's budget cannot
    cover the whole batch."""
    with workspace_lock(settings, "publish", "mlprod publish", PublishError):
        return _publish_batch(settings, db, paths, options or PublishOptions(), channel)


def _publish_batch(settings: Settings, db: Database, paths: Sequence[Path], options: PublishOptions,
                   channel: Channel | None) -> BatchResult:
    publisher = Publisher(settings, db, options, channel)
    results: dict[int, PublishResult] = {}
    plans: list[tuple[int, Plan]] = []
    for index, path in enumerate(paths):
        try:
            plans.append((index, publisher.plan(path)))
        except MlprodError as err:
            results[index] = PublishResult(recipe_key(settings, path), Outcome.failed, str(err))
    ensure_budget(db, sum(p.estimate for _, p in plans), options.quota_budget, options.now())
    stopped: str | None = None
    for index, plan in plans:
        if stopped:
            results[index] = PublishResult(plan.key, Outcome.skipped, "not tried: the batch stopped")
            continue
        try:
            results[index] = publisher.execute(plan)
        except (QuotaExceeded, AuthError) as err:
            stopped = str(err)
            results[index] = PublishResult(plan.key, Outcome.failed, str(err))
        except MlprodError as err:
            results[index] = PublishResult(plan.key, Outcome.failed, str(err))
    spent = publisher._channel.spent if publisher._channel else 0
    budget = budget_today(db, options.quota_budget, options.now())
    return BatchResult([results[i] for i in sorted(results)], spent, budget.used, budget.limit, stopped)
