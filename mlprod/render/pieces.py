"""Pieces: a timeline cut into videos rendered on their own, joined without re-encoding. Pure.

Each card is one piece; each clip is cut into chunks of :data:`CHUNK_SECONDS` (a shorter tail joins
the chunk before it), each a piece. A piece's key hashes exactly what shapes its pixels — the
clip's file digest (never its path: a moved or copied workspace reuses everything), the cut and
the chunk, the cues and lower third shown on it, the brand where it draws something, the output
encoding and the renderer (mlprod's version of this code, the ffmpeg build) — so a subtitle line
changes only the pieces it is shown on, a title only the intro. A piece spec is plain data that
serialises to JSON (:func:`spec_to_json`): a render worker can take one, render it
(:func:`mlprod.render.piece_render.render_piece`) and store it under its key; the join and the mux
run when all are there.

Frames: a chunk of a clip shows the same source frames it would in one pass over the whole clip.
It is read from a little before its first frame (:func:`_preroll`), put on the output frame
grid of the clip (``fps`` from the read position) and those frames dropped; so the frame at a
join is the one a single pass would show, never a repeated or skipped one.
"""

from __future__ import annotations

import dataclasses
import json
import math
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlprod.media.subtitles import Cue
from mlprod.render import audio
from mlprod.render.cache import hash_parts
from mlprod.render.cards import CARDS_VERSION
from mlprod.render.plan import Card, CardSegment, ClipCut, CutSegment, LowerThird, Timeline
from mlprod.render.profile import AUDIO_RATE, OutputProfile

PIECES_VERSION = "pieces-1"
CHUNK_SECONDS = 4.0       # a clip is cut into pieces this long: a subtitle fix re-renders ~4 s
MIN_TAIL_SECONDS = 2.0    # a last chunk shorter than this is joined to the one before
PREROLL_FRAMES = 2        # output frames read before a chunk, beyond one source frame's length
INPUT_MARGIN = 1.0        # seconds read past a chunk's end, for the frame-rate conversion
ONE_THREAD_PIXELS = 1920 * 1088  # up to 1080p a single decoding thread keeps up with the encoder
THUMBNAIL_VERSION = "thumbnail-1"
AUDIO_VERSION = "audio-1"


@dataclass(frozen=True)
class Encoding:
    """How every piece of a build is encoded: the same, so that pieces join without re-encoding."""

    width: int
    height: int
    fps: int
    preset: str
    crf: int

    @classmethod
    def of(cls, profile: OutputProfile) -> Encoding:
        return cls(profile.width, profile.height, profile.fps, profile.encoder.preset, profile.encoder.crf)

    def key(self) -> str:
        return f"{self.width}x{self.height}@{self.fps}:{self.preset}:{self.crf}"


@dataclass(frozen=True)
class PieceCue:
    """A subtitle line on a piece: shown from frame ``first`` to before frame ``end`` of the piece."""

    first: int
    end: int
    text: str

    def cue(self, fps: int) -> Cue:
        """As times libass shows on exactly those frames (half a frame before each: no rounding edge)."""
        return Cue(max(self.first - 0.5, 0) / fps, (self.end - 0.5) / fps, self.text)


@dataclass(frozen=True)
class PieceLowerThird:
    """The lower third on a piece; ``start``/``end`` in seconds from the piece's first frame."""

    name: str
    role: str | None
    start: float
    end: float

    def lower_third(self) -> LowerThird:
        return LowerThird(self.name, self.role, self.start, self.end)


@dataclass(frozen=True)
class ClipPiece:
    """A chunk of one clip: frames ``first``… of the clip segment, read from ``cut.path``."""

    key: str
    position: int                  # index in the build's pieces, in timeline order
    timeline_frame: int            # where it starts on the final timeline
    frames: int
    encoding: Encoding
    clip_index: int
    cut: ClipCut
    digest: str                    # of the clip's file
    first: int                     # first frame within the clip segment
    skip: int                      # frames read before it (the preroll), dropped
    background: str
    cues: tuple[PieceCue, ...]
    lower_third: PieceLowerThird | None
    subtitle_header: str           # the .ass document's head: the brand's style at this size
    brand_dir: Path                # fonts for the subtitles, style for the lower third
    brand_fingerprint: str

    @property
    def read_from(self) -> float:
        """Seconds into the clip's file where reading starts (the preroll included)."""
        return self.cut.start + (self.first - self.skip) / self.encoding.fps

    @property
    def read_seconds(self) -> float:
        return (self.skip + self.frames) / self.encoding.fps + INPUT_MARGIN

    @property
    def decoder_threads(self) -> int:
        """One decoding thread keeps up with the encoder up to 1080p and keeps memory low."""
        return 1 if self.cut.pixels <= ONE_THREAD_PIXELS else 0

    @property
    def label(self) -> str:
        return f"clip {self.clip_index + 1} {_clock(self.first, self.encoding.fps)}–" \
               f"{_clock(self.first + self.frames, self.encoding.fps)}"


