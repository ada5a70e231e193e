"""``mlprod status``: per recipe, what is built, published, scheduled, expiring, or half-uploaded."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from mlprod.clock import paris_today
from mlprod.config import Settings
from mlprod.errors import MlprodError
from mlprod.recipe import load_recipe
from mlprod.store import Database
from mlprod.store.models import Build, UploadSession, Video
from mlprod.youtube.records import watch_url, workspace_path


@dataclass
class BuildInfo:
    format: str
    path: str | None
    built_at: dt.datetime


@dataclass
class RecipeStatus:
    recipe: str
    title: str | None = None
    kind: str | None = None
    builds: list[BuildInfo] = field(default_factory=list)
    youtube_id: str | None = None
    privacy: str | None = None
    publish_at: dt.datetime | None = None
    offer_closes: dt.date | None = None
    expired_at: dt.datetime | None = None
    upload: tuple[int, int] | None = None
    """(bytes acknowledged, total) of an unfinished upload."""
    problem: str | None = None

    @property
    def url(self) -> str | None:
        return watch_url(self.youtube_id) if self.youtube_id else None

    def scheduled(self, now: dt.datetime) -> bool:
        return self.privacy == "private" and self.publish_at is not None and self.publish_at > now

    def privacy_now(self, now: dt.datetime) -> str | None:
        """The privacy on YouTube now: a scheduled video is public once its time has come."""
        if self.privacy == "private" and self.publish_at is not None and self.publish_at <= now:
            return "public"
        return self.privacy

    def closed(self, today: dt.date) -> bool:
        """A published offer past its closing date that `mlprod expire` has not unlisted yet."""
        return (self.youtube_id is not None and self.expired_at is None and self.offer_closes is not None
                and self.offer_closes < today)

    def to_json(self, now: dt.datetime) -> dict[str, Any]:
        return {
            "recipe": self.recipe, "title": self.title, "kind": self.kind,
            "builds": [{"format": b.format, "path": b.path, "built_at": b.built_at.isoformat()}
                       for b in self.builds],
            "published": self.youtube_id is not None, "youtube_id": self.youtube_id, "url": self.url,
            "privacy": self.privacy_now(now), "scheduled": self.scheduled(now),
            "publish_at": self.publish_at.isoformat() if self.publish_at else None,
            "offer_closes": self.offer_closes.isoformat() if self.offer_closes else None,
            "to_expire": self.closed(paris_today(now)),
            "expired_at": self.expired_at.isoformat() if self.expired_at else None,
            "upload_in_progress": ({"bytes": self.upload[0], "total": self.upload[1]}
                                   if self.upload else None),
            "problem": self.problem,
        }


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands back naive datetimes for what we stored in UTC."""
    return value.replace(tzinfo=dt.UTC) if value is not None and value.tzinfo is None else value


def _recipes_on_disk(settings: Settings) -> list[str]:
    folder = settings.recipes_dir
    if not folder.is_dir():
        return []
    found = [p for pattern in ("*.yaml", "*.yml") for p in folder.rglob(pattern)]
    return sorted(p.relative_to(settings.root).as_posix() for p in found)


def workspace_status(settings: Settings, db: Database) -> list[RecipeStatus]:
    """Every recipe on disk or in the database, with what the database knows of it."""
    entries: dict[str, RecipeStatus] = {key: RecipeStatus(key) for key in _recipes_on_disk(settings)}
    with db.transaction() as s:
        for build in s.scalars(select(Build).where(Build.status == "done").order_by(Build.id)):
            entry = entries.setdefault(build.recipe, RecipeStatus(build.recipe))
            entry.builds = [b for b in entry.builds if b.format != build.format]
            entry.builds.append(BuildInfo(build.format, build.video_path, _aware(build.created_at)
                                          or dt.datetime.now(dt.UTC)))
        for video in s.scalars(select(Video).order_by(Video.id)):
            entry = entries.setdefault(video.recipe, RecipeStatus(video.recipe))
            entry.title, entry.kind, entry.youtube_id = video.title, video.kind, video.youtube_id
            entry.privacy, entry.publish_at = video.privacy, _aware(video.publish_at)
            entry.offer_closes, entry.expired_at = video.offer_closes, _aware(video.expired_at)
        for upload in s.scalars(select(UploadSession).where(UploadSession.status == "active")):
            entry = entries.setdefault(upload.recipe, RecipeStatus(upload.recipe))
            if entry.youtube_id is None:
                entry.upload = (upload.offset, upload.total_bytes)
    for entry in entries.values():
        if entry.title is None:
            _describe(settings, entry)
    return [entries[k] for k in sorted(entries)]


def _describe(settings: Settings, entry: RecipeStatus) -> None:
    path = workspace_path(settings, entry.recipe)
    if path is None or not path.exists():
        entry.problem = "the recipe file is gone"
        return
    try:
        loaded = load_recipe(path)
    except MlprodError:
        entry.problem = f"the recipe has problems — run `mlprod validate {entry.recipe}`"
        return
    entry.title, entry.kind = loaded.title, loaded.kind
    offer = getattr(loaded.recipe, "offer", None)
    entry.offer_closes = offer.closes if offer else None
