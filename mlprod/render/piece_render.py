"""Rendering one piece spec into the piece store: the unit a render worker takes.

Idempotent: a piece whose key is already stored (and verified) is not rendered again. Otherwise it
is rendered to a temporary name beside its place, its frames counted, flushed to disk and renamed;
only then is it recorded (see :class:`~mlprod.render.cache.ContentStore`). A failure or a kill
leaves nothing a later build would take for a piece.
"""

from __future__ import annotations

import contextlib
import ctypes
import shutil
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import av

from mlprod.brand import Brand, load_brand
from mlprod.errors import RenderError
from mlprod.media.ffmpeg import ProgressCallback, run_ffmpeg
from mlprod.render.cache import ContentStore
from mlprod.render.captions import ass_events
from mlprod.render.cards import draw_card, render_lower_third
from mlprod.render.graph import card_piece_args, clip_piece_args
from mlprod.render.pieces import CardPiece, ClipPiece, Piece, spec_to_json


@dataclass(frozen=True)
class PieceRun:
    """Where to render: the store, a scratch folder, which ffmpeg; how to report and stop."""

    store: ContentStore
    scratch: Path
    binary: str | None = None
    cancel: threading.Event | None = None
    what: str = "rendering"


def count_frames(path: Path) -> int:
    """Video frames in an MP4 we wrote, counted from its packets (nothing is decoded)."""
    with av.open(str(path)) as container:
        return sum(1 for packet in container.demux(video=0) if packet.size)


def render_piece(piece: Piece, run: PieceRun, progress: ProgressCallback | None = None) -> tuple[Path, bool]:
    """(the stored piece, whether it was rendered now)."""
    found = run.store.lookup(piece.key)
    if found is not None:
        return found, False
    run.scratch.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f"piece-{piece.position}-", dir=run.scratch))
    written = run.store.temporary(piece.key)
    try:
        if isinstance(piece, ClipPiece):
            args = _clip_args(piece, scratch, written)
        else:
            args = _card_args(piece, scratch, written)
        run_ffmpeg(args, what=f"{run.what}: {piece.label}", duration=piece.frames / piece.encoding.fps,
                   progress=progress, binary=run.binary, cancel=run.cancel)
        frames = count_frames(written)
        if frames != piece.frames:
            raise RenderError(f"{run.what}: {piece.label}: ffmpeg wrote {frames} frames instead of"
                              f" {piece.frames} — please report this with the recipe")
        return run.store.put(piece.key, written, frames=frames, spec=spec_to_json(piece)), True
    finally:
        written.unlink(missing_ok=True)
        shutil.rmtree(scratch, ignore_errors=True)


def _clip_args(piece: ClipPiece, scratch: Path, output: Path) -> list[str]:
    enc = piece.encoding
    brand: Brand | None = None
    overlay = subtitles = None
    if piece.lower_third is not None or piece.cues:
        brand = load_brand(piece.brand_dir)
    if piece.lower_third is not None and brand is not None:
        overlay = render_lower_third(piece.lower_third.lower_third(), brand, enc.width, enc.height, scratch)
    if piece.cues:
        subtitles = scratch / "subtitles.ass"
        subtitles.write_text(piece.subtitle_header + ass_events(c.cue(enc.fps) for c in piece.cues),
                             encoding="utf-8")
    fonts = brand.title_font.parent if brand is not None else piece.brand_dir
    return clip_piece_args(piece, overlay, subtitles, fonts, output)


_DRAWING = threading.Lock()


def _card_args(piece: CardPiece, scratch: Path, output: Path) -> list[str]:
    """Draw the card first. One card at a time: drawing holds the interpreter anyway, and two
    1080p cards at once would double the ~120 MB it takes for a moment."""
    enc = piece.encoding
    brand = load_brand(piece.brand_dir)
    with _DRAWING:
        drawn = draw_card(piece.card, brand, (enc.width, enc.height), enc.fps, piece.frames,
                          scratch / "card.mp4")
        give_memory_back()
    return card_piece_args(piece, drawn, output)


def give_memory_back() -> None:
    """Return freed memory (a card's frames, probing's decoders) to the system.

    glibc keeps freed heap for reuse — some 80 MB after drawing a 1080p card — which would count
    against the build's memory all the while the pieces' ffmpegs run. Elsewhere this does nothing.
    """
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6").malloc_trim(0)
