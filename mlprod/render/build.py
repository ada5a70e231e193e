"""Building a recipe: probe, plan, render to a temporary name, rename, record — or reuse.

For each format, the build's content hash (recipe text, input files, brand, output profile,
renderer version) is looked up first: a done build with the same hash whose files are all there is
reused at once (and recorded as reused). Otherwise the sources are probed (once per recipe), the
timeline planned, cards taken from the cache or drawn, the loudness measured (once per recipe, audio
only) and the video rendered in one ffmpeg pass into a hidden folder beside the output; the files
are renamed into place only when everything succeeded, and the build is recorded in one transaction.
A failure or Ctrl-C leaves no half-written file behind.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from mlprod.brand import Brand, load_brand
from mlprod.config import Settings
from mlprod.errors import MlprodError
from mlprod.media.ffmpeg import ProgressCallback, run_ffmpeg
from mlprod.recipe.loader import LoadedRecipe, load_recipe
from mlprod.recipe.schema import Format, Quality
from mlprod.render.cache import FileDigests, build_hash
from mlprod.render.captions import write_ass, write_captions
from mlprod.render.cards import render_card, render_lower_third
from mlprod.render.graph import AudioLevels, RenderAssets, render_args
from mlprod.render.loudness import measure_levels
from mlprod.render.plan import Timeline, plan_timeline
from mlprod.render.profile import OutputProfile, output_profile
from mlprod.render.records import (
    BuildResult,
    find_current,
    other_owner,
    record_done,
    record_failed,
    result_of,
    stored_path,
)
from mlprod.render.sources import Sources, gather_sources, input_files
from mlprod.render.thumbnail import make_thumbnail
from mlprod.store import Database
from mlprod.store.models import Build

ABANDONED_AFTER = 6 * 3600  # seconds: no render of one video takes this long; its temp folder is dead

ProgressFactory = Callable[[str], ProgressCallback]
"""Called once per rendered format with a label ("slug (landscape)"); returns its progress callback."""


@dataclass(frozen=True)
class Target:
    """One format of one recipe: where its files go and the hash of what they are made from."""

    format: Format
    profile: OutputProfile
    video: Path
    captions: Path
    thumbnail: Path
    content_hash: str


@dataclass
class RecipeBuild:
    """What the formats of one recipe share: the recipe, its brand, and what was probed or measured."""

    settings: Settings
    db: Database
    loaded: LoadedRecipe
    brand: Brand
    brand_fingerprint: str
    quality: Quality
    sources: Sources | None = None
    levels: AudioLevels | None = None


def output_paths(settings: Settings, slug: str, fmt: Format, output: Path | None) -> tuple[Path, Path, Path]:
    """(video, captions, thumbnail): output/<slug>/<slug>-<format>.mp4 or ``output``, .srt and .jpg beside."""
    if output is None:
        video = settings.output_dir / slug / f"{slug}-{fmt.value}.mp4"
    else:
        output = output if output.is_absolute() else settings.root / output
        if output.is_dir():
            video = output / f"{slug}-{fmt.value}.mp4"
        elif output.suffix.lower() == ".mp4":
            video = output
        else:
            raise MlprodError(f"{output}: the video is an MP4 — name the output file …/{output.stem}.mp4")
    return video, video.with_suffix(".srt"), video.with_suffix(".jpg")


def prepare(settings: Settings, db: Database, recipe_path: Path, formats: Sequence[Format] | None,
            quality: Quality | None, output: Path | None) -> tuple[RecipeBuild, list[Target]]:
    """Load the recipe and its brand and work out each format's files and content hash (no probing)."""
    loaded = load_recipe(recipe_path)
    brand = load_brand(settings.brand_dir(loaded.recipe.brand))
    chosen = list(dict.fromkeys(formats or loaded.recipe.output.formats))
    if output is not None and len(chosen) > 1:
        raise MlprodError(f"{loaded.path}: -o/--output names one video but {len(chosen)} formats are asked"
                          f" ({', '.join(f.value for f in chosen)}) — add --format to pick one, or drop -o")
    job = RecipeBuild(settings=settings, db=db, loaded=loaded, brand=brand,
                      brand_fingerprint=brand.fingerprint(), quality=quality or loaded.recipe.output.quality)
    digests = FileDigests(settings.cache_dir)
    text = loaded.path.read_text(encoding="utf-8", errors="replace")
    inputs = [(_relative(p, loaded.path.parent), digests.digest(p)) for p in input_files(loaded)]
    digests.save()
    targets = []
    for fmt in chosen:
        profile = output_profile(fmt, job.quality, brand.fps)
        video, captions, thumbnail = output_paths(settings, loaded.slug, fmt, output)
        owner = other_owner(settings, db, loaded.path, video)
        if owner is not None:
            raise MlprodError(f"{loaded.path}: its video would be {stored_path(settings, video)}, which is"
                              f" already {owner}'s — two recipes share the file name {loaded.path.name};"
                              " rename one of them (the file name names the output folder)")
        targets.append(Target(fmt, profile, video, captions, thumbnail,
                              build_hash(text, inputs, job.brand_fingerprint, profile.key())))
    return job, targets


def _relative(path: Path, base: Path) -> str:
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return str(path)


