"""One build from its pieces: render what the cache lacks in parallel, the sound, the join, the rest.

Pieces, the audio track and the thumbnail are looked up in the cache by key; what is missing is
rendered by a small pool (bounded by the cores and by memory), longest first, the audio track
among them. The pieces are then joined by copying (the concat demuxer) and muxed with the sound
into one MP4 with its index first (faststart), checked frame for frame against the plan. Ctrl-C or
a failing piece stops every ffmpeg still running before the error goes up.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
from collections.abc import Callable
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from mlprod.brand import Brand
from mlprod.errors import RenderError
from mlprod.media.ffmpeg import ProgressCallback, run_ffmpeg
from mlprod.render.audio import AudioLevels
from mlprod.render.cache import ContentStore
from mlprod.render.captions import write_captions
from mlprod.render.graph import concat_list, join_args
from mlprod.render.loudness import render_audio
from mlprod.render.piece_render import PieceRun, count_frames, render_piece
from mlprod.render.pieces import BuildPlan
from mlprod.render.plan import Timeline
from mlprod.render.thumbnail import make_thumbnail

log = logging.getLogger(__name__)

MEMORY_BUDGET_MB = 340    # for the ffmpeg processes rendering pieces at once (python's ~100 MB apart)
PIECE_BASE_MB = 50        # one piece's ffmpeg (measured: ~150 MB resident at 1080p)…
PIECE_MB_PER_MPIXEL = 50  # …and per million pixels of the output frame (x264's frames, the filters)


@dataclass(frozen=True)
class Stores:
    """The render cache: pieces, audio tracks and thumbnails, each by content key."""

    pieces: ContentStore
    audio: ContentStore
    thumbnails: ContentStore

    @classmethod
    def under(cls, cache_dir: Path) -> Stores:
        return cls(ContentStore(cache_dir / "pieces", ".mp4"), ContentStore(cache_dir / "audio", ".m4a"),
                   ContentStore(cache_dir / "thumbnails", ".jpg"))

    def all(self) -> tuple[ContentStore, ...]:
        return self.pieces, self.audio, self.thumbnails


@dataclass(frozen=True)
class Outcome:
    """One part of a build: a piece (by its label), the sound or the thumbnail; reused or rendered."""

    label: str
    key: str
    rendered: bool


@dataclass(frozen=True)
class Assembled:
    video: Path
    captions: Path | None
    thumbnail: Path
    outcomes: tuple[Outcome, ...]


def workers(width: int, height: int, tasks: int) -> int:
    """How many pieces to render at once: one per core, as many as memory allows, at least one."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    per_piece = PIECE_BASE_MB + PIECE_MB_PER_MPIXEL * width * height / 1e6
    return max(1, min(cores, int(MEMORY_BUDGET_MB // per_piece), tasks))


class _Progress:
    """Sums the progress of the pieces rendering at once into one (done, total) in seconds."""

    def __init__(self, callback: ProgressCallback | None, total: float) -> None:
        self.callback, self.total = callback, total
        self.done: dict[str, float] = {}
        self.lock = threading.Lock()

    def part(self, key: str) -> ProgressCallback | None:
        if self.callback is None or not self.total:
            return None

        def update(done: float, total: float) -> None:
            with self.lock:
                self.done[key] = done
                assert self.callback is not None
                self.callback(min(sum(self.done.values()), self.total), self.total)

        return update


def assemble(timeline: Timeline, plan: BuildPlan, brand: Brand, stores: Stores, work: Path, *,
             measure: Callable[[], AudioLevels], label: str, binary: str | None = None,
             progress: ProgressCallback | None = None) -> Assembled:
    """Video, captions and thumbnail of ``timeline`` inside ``work``, from the cache or rendered."""
    cancel = threading.Event()
    run = PieceRun(stores.pieces, work / "pieces", binary, cancel, what=f"rendering {label}")
    missing = [p for p in plan.pieces if stores.pieces.lookup(p.key) is None]
    sound = stores.audio.lookup(plan.audio_key)
    picture = stores.thumbnails.lookup(plan.thumbnail_key)
    meter = _Progress(progress, sum(p.frames for p in missing) / timeline.fps)
    jobs: dict[Future[object], str] = {}
    count = len(missing) + (sound is None) + (picture is None)
    with ThreadPoolExecutor(max_workers=workers(timeline.profile.width, timeline.profile.height,
                                                max(count, 1))) as pool:
        try:
            if sound is None:
                jobs[pool.submit(_render_sound, timeline, plan.audio_key, stores.audio, measure,
                                 run)] = "sound"
            for piece in sorted(missing, key=lambda p: -p.frames):
                jobs[pool.submit(render_piece, piece, run, meter.part(piece.key))] = piece.key
            if picture is None:
                jobs[pool.submit(_make_thumbnail, timeline, brand, plan.thumbnail_key, stores.thumbnails,
                                 run)] = "thumbnail"
            finished, _ = wait(jobs, return_when=FIRST_EXCEPTION)
            for job in finished:
                job.result()  # the first failure, with its own message
        except BaseException:
            cancel.set()
            for job in jobs:
                job.cancel()
            raise
    outcomes = _outcomes(plan, {p.key for p in missing}, sound is None, picture is None)
    made = sum(o.rendered for o in outcomes)
    log.debug("%s: %d parts rendered, %d reused from the render cache", label, made, len(outcomes) - made)
    video = _join(timeline, plan, stores, work, label, binary)
    captions = write_captions(timeline.cues, work / "captions.srt") if timeline.cues else None
    thumbnail = work / "thumbnail.jpg"
    shutil.copyfile(_stored(stores.thumbnails, plan.thumbnail_key, "thumbnail"), thumbnail)
    return Assembled(video, captions, thumbnail, outcomes)


def _outcomes(plan: BuildPlan, rendered: set[str], sound: bool, thumbnail: bool) -> tuple[Outcome, ...]:
    found = [Outcome(p.label, p.key, p.key in rendered) for p in plan.pieces]
    found.append(Outcome("sound", plan.audio_key, sound))
    found.append(Outcome("thumbnail", plan.thumbnail_key, thumbnail))
    return tuple(found)


def _stored(store: ContentStore, key: str, what: str) -> Path:
    path = store.lookup(key)
    if path is None:  # removed under our feet (another build's eviction, a manual clean)
        raise RenderError(f"the render cache lost the {what} it just made ({store.path(key)}) — build again")
    return path


def _render_sound(timeline: Timeline, key: str, store: ContentStore, measure: Callable[[], AudioLevels],
                  run: PieceRun) -> Path:
    """The whole timeline's sound, measured, finished and checked once (loudness.py), into the store."""
    levels = measure()
    written = store.temporary(key)
    try:
        sound = render_audio(timeline, levels, written, run.binary)
        return store.put(key, written, seconds=timeline.duration, integrated=sound.measured.integrated,
                         true_peak=sound.measured.true_peak)
    finally:
        written.unlink(missing_ok=True)


def _make_thumbnail(timeline: Timeline, brand: Brand, key: str, store: ContentStore, run: PieceRun) -> Path:
    written = store.temporary(key)
    scratch = run.scratch / "thumbnail"
    scratch.mkdir(parents=True, exist_ok=True)
    try:
        make_thumbnail(timeline, brand, written, scratch, run.binary)
        return store.put(key, written)
    finally:
        written.unlink(missing_ok=True)
        shutil.rmtree(scratch, ignore_errors=True)


def _join(timeline: Timeline, plan: BuildPlan, stores: Stores, work: Path, label: str,
          binary: str | None) -> Path:
    """The pieces end to end (copied, not re-encoded) with the sound: the video, checked."""
    pieces = [_stored(stores.pieces, p.key, f"piece {p.label}") for p in plan.pieces]
    listing = work / "pieces.ffconcat"
    listing.write_text(concat_list(pieces), encoding="utf-8")
    video = work / "video.mp4"
    run_ffmpeg(join_args(listing, _stored(stores.audio, plan.audio_key, "sound"), timeline.title, video),
               what=f"joining the pieces of {label}", binary=binary)
    frames = count_frames(video)
    if frames != timeline.frames:
        raise RenderError(f"joining the pieces of {label}: the video has {frames} frames instead of"
                          f" {timeline.frames} — please report this with the recipe")
    return video
