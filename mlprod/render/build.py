"""Rendering one recipe's formats: work out targets and content hashes, then render each into place.

``prepare`` loads the recipe and its brand and computes, for each format, where its files go and the
build's content hash (recipe text, input files, brand, output profile, renderer version) — without
probing anything. ``render_target`` renders one target: the sources are probed (once per recipe),
the timeline planned, cards taken from the cache or drawn, the loudness measured (once per recipe,
audio only) and the video rendered in one ffmpeg pass into a hidden folder beside the output; the
files are renamed into place only when everything succeeded. A failure or Ctrl-C leaves no
half-written file behind. Nothing here knows the database: looking up a current build, reusing it
and recording what was made is the build workflow's (mlprod/jobs/build.py).
"""

from __future__ import annotations

import contextlib
import ctypes
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from mlprod.brand import Brand, load_brand
from mlprod.config import Settings
from mlprod.errors import MlprodError
from mlprod.media.ffmpeg import ProgressCallback, run_ffmpeg
from mlprod.recipe.loader import LoadedRecipe, load_recipe
from mlprod.recipe.schema import Format, Quality
from mlprod.render.audio import AudioLevels
from mlprod.render.cache import FileDigests, build_hash
from mlprod.render.captions import write_ass, write_captions
from mlprod.render.cards import render_card, render_lower_third
from mlprod.render.graph import RenderAssets, render_args
from mlprod.render.loudness import measure_levels, render_audio
from mlprod.render.plan import Timeline, plan_timeline
from mlprod.render.profile import OutputProfile, output_profile
from mlprod.render.sources import Sources, gather_sources, input_files
from mlprod.render.thumbnail import make_thumbnail

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


@dataclass(frozen=True)
class Rendered:
    """What ``render_target`` made: the target's files (captions None when the video has no cue)."""

    target: Target
    captions: Path | None
    duration: float
    size_bytes: int
    render_seconds: float


@dataclass
class RecipeBuild:
    """What the formats of one recipe share: the recipe, its brand, and what was probed or measured."""

    settings: Settings
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


def prepare(settings: Settings, recipe_path: Path, formats: Sequence[Format] | None,
            quality: Quality | None, output: Path | None) -> tuple[RecipeBuild, list[Target]]:
    """Load the recipe and its brand and work out each format's files and content hash (no probing)."""
    loaded = load_recipe(recipe_path)
    brand = load_brand(settings.brand_dir(loaded.recipe.brand))
    chosen = list(dict.fromkeys(formats or loaded.recipe.output.formats))
    if output is not None and len(chosen) > 1:
        raise MlprodError(f"{loaded.path}: -o/--output names one video but {len(chosen)} formats are asked"
                          f" ({', '.join(f.value for f in chosen)}) — add --format to pick one, or drop -o")
    job = RecipeBuild(settings=settings, loaded=loaded, brand=brand,
                      brand_fingerprint=brand.fingerprint(), quality=quality or loaded.recipe.output.quality)
    digests = FileDigests(settings.cache_dir)
    text = loaded.path.read_text(encoding="utf-8", errors="replace")
    inputs = [(_relative(p, loaded.path.parent), digests.digest(p)) for p in input_files(loaded)]
    digests.save()
    targets = []
    for fmt in chosen:
        profile = output_profile(fmt, job.quality, brand.fps)
        video, captions, thumbnail = output_paths(settings, loaded.slug, fmt, output)
        targets.append(Target(fmt, profile, video, captions, thumbnail,
                              build_hash(text, inputs, job.brand_fingerprint, profile.key())))
    return job, targets


def _relative(path: Path, base: Path) -> str:
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return str(path)


def render_target(job: RecipeBuild, target: Target, progress: ProgressFactory | None = None) -> Rendered:
    """Render ``target``'s video, captions and thumbnail into place (all of them, or none)."""
    started = time.monotonic()
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
    return Rendered(target=target, captions=target.captions if captions is not None else None,
                    duration=timeline.duration, size_bytes=target.video.stat().st_size,
                    render_seconds=time.monotonic() - started)


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
    sound = render_audio(timeline, job.levels, work / "sound.m4a", settings.ffmpeg)
    video = work / "video.mp4"
    label = f"{job.loaded.slug} ({target.format.value})"
    _give_memory_back()
    run_ffmpeg(render_args(timeline, assets, sound.path, video), what=f"rendering {label}",
               duration=timeline.duration, progress=progress(label) if progress else None,
               binary=settings.ffmpeg)
    captions = write_captions(timeline.cues, work / "captions.srt") if timeline.cues else None
    thumbnail = make_thumbnail(timeline, brand, work / "thumbnail.jpg", work, settings.ffmpeg)
    return video, captions, thumbnail


__all__ = ["ProgressFactory", "RecipeBuild", "Rendered", "Target", "output_paths", "prepare", "render_target"]
