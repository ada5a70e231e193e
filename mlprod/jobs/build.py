"""The build workflow: targets and hashes from render, reuse a current build or render it, record.

For each format, the build's content hash is looked up first: a done build with the same hash whose
files are all there is reused at once (and recorded as reused; its files copied if this build asks
for other names). Otherwise render draws it and the build is recorded in one transaction; a failed
render is recorded as failed. Two recipes may not write the same video file.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy import select

from mlprod.config import Settings
from mlprod.errors import MlprodError
from mlprod.jobs.records import stored_path, workspace_path
from mlprod.render import ProgressFactory, RecipeBuild, Target, prepare, render_target
from mlprod.render.assemble import Outcome
from mlprod.render.cache import RENDERER_VERSION
from mlprod.states import BuildStatus, Format, Quality
from mlprod.store import Database
from mlprod.store.models import Build


@dataclass(frozen=True)
class BuildResult:
    """One rendered (or reused) video with its captions and thumbnail, as recorded."""

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
    outcomes: tuple[Outcome, ...] = ()  # when rendered: each piece, the sound, the thumbnail


def build_recipe(settings: Settings, db: Database, recipe_path: Path, *,
                 formats: Sequence[Format] | None = None, quality: Quality | None = None,
                 output: Path | None = None, progress: ProgressFactory | None = None) -> list[BuildResult]:
    """Build ``recipe_path`` in each format (the recipe's ``output.formats`` unless given)."""
    job, targets = prepare_checked(settings, db, recipe_path, formats, quality, output)
    results = []
    for target in targets:
        row = find_current(settings, db, job.loaded.path, target.format, target.content_hash)
        if row is not None:
            results.append(_reuse(db, job, target, row))
        else:
            results.append(_build(db, job, target, progress))
    return results


def current_build(settings: Settings, db: Database, recipe_path: Path, format: Format, *,
                  quality: Quality | None = None) -> BuildResult | None:
    """The up-to-date build of ``recipe_path`` in ``format``, or None when it is missing or stale."""
    job, (target,) = prepare_checked(settings, db, recipe_path, [format], quality, None)
    row = find_current(settings, db, job.loaded.path, target.format, target.content_hash)
    return None if row is None else result_of(settings, row, job.loaded.path, reused=True)


def prepare_checked(settings: Settings, db: Database, recipe_path: Path, formats: Sequence[Format] | None,
                    quality: Quality | None, output: Path | None) -> tuple[RecipeBuild, list[Target]]:
    """render's ``prepare``, refusing a target whose video another recipe's build already wrote."""
    job, targets = prepare(settings, recipe_path, formats, quality, output)
    for target in targets:
        owner = other_owner(settings, db, job.loaded.path, target.video)
        if owner is not None:
            raise MlprodError(f"{job.loaded.path}: its video would be {stored_path(settings, target.video)},"
                              f" which is already {owner}'s — two recipes share the file name"
                              f" {job.loaded.path.name}; rename one of them (the file name names the"
                              " output folder)")
    return job, targets


def _reuse(db: Database, job: RecipeBuild, target: Target, row: Build) -> BuildResult:
    """Record a reused build; its files are copied first if this build asks for other names."""
    done = result_of(job.settings, row, job.loaded.path, reused=True)
    if done.video != target.video:
        pairs = [(done.thumbnail, target.thumbnail), (done.video, target.video)]
        if done.captions is not None:
            pairs.insert(0, (done.captions, target.captions))
        for source, dest in pairs:
            dest.parent.mkdir(parents=True, exist_ok=True)
            tmp = dest.with_name(f".{dest.name}.{os.getpid()}.partial")
            try:
                shutil.copyfile(source, tmp)
                tmp.replace(dest)
            finally:
                tmp.unlink(missing_ok=True)
        done = replace(done, video=target.video, thumbnail=target.thumbnail,
                       captions=target.captions if done.captions else None)
    result = replace(done, render_seconds=0.0, reused=True)
    return replace(result, build_id=record_done(job.settings, db, result))


def _build(db: Database, job: RecipeBuild, target: Target, progress: ProgressFactory | None) -> BuildResult:
    started = time.monotonic()
    try:
        _render_pieces_elsewhere(job, target, progress)
        made = render_target(job, target, progress)
    except MlprodError as err:
        record_failed(job.settings, db, job.loaded.path, job.loaded.slug, target.format, job.quality,
                      target.content_hash, str(err), time.monotonic() - started)
        raise
    result = BuildResult(
        recipe=job.loaded.path, slug=job.loaded.slug, format=target.format, quality=job.quality,
        video=target.video, captions=made.captions, thumbnail=target.thumbnail,
        content_hash=target.content_hash, duration=made.duration, size_bytes=made.size_bytes,
        render_seconds=made.render_seconds, reused=False, build_id=0, outcomes=made.outcomes)
    return replace(result, build_id=record_done(job.settings, db, result))


def _render_pieces_elsewhere(job: RecipeBuild, target: Target, progress: ProgressFactory | None) -> None:
    """With ``render.queue`` set, the render workers make the pieces; this machine joins them."""
    if job.settings.render_queue is None:
        return
    from mlprod.cluster.build import render_pieces  # Celery is imported for a cluster build only

    render_pieces(job, target, progress)


def other_owner(settings: Settings, db: Database, recipe: Path, video: Path) -> str | None:
    """The other recipe whose last build wrote ``video``, if any: two recipes must not share files."""
    with db.transaction() as session:
        owner = session.scalar(
            select(Build.recipe).where(Build.video_path == stored_path(settings, video),
                                       Build.status == BuildStatus.done)
            .order_by(Build.id.desc()).limit(1))
    return owner if owner is not None and owner != stored_path(settings, recipe) else None


def find_current(settings: Settings, db: Database, recipe: Path, fmt: Format,
                 content_hash: str) -> Build | None:
    """The newest successful build of this content whose files are all still there, unchanged."""
    with db.transaction() as session:
        rows = session.scalars(
            select(Build).where(Build.recipe == stored_path(settings, recipe), Build.format == fmt,
                                Build.content_hash == content_hash, Build.status == BuildStatus.done)
            .order_by(Build.id.desc()).limit(5)).all()
    for row in rows:
        if row.video_path is None or row.thumbnail_path is None:
            continue
        video = workspace_path(settings, row.video_path)
        files = [video, workspace_path(settings, row.thumbnail_path)]
        if row.captions_path:
            files.append(workspace_path(settings, row.captions_path))
        if all(f.is_file() for f in files) and video.stat().st_size == row.size_bytes:
            return row
    return None


def result_of(settings: Settings, row: Build, recipe: Path, *, reused: bool) -> BuildResult:
    assert row.video_path is not None and row.thumbnail_path is not None
    return BuildResult(
        recipe=recipe, slug=row.slug, format=row.format, quality=row.quality,
        video=workspace_path(settings, row.video_path),
        captions=workspace_path(settings, row.captions_path) if row.captions_path else None,
        thumbnail=workspace_path(settings, row.thumbnail_path), content_hash=row.content_hash,
        duration=row.duration or 0.0, size_bytes=row.size_bytes or 0,
        render_seconds=row.render_seconds or 0.0, reused=reused, build_id=row.id)


def record_done(settings: Settings, db: Database, result: BuildResult) -> int:
    """Record a finished (or reused) build in one transaction; its id."""
    row = Build(
        recipe=stored_path(settings, result.recipe), slug=result.slug, format=result.format,
        quality=result.quality, content_hash=result.content_hash, status=BuildStatus.done,
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
    row = Build(recipe=stored_path(settings, recipe), slug=slug, format=fmt, quality=quality,
                content_hash=content_hash, status=BuildStatus.failed, error=error[:4000],
                render_seconds=render_seconds, reused=False, renderer_version=RENDERER_VERSION)
    with db.transaction() as session:
        session.add(row)
        session.flush()
        return row.id