@dataclass(frozen=True)
class CardPiece:
    """A whole card, drawn then encoded like the clips."""

    key: str
    position: int
    timeline_frame: int
    frames: int
    encoding: Encoding
    card: Card
    brand_dir: Path
    brand_fingerprint: str

    @property
    def label(self) -> str:
        return self.card.kind


Piece = ClipPiece | CardPiece


@dataclass(frozen=True)
class BuildPlan:
    """Everything a build renders, each part keyed by content: pieces, the audio track, thumbnail."""

    pieces: tuple[Piece, ...]
    audio_key: str
    thumbnail_key: str

    @property
    def keys(self) -> set[str]:
        return {p.key for p in self.pieces} | {self.audio_key, self.thumbnail_key}


def _clock(frame: int, fps: int) -> str:
    seconds = frame / fps
    return f"{int(seconds // 60)}:{seconds % 60:04.1f}"


def chunks(frames: int, fps: int) -> list[tuple[int, int]]:
    """(first frame, frame count) of each chunk of a clip segment ``frames`` long."""
    size = max(round(CHUNK_SECONDS * fps), 1)
    tail = round(MIN_TAIL_SECONDS * fps)
    bounds = list(range(0, frames, size))
    if len(bounds) > 1 and frames - bounds[-1] < tail:
        bounds.pop()
    return [(a, (bounds[i + 1] if i + 1 < len(bounds) else frames) - a) for i, a in enumerate(bounds)]


def _shown(cue: Cue, fps: int) -> tuple[int, int]:
    """The timeline frames [first, end) whose time falls within the cue."""
    return math.ceil(cue.start * fps - 1e-6), math.ceil(cue.end * fps - 1e-6)


def piece_cues(timeline: Timeline, start: int, frames: int) -> tuple[PieceCue, ...]:
    found = []
    for cue in timeline.cues:
        first, end = _shown(cue, timeline.fps)
        first, end = max(first - start, 0), min(end - start, frames)
        if first < end:
            found.append(PieceCue(first, end, cue.text))
    return tuple(sorted(found, key=lambda c: (c.first, c.end, c.text)))


def piece_lower_third(timeline: Timeline, start: int, frames: int) -> PieceLowerThird | None:
    begin = timeline.seconds(start)
    for lower in timeline.lower_thirds:
        if lower.start < begin + timeline.seconds(frames) and lower.end > begin:
            return PieceLowerThird(lower.name, lower.role, round(lower.start - begin, 6),
                                   round(lower.end - begin, 6))
    return None


def _preroll(cut: ClipCut, fps: int) -> int:
    """Enough output frames to start reading before the source frame shown at a chunk's start."""
    return math.ceil(fps / max(cut.source_fps, 1.0)) + PREROLL_FRAMES


def _cut_fields(cut: ClipCut) -> list[str]:
    """What of a cut changes pixels: all but where the file is and what only affects speed or sound."""
    ignored = {"path", "has_audio", "pixels"}
    return [f"{f.name}={getattr(cut, f.name)!r}" for f in dataclasses.fields(cut) if f.name not in ignored]


def _clip_key(piece: ClipPiece, renderer: str) -> str:
    drawn: list[object] = []
    if piece.cues or piece.lower_third:  # text drawn with the brand's fonts and style
        drawn = [piece.subtitle_header, piece.brand_fingerprint, piece.lower_third,
                 *((c.first, c.end, c.text) for c in piece.cues)]
    return hash_parts(PIECES_VERSION, renderer, piece.encoding.key(), "clip", piece.digest,
                      *_cut_fields(piece.cut), piece.first, piece.frames,
                      piece.background if piece.cut.fit == "color" else "-", *drawn)


def _card_key(piece: CardPiece, logo_digest: str, renderer: str) -> str:
    card = piece.card
    return hash_parts(PIECES_VERSION, renderer, piece.encoding.key(), CARDS_VERSION, card.kind, card.title,
                      card.heading, *card.lines, logo_digest, piece.brand_fingerprint, piece.frames)


