"""``mlprod status``: per recipe, what is built, published, scheduled, expiring, half-uploaded or
missing. Reads the database only: no network, no quota.

The top-level fields describe the recipe's YouTube video (as they always have); ``publications``
lists every platform's publication of it, and ``platforms`` each platform the recipe names or is
published on, with its state and link (:meth:`RecipeStatus.platform_states`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from mlprod.clock import paris_today
from mlprod.config import Settings
from mlprod.errors import MlprodError
from mlprod.jobs.records import aware, view_of, workspace_path
from mlprod.publishing import PublicationView
from mlprod.publishing.destinations import in_order, recipe_platforms
from mlprod.recipe import load_recipe
from mlprod.recipe.arguments import recipes_in
from mlprod.states import BuildStatus, PlatformName, Privacy, PublicationState, UploadStatus
from mlprod.store import Database
from mlprod.store.models import Build, Publication, UploadSession


@dataclass
class BuildInfo:
    format: str
    path: str | None
    built_at: dt.datetime


@dataclass(frozen=True)
class PlatformState:
    """One platform's line for a recipe: where it stands there, in words, and its link."""

    platform: PlatformName
    state: str
    """A :class:`PublicationState` value, or ``not_published``, ``upload_stopped``, ``unconfirmed``."""
    text: str
    url: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"platform": self.platform.value, "state": self.state, "text": self.text, "url": self.url}


def _publication_text(p: PublicationView, now: dt.datetime) -> str:
    missing = ", ".join(step.value for step in p.missing)
    if p.state is PublicationState.incomplete:
        return f"uploaded, not visible yet: {missing} missing (run `mlprod publish` to finish it)"
    if p.state is PublicationState.expired:
        when = f" on {p.expired_at:%Y-%m-%d}" if p.expired_at else ""
        how = "announcement says it is filled" if p.platform is PlatformName.discord else "unlisted"
        return f"offer closed: {how}{when}"
    if p.state is PublicationState.remove_by_hand:
        return "offer closed: to remove by hand (`mlprod expire` says how)"
    if p.state is PublicationState.scheduled and p.publish_at is not None and p.publish_at > now:
        text = f"scheduled for {p.publish_at:%Y-%m-%d %H:%M} UTC"
    elif p.platform is PlatformName.discord:
        text = "announced"
    else:
        public = p.privacy is Privacy.private and p.publish_at is not None and p.publish_at <= now
        text = f"published ({'public' if public else p.privacy.value})"
    if p.missing:
        text += f"; {missing} not done yet (run `mlprod publish` to finish)"
    return text


@dataclass
class RecipeStatus:
    recipe: str
    title: str | None = None
    kind: str | None = None
    builds: list[BuildInfo] = field(default_factory=list)
    publications: list[PublicationView] = field(default_factory=list)
    offer_closes: dt.date | None = None
    upload: tuple[int, int] | None = None
    """(bytes acknowledged, total) of an unfinished upload."""
    uploads: dict[PlatformName, tuple[int, int]] = field(default_factory=dict)
    """Each platform's unfinished upload (an unconfirmed announcement for Discord)."""
    named: tuple[PlatformName, ...] = ()
    """The platforms the recipe names (its publish.platforms, else the workspace's)."""
    problem: str | None = None

    @property
    def video(self) -> PublicationView | None:
        """The YouTube publication, which the top-level fields describe."""
        return next((p for p in self.publications if p.platform is PlatformName.youtube), None)

    @property
    def youtube_id(self) -> str | None:
        return self.video.remote_id if self.video else None

    @property
    def url(self) -> str | None:
        return self.video.url if self.video else None

    @property
    def privacy(self) -> Privacy | None:
        return self.video.privacy if self.video else None

    @property
    def publish_at(self) -> dt.datetime | None:
        return self.video.publish_at if self.video else None

    @property
    def expired_at(self) -> dt.datetime | None:
        return self.video.expired_at if self.video else None

    @property
    def missing(self) -> list[str]:
        """What the YouTube video still lacks (steps an interrupted publish left undone)."""
        return [step.value for step in self.video.missing] if self.video else []

    @property
    def incomplete(self) -> bool:
        return self.video is not None and self.video.state is PublicationState.incomplete

    def scheduled(self, now: dt.datetime) -> bool:
        return (self.privacy is Privacy.private and not self.incomplete and self.publish_at is not None
                and self.publish_at > now)

    def privacy_now(self, now: dt.datetime) -> str | None:
        """The privacy on YouTube now: a scheduled video is public once its time has come."""
        if (self.privacy is Privacy.private and not self.incomplete and self.publish_at is not None
                and self.publish_at <= now):
            return "public"
        return self.privacy.value if self.privacy else None

    def closed(self, today: dt.date) -> bool:
        """A published offer past its closing date that `mlprod expire` has not unlisted yet."""
        return (self.youtube_id is not None and self.expired_at is None and self.offer_closes is not None
                and self.offer_closes < today)

    def platform_states(self, now: dt.datetime) -> list[PlatformState]:
        """A line per platform the recipe names or is published on, videos first."""
        published = {p.platform: p for p in self.publications}
        lines = []
        for name in in_order([*self.named, *published]):
            p = published.get(name)
            if p is not None:
                lines.append(PlatformState(name, p.state.value, _publication_text(p, now), p.url))
            elif name is PlatformName.discord and name in self.uploads:
                lines.append(PlatformState(name, "unconfirmed", "sent, but Discord never confirmed it: look"
                                           " in the channel, then `mlprod discord sent|not-sent"
                                           f" {self.recipe}`"))
            elif name in self.uploads:
                done, total = self.uploads[name]
                lines.append(PlatformState(name, "upload_stopped", f"upload stopped at {done / total:.0%}"
                                           " (run `mlprod publish` to resume)"))
            else:
                lines.append(PlatformState(name, "not_published", "not published yet"))
        return lines

    def to_json(self, now: dt.datetime) -> dict[str, Any]:
        problem = self.problem
        if problem is None and self.missing:
            problem = (f"{'not visible yet: ' if self.incomplete else ''}{', '.join(self.missing)} missing"
                       " — run `mlprod publish` to finish it")
        return {
            "recipe": self.recipe, "title": self.title, "kind": self.kind,
            "builds": [{"format": b.format, "path": b.path, "built_at": b.built_at.isoformat()}
                       for b in self.builds],
            "published": self.youtube_id is not None, "youtube_id": self.youtube_id, "url": self.url,
            "state": self.video.state.value if self.video else None, "missing": self.missing,
            "privacy": self.privacy_now(now), "scheduled": self.scheduled(now),
            "publish_at": self.publish_at.isoformat() if self.publish_at else None,
            "offer_closes": self.offer_closes.isoformat() if self.offer_closes else None,
            "to_expire": self.closed(paris_today(now)),
            "expired_at": self.expired_at.isoformat() if self.expired_at else None,
            "upload_in_progress": ({"bytes": self.upload[0], "total": self.upload[1]}
                                   if self.upload else None),
            "publications": [{"platform": p.platform.value, "state": p.state.value, "id": p.remote_id,
                              "url": p.url, "missing": [m.value for m in p.missing]}
                             for p in self.publications],
            "platforms": [line.to_json() for line in self.platform_states(now)],
            "problem": problem,
        }


