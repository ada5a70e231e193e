"""Rendering one recipe's formats: work out targets and content hashes, then render each into place.

``prepare`` loads the recipe and its brand and computes, for each format, where its files go and the
build's content hash (recipe text, input files, brand, output profile, renderer version) — without
probing anything. ``render_target`` renders one target: the sources are probed (once per recipe),
the timeline planned and cut into pieces (pieces.py), each piece taken from the render cache or
rendered, the sound likewise (its loudness measured once per recipe), and the whole joined without
re-encoding (assemble.py) into a hidden folder beside the output; the files are renamed into place
only when everything succeeded, then the cache is trimmed to its size limit. A failure or Ctrl-C
leaves no half-written file behind. Nothing here knows the database: looking up a current build,
reusing it and recording what was made is the build workflow's (mlprod/jobs/build.py).
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from mlprod.brand import Brand, load_brand
from mlprod.config import Settings
from mlprod.errors import MlprodError
from mlprod.media.ffmpeg import ProgressCallback, run_ffmpeg
from mlprod.recipe.loader import LoadedRecipe, load_recipe
from mlprod.recipe.schema import Format, Quality
from mlprod.render.assemble import Assembled, Outcome, Stores, assemble
from mlprod.render.audio import AudioLevels
from mlprod.render.cache import RENDERER_VERSION, FileDigests, build_hash, evict
from mlprod.render.captions import ass_header
from mlprod.render.loudness import measure_levels
from mlprod.render.piece_render import give_memory_back
from mlprod.render.pieces import BuildPlan, plan_pieces
from mlprod.render.plan import Timeline, plan_timeline
from mlprod.render.profile import OutputProfile, output_profile
from mlprod.render.sources import Sources, gather_sources, input_files

log = logging.getLogger(__name__)

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
    outcomes: tuple[Outcome, ...] = ()   # each piece, the sound, the thumbnail: reused or rendered


@dataclass
class RecipeBuild:
    """What the formats of one recipe share: the recipe, its brand, and what was probed or measured."""

    settings: Settings
    loaded: LoadedRecipe
    brand: Brand
    brand_fingerprint: str
    quality: Quality
    digests: dict[Path, str] = field(default_factory=dict)   # each input file's content
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
    job.digests = {p: digests.digest(p) for p in input_files(loaded)}
    inputs = [(_relative(p, settings.root), d) for p, d in job.digests.items()]
    digests.save()
    targets = []
    for fmt in chosen:
        profile = output_profile(fmt, job.quality, brand.fps)
        video, captions, thumbnail = output_paths(settings, loaded.slug, fmt, output)
        targets.append(Target(fmt, profile, video, captions, thumbnail,
                              build_hash(text, inputs, job.brand_fingerprint, profile.key())))
    return job, targets


def _relative(path: Path, root: Path) -> str:
    """A file inside the workspace by its path from there: a moved or copied workspace keeps its
    builds (files elsewhere stay where they are, and are named so)."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except (ValueError, OSError):
        return str(path)


def render_target(job: RecipeBuild, target: Target, progress: ProgressFactory | None = None) -> Rendered:
    """Render ``target``'s video, captions and thumbnail into place (all of them, or none)."""
    started = time.monotonic()
    if job.sources is None:
        job.sources = gather_sources(job.loaded)
    timeline = plan_timeline(job.sources, job.brand, target.profile)
    plan = plan_build(job, timeline)
    folder = target.video.parent
    created = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    _remove_abandoned(folder, target.video.stem)
    work = Path(tempfile.mkdtemp(prefix=f".{target.video.stem}.", suffix=".partial", dir=folder))
    finished = False
    stores = Stores.under(job.settings.cache_dir)
    try:
        made = _render_files(job, timeline, plan, stores, target, work, progress)
        if made.captions is not None:
            made.captions.replace(target.captions)
        else:
            target.captions.unlink(missing_ok=True)  # an older build's captions no longer match
        made.thumbnail.replace(target.thumbnail)
        made.video.replace(target.video)
        finished = True
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if created and not finished:
            _remove_if_empty(folder)
    trim_cache(job.settings, stores, plan.keys)
    return Rendered(target=target, captions=target.captions if made.captions is not None else None,
                    duration=timeline.duration, size_bytes=target.video.stat().st_size,
                    render_seconds=time.monotonic() - started, outcomes=made.outcomes)


def plan_build(job: RecipeBuild, timeline: Timeline) -> BuildPlan:
    """The pieces of ``timeline`` and the keys of its sound and thumbnail (pure, given the job)."""
    return plan_pieces(timeline, subtitle_header=ass_header(job.brand, timeline.profile),
                       brand_dir=job.brand.folder, brand_fingerprint=job.brand_fingerprint,
                       digests=job.digests, renderer=renderer_identity(job.settings.ffmpeg))


@cache
def renderer_identity(binary: str | None) -> str:
    """mlprod's renderer version and the ffmpeg build's: another encoder may encode differently."""
    found = run_ffmpeg(["-version"], what="asking ffmpeg its version", binary=binary)
    return f"{RENDERER_VERSION}|{found.stdout.splitlines()[0] if found.stdout else '?'}"


def trim_cache(settings: Settings, stores: Stores, keep: set[str]) -> None:
    """Keep the render cache under its size limit (least recently used first; never ``keep``)."""
    for store in stores.all():
        store.clear_leftovers()
    for entry in evict(stores.all(), settings.render_cache_bytes, keep):
        log.info("render cache: removed %s (%.1f MB, unused the longest)", entry.path.name, entry.size / 1e6)


def _remove_abandoned(folder: Path, stem: str) -> None:
    """Temporary folders left by a render that was killed outright (no ``finally`` ran)."""
    for stale in folder.glob(f".{stem}.*.partial"):
        with contextlib.suppress(OSError):
            if time.time() - stale.stat().st_mtime > ABANDONED_AFTER:
                shutil.rmtree(stale, ignore_errors=True)


def _remove_if_empty(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not empty: files from an earlier build stay
        folder.rmdir()


def _render_files(job: RecipeBuild, timeline: Timeline, plan: BuildPlan, stores: Stores, target: Target,
                  work: Path, progress: ProgressFactory | None) -> Assembled:
    """Pieces, sound, join, captions and thumbnail, all inside ``work`` (pieces in the cache)."""
    settings = job.settings

    def measure() -> AudioLevels:
        if job.levels is None:  # the same sound for every format: measured once per recipe
            job.levels = measure_levels(timeline, FileDigests(settings.cache_dir), settings.cache_dir,
                                        settings.ffmpeg)
        return job.levels

    label = f"{job.loaded.slug} ({target.format.value})"
    give_memory_back()
    return assemble(timeline, plan, job.brand, stores, work, measure=measure, label=label,
                    binary=settings.ffmpeg, progress=progress(label) if progress else None)


__all__ = ["ProgressFactory", "RecipeBuild", "Rendered", "Target", "output_paths", "plan_build", "prepare",
           "render_target"]