def plan_pieces(timeline: Timeline, *, subtitle_header: str, brand_dir: Path, brand_fingerprint: str,
                digests: Mapping[Path, str], renderer: str) -> BuildPlan:
    """The pieces of ``timeline`` in order, with the keys of its audio track and thumbnail.

    ``digests`` gives each input file's content digest (clips, music, employer logo);
    ``renderer`` names what encodes (mlprod's renderer version and the ffmpeg build).
    """
    encoding = Encoding.of(timeline.profile)
    fps = timeline.fps
    pieces: list[Piece] = []
    for segment in timeline.segments:
        if isinstance(segment, CardSegment):
            card = CardPiece("", len(pieces), segment.start_frame, segment.frames, encoding, segment.card,
                             brand_dir, brand_fingerprint)
            logo = digests.get(card.card.logo, "missing") if card.card.logo else "-"
            pieces.append(dataclasses.replace(card, key=_card_key(card, logo, renderer)))
            continue
        for first, frames in chunks(segment.frames, fps):
            at = segment.start_frame + first
            clip = ClipPiece(
                "", len(pieces), at, frames, encoding, segment.clip_index, segment.cut,
                digests.get(segment.cut.path, "missing"), first, min(first, _preroll(segment.cut, fps)),
                timeline.background, piece_cues(timeline, at, frames),
                piece_lower_third(timeline, at, frames), subtitle_header, brand_dir, brand_fingerprint)
            pieces.append(dataclasses.replace(clip, key=_clip_key(clip, renderer)))
    return BuildPlan(tuple(pieces), audio_key(timeline, digests, renderer),
                     thumbnail_key(timeline, digests, brand_fingerprint))


def audio_key(timeline: Timeline, digests: Mapping[Path, str], renderer: str) -> str:
    """What the sound is made from: each segment's length and clip, the music bed, the encoder."""
    parts: list[object] = [AUDIO_VERSION, renderer, AUDIO_RATE, timeline.fps,
                           timeline.profile.encoder.audio_bitrate, audio.TARGET_I, audio.PROMISE_TP,
                           audio.TARGET_TP]
    for segment in timeline.segments:
        parts.append(segment.frames)
        if isinstance(segment, CutSegment) and segment.cut.has_audio:
            parts += [digests.get(segment.cut.path, "missing"), f"{segment.cut.start:.6f}"]
    music = timeline.music
    if music is not None:
        parts += [digests.get(music.path, "missing"), music.volume_db, music.duck, music.fade, music.loop]
    return hash_parts(*parts)


def thumbnail_key(timeline: Timeline, digests: Mapping[Path, str], brand_fingerprint: str) -> str:
    first = timeline.clip_segments()[0]
    return hash_parts(THUMBNAIL_VERSION, digests.get(first.cut.path, "missing"), f"{first.cut.start:.6f}",
                      first.frames, timeline.fps, timeline.title, brand_fingerprint)


# -- serialising a piece spec, for a render worker elsewhere -----------------------------------

_TYPES: dict[str, type[Any]] = {"clip": ClipPiece, "card": CardPiece}


def _plain(value: object) -> object:
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return value


def spec_to_json(piece: Piece) -> str:
    kind = "clip" if isinstance(piece, ClipPiece) else "card"
    return json.dumps({"type": kind, "spec": _plain(piece)}, ensure_ascii=False, sort_keys=True)


def _typed(kind: Any, value: Any) -> Any:
    """``value`` (from JSON) as the annotated type ``kind``: dataclasses, paths, tuples, optionals."""
    if value is None:
        return None
    origin = typing.get_origin(kind)
    if origin in (types.UnionType, typing.Union):
        options = [k for k in typing.get_args(kind) if k is not type(None)]
        return _typed(options[0], value) if len(options) == 1 else value
    if origin is tuple:
        args = typing.get_args(kind)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_typed(args[0], v) for v in value)
        return tuple(_typed(k, v) for k, v in zip(args, value, strict=True))
    if kind is Path:
        return Path(value)
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        hints = typing.get_type_hints(kind)
        return kind(**{f.name: _typed(hints[f.name], value[f.name]) for f in dataclasses.fields(kind)})
    return value


def spec_from_json(text: str) -> Piece:
    data = json.loads(text)
    piece: Piece = _typed(_TYPES[data["type"]], data["spec"])
    return piece
