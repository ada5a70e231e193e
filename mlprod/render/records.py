"""Builds in the database: what was rendered, from which content, where the files are."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from mlprod.config import Settings
from mlprod.recipe.schema import Format, Quality
from mlprod.render.cache import RENDERER_VERSION
from mlprod.store import Database
from mlprod.store.models import Build


@dataclass(frozen=True)
class BuildResult:
    """One rendered (or reused) video with its captions and thumbnail."""

    recipe: Path
    slug: str
    format: Format
    quality: Quality
    video: Path
    captions: Path | None
    thumbnail: Path
    content_hash: str
    duration: float
    size_bytes: int
    render_seconds: float
    reused: bool
    build_id: int


def stored_path(settings: Settings, path: Path) -> str:
    """Paths inside the workspace are stored relative to it, so a moved workspace keeps its builds."""
    try:
        return path.resolve().relative_to(settings.root.resolve()).as_posix()
    except ValueError:
        return str(path.resolve())


def loaded_path(settings: Settings, stored: str) -> Path:
    path = Path(stored)
    return path if path.is_absolute() else settings.root / path


def other_owner(settings: Settings, db: Database, recipe: Path, video: Path) -> str | None:
    """The other recipe whose last build wrote ``video``, if any: two recipes must not share files."""
    with db.transaction() as session:
        owner = session.scalar(
            select(Build.recipe).where(Build.video_path == stored_path(settings, video),
                                       Build.status == "done")
            .order_by(Build.id.desc()).limit(1))
    return owner if owner is not None and owner != stored_path(settings, recipe) else None


def find_current(settings: Settings, db: Database, recipe: Path, fmt: Format,
                 content_hash: str) -> Build | None:
    """The newest successful build of this content whose files are all still there, unchanged."""
    with db.transaction() as session:
        rows = session.scalars(
            select(Build).where(Build.recipe == stored_path(settings, recipe), Build.format == fmt.value,
                                Build.content_hash == content_hash, Build.status == "done")
            .order_by(Build.id.desc()).limit(5)).all()
    for row in rows:
        if row.video_path is None or row.thumbnail_path is None:
            continue
        video = loaded_path(settings, row.video_path)
        files = [video, loaded_path(settings, row.thumbnail_path)]
        if row.captions_path:
            files.append(loaded_path(settings, row.captions_path))
        if all(f.is_file() for f in files) and video.stat().st_size == row.size_bytes:
            return row
    return None


def result_of(settings: Settings, row: Build, recipe: Path, *, reused: bool) -> BuildResult:
    assert row.video_path is not None and row.thumbnail_path is not None
    return BuildResult(
        recipe=recipe, slug=row.slug, format=Format(row.format), quality=Quality(row.quality),
        video=loaded_path(settings, row.video_path),
        captions=loaded_path(settings, row.captions_path) if row.captions_path else None,
        thumbnail=loaded_path(settings, row.thumbnail_path), content_hash=row.content_hash,
        duration=row.duration or 0.0, size_bytes=row.size_bytes or 0,
        render_seconds=row.render_seconds or 0.0, reused=reused, build_id=row.id)


def record_done(settings: Settings, db: Database, result: BuildResult) -> int:
    """Record a finished (or reused) build in one transaction; its id."""
    row = Build(
        recipe=stored_path(settings, result.recipe), slug=result.slug, format=result.format.value,
        quality=result.quality.value, content_hash=result.content_hash, status="done",
        video_path=stored_path(settings, result.video),
        captions_path=stored_path(settings, result.captions) if result.captions else None,
        thumbnail_path=stored_path(settings, result.thumbnail), duration=result.duration,
        size_bytes=result.size_bytes, render_seconds=result.render_seconds, reused=result.reused,
        renderer_version=RENDERER_VERSION)
    with db.transaction() as session:
        session.add(row)
        session.flush()
        return row.id


def record_failed(settings: Settings, db: Database, recipe: Path, slug: str, fmt: Format, quality: Quality,
                  content_hash: str, error: str, render_seconds: float) -> int:
    row = Build(recipe=stored_path(settings, recipe), slug=slug, format=fmt.value, quality=quality.value,
                content_hash=content_hash, status="failed", error=error[:4000],
                render_seconds=render_seconds, reused=False, renderer_version=RENDERER_VERSION)
    with db.transaction() as session:
        session.add(row)
        session.flush()
        return row.id