def workspace_status(settings: Settings, db: Database) -> list[RecipeStatus]:
    """Every recipe on disk or in the database, with what the database knows of it."""
    entries: dict[str, RecipeStatus] = {
        p.relative_to(settings.root).as_posix(): RecipeStatus(p.relative_to(settings.root).as_posix())
        for p in recipes_in(settings.recipes_dir)}
    with db.transaction() as s:
        for build in s.scalars(select(Build).where(Build.status == BuildStatus.done).order_by(Build.id)):
            entry = entries.setdefault(build.recipe, RecipeStatus(build.recipe))
            entry.builds = [b for b in entry.builds if b.format != build.format]
            entry.builds.append(BuildInfo(build.format.value, build.video_path, aware(build.created_at)
                                          or dt.datetime.now(dt.UTC)))
        for row in s.scalars(select(Publication).order_by(Publication.id)):
            entry = entries.setdefault(row.recipe, RecipeStatus(row.recipe))
            entry.publications = [p for p in entry.publications if p.platform is not row.platform]
            entry.publications.append(view_of(row))
            entry.title, entry.kind, entry.offer_closes = row.title, row.kind.value, row.offer_closes
        for upload in s.scalars(select(UploadSession).where(UploadSession.status == UploadStatus.active)):
            entry = entries.setdefault(upload.recipe, RecipeStatus(upload.recipe))
            if upload.platform not in {p.platform for p in entry.publications}:
                entry.uploads[upload.platform] = (upload.offset, upload.total_bytes)
            if entry.youtube_id is None and upload.platform is PlatformName.youtube:
                entry.upload = (upload.offset, upload.total_bytes)
    for entry in entries.values():
        _describe(settings, entry)
    return [entries[k] for k in sorted(entries)]


def _describe(settings: Settings, entry: RecipeStatus) -> None:
    """What the recipe file says: the platforms it names, and its title when nothing is published."""
    path = workspace_path(settings, entry.recipe)
    problem = None
    if not path.exists():
        problem = "the recipe file is gone"
    else:
        try:
            loaded = load_recipe(path)
        except MlprodError:
            problem = f"the recipe has problems — run `mlprod validate {entry.recipe}`"
    if problem is not None:
        if entry.title is None:  # what was published is still worth showing
            entry.problem = problem
        return
    entry.named = recipe_platforms(loaded, settings.platforms)
    if entry.title is not None:
        return
    entry.title, entry.kind = loaded.title, loaded.kind.value
    offer = getattr(loaded.recipe, "offer", None)
    entry.offer_closes = offer.closes if offer else None