def build_recipe(settings: Settings, db: Database, recipe_path: Path, *,
                 formats: Sequence[Format] | None = None, quality: Quality | None = None,
                 output: Path | None = None, progress: ProgressFactory | None = None) -> list[BuildResult]:
    """Build ``recipe_path`` in each format (the recipe's ``output.formats`` unless given)."""
    job, targets = prepare(settings, db, recipe_path, formats, quality, output)
    results = []
    for target in targets:
        row = find_current(settings, db, job.loaded.path, target.format, target.content_hash)
        if row is not None:
            results.append(_reuse(job, target, row))
        else:
            results.append(_build(job, target, progress))
    return results


def current_build(settings: Settings, db: Database, recipe_path: Path, format: Format, *,
                  quality: Quality | None = None) -> BuildResult | None:
    """The up-to-date build of ``recipe_path`` in ``format``, or None when it is missing or stale."""
    job, (target,) = prepare(settings, db, recipe_path, [format], quality, None)
    row = find_current(settings, db, job.loaded.path, target.format, target.content_hash)
    return None if row is None else result_of(settings, row, job.loaded.path, reused=True)


def _reuse(job: RecipeBuild, target: Target, row: Build) -> BuildResult:
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
    return replace(result, build_id=record_done(job.settings, job.db, result))


def _build(job: RecipeBuild, target: Target, progress: ProgressFactory | None) -> BuildResult:
    started = time.monotonic()
    try:
        return _render(job, target, progress, started)
    except MlprodError as err:
        record_failed(job.settings, job.db, job.loaded.path, job.loaded.slug, target.format, job.quality,
                      target.content_hash, str(err), time.monotonic() - started)
        raise


def _render(job: RecipeBuild, target: Target, progress: ProgressFactory | None,
            started: float) -> BuildResult:
    if job.sources is None:
        job.sources = gather_sources(job.loaded)
    timeline = plan_timeline(job.sources, job.brand, target.profile)
    folder = target.video.parent
    created = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    _remove_abandoned(folder, target.video.stem)
    work = Path(tempfile.mkdtemp(prefix=f".{target.video.stem}.", suffix=".partial", dir=folder))
    finished = False
    try:
        video, captions, thumbnail = _render_files(job, timeline, target, work, progress)
        if captions is not None:
            captions.replace(target.captions)
        else:
            target.captions.unlink(missing_ok=True)  # an older build's captions no longer match
        thumbnail.replace(target.thumbnail)
        video.replace(target.video)
        finished = True
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if created and not finished:
            _remove_if_empty(folder)
    result = BuildResult(
        recipe=job.loaded.path, slug=job.loaded.slug, format=target.format, quality=job.quality,
        video=target.video, captions=target.captions if captions is not None else None,
        thumbnail=target.thumbnail, content_hash=target.content_hash, duration=timeline.duration,
        size_bytes=target.video.stat().st_size, render_seconds=time.monotonic() - started,
        reused=False, build_id=0)
    return replace(result, build_id=record_done(job.settings, job.db, result))


def _give_memory_back() -> None:
    """Return freed memory (card frames, probing's decoders) to the system before the long pass.

    glibc keeps freed heap for reuse — some 80 MB after drawing a 1080p card — which would count
    against the build's memory all the while ffmpeg runs. Elsewhere this does nothing.
    """
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6").malloc_trim(0)


def _remove_abandoned(folder: Path, stem: str) -> None:
    """Temporary folders left by a render that was killed outright (no ``finally`` ran)."""
    for stale in folder.glob(f".{stem}.*.partial"):
        with contextlib.suppress(OSError):
            if time.time() - stale.stat().st_mtime > ABANDONED_AFTER:
                shutil.rmtree(stale, ignore_errors=True)


def _remove_if_empty(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not empty: files from an earlier build stay
        folder.rmdir()


def _render_files(job: RecipeBuild, timeline: Timeline, target: Target, work: Path,
                  progress: ProgressFactory | None) -> tuple[Path, Path | None, Path]:
    """Cards, subtitles, loudness, the one render pass, captions and thumbnail, all inside ``work``."""
    settings, brand, profile = job.settings, job.brand, target.profile
    cards = {k: render_card(s.card, brand, job.brand_fingerprint, profile, s.frames, settings.cache_dir)
             for k, s in enumerate(timeline.segments) if s.card is not None}
    overlays = tuple(render_lower_third(lt, brand, job.brand_fingerprint, profile, settings.cache_dir)
                     for lt in timeline.lower_thirds)
    ass = write_ass(timeline.cues, brand, profile, work / "subtitles.ass") if timeline.cues else None
    assets = RenderAssets(cards=cards, overlays=overlays, subtitles=ass, fonts_dir=brand.title_font.parent)
    if job.levels is None:  # the same sound for every format: measured once per recipe
        job.levels = measure_levels(timeline, FileDigests(settings.cache_dir), settings.cache_dir,
                                    settings.ffmpeg)
    video = work / "video.mp4"
    label = f"{job.loaded.slug} ({target.format.value})"
    _give_memory_back()
    run_ffmpeg(render_args(timeline, assets, job.levels, video), what=f"rendering {label}",
               duration=timeline.duration, progress=progress(label) if progress else None,
               binary=settings.ffmpeg)
    captions = write_captions(timeline.cues, work / "captions.srt") if timeline.cues else None
    thumbnail = make_thumbnail(timeline, brand, work / "thumbnail.jpg", work, settings.ffmpeg)
    return video, captions, thumbnail


__all__ = ["BuildResult", "ProgressFactory", "build_recipe", "current_build", "output_paths",
           "stored_path"]
