"""Planning: a recipe, its probed sources, a brand and an output profile → a :class:`Timeline`.

Pure: no file is read here. Every duration is a whole number of output frames, so the video and
its audio (48 kHz: 1600 samples a frame at 30 fps) line up exactly and the planned duration is the
rendered one. Problems a probe reveals (a trim past the end, sound longer than the picture) are
raised here with the recipe, the field, the file and the fix.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Literal

from mlprod.brand import Brand
from mlprod.errors import MediaError
from mlprod.media.probe import VideoInfo
from mlprod.media.subtitles import Cue, shift, window
from mlprod.recipe.schema import JobOffer
from mlprod.render.profile import AUDIO_RATE, OutputProfile
from mlprod.render.sources import ClipSource, Sources
from mlprod.render.wording import OFFER_HEADING, lower_third_text, offer_lines

ASPECT_TOLERANCE = 0.01      # a 1% difference in shape is scaled away rather than filled
AUDIO_OVERHANG = 0.3         # seconds of sound past the picture's end tolerated (encoder padding)
LOWER_THIRD_DELAY = 0.4      # seconds into the first clip before the lower third slides in
LOWER_THIRD_TAIL = 0.2       # it leaves this long before the clip ends at the latest

Fit = Literal["exact", "blur", "color"]
CardKind = Literal["intro", "outro", "offer"]


class SegmentKind(StrEnum):
    intro = "intro"
    clip = "clip"
    offer = "offer"
    outro = "outro"


@dataclass(frozen=True)
class Card:
    """What an animated card shows; with the brand and the profile it keys the card cache."""

    kind: CardKind
    title: str
    lines: tuple[str, ...] = ()
    heading: str = ""
    logo: Path | None = None        # a second logo (the employer's) on an offer card


@dataclass(frozen=True)
class ClipCut:
    """The part of a source file a clip segment shows, and how it fills the frame."""

    path: Path
    start: float                    # seconds into the file
    fit: Fit
    source_fps: float
    has_audio: bool
    pixels: int                     # decoded picture size, width × height
    video: VideoInfo                # what probing found: the per-clip filters are chosen from it


@dataclass(frozen=True)
class CardSegment:
    """An animated card (intro, offer, outro): drawn, not read from a clip."""

    start_frame: int
    frames: int
    card: Card

    @property
    def kind(self) -> SegmentKind:
        return SegmentKind(self.card.kind)


@dataclass(frozen=True)
class CutSegment:
    """A part of one of the recipe's clips (``clip_index`` in ``clips:``)."""

    start_frame: int
    frames: int
    cut: ClipCut
    clip_index: int

    @property
    def kind(self) -> SegmentKind:
        return SegmentKind.clip


Segment = CardSegment | CutSegment
"""One piece of the timeline: a card or a cut, told apart by its type."""


@dataclass(frozen=True)
class LowerThird:
    name: str
    role: str | None
    start: float                    # seconds on the final timeline
    end: float


@dataclass(frozen=True)
class MusicBed:
    path: Path
    volume_db: float
    duck: bool
    fade: float
    loop: bool                      # shorter than the video: played again from the start


@dataclass(frozen=True)
class Timeline:
    slug: str
    title: str
    profile: OutputProfile
    segments: tuple[Segment, ...]
    lower_thirds: tuple[LowerThird, ...]
    cues: tuple[Cue, ...]           # on the final timeline
    music: MusicBed | None
    background: str                 # the brand colour around clips when fill is "color"

    @property
    def fps(self) -> int:
        return self.profile.fps

    @property
    def frames(self) -> int:
        return sum(s.frames for s in self.segments)

    @property
    def duration(self) -> float:
        return self.frames / self.fps

    def seconds(self, frames: int) -> float:
        return frames / self.fps

    def samples(self, frames: int) -> int:
        return round(frames * AUDIO_RATE / self.fps)

    def clip_segments(self) -> list[CutSegment]:
        return [s for s in self.segments if isinstance(s, CutSegment)]


def _video_duration(source: ClipSource) -> float:
    video = source.info.video
    assert video is not None  # sources refuse clips without pictures
    return video.duration or source.info.duration


def _cut_window(sources: Sources, source: ClipSource) -> tuple[float, float]:
    """[start, end) of the clip in its file, checked against what the file holds."""
    where = f"{sources.loaded.path}: clips[{source.index}]"
    clip, name = source.clip, source.clip.file
    length = _video_duration(source)
    fps = source.info.video.fps if source.info.video else 30.0
    start = clip.start or 0.0
    if start >= length:
        raise MediaError(f"{where}.start: {start:g} s is past the end of {name}, which lasts"
                         f" {length:.2f} s — choose a start before {length:.2f} s")
    end = length if clip.end is None else clip.end
    if end > length + 1.0 / max(fps, 1.0):
        raise MediaError(f"{where}.end: {end:g} s is past the end of {name}, which lasts {length:.2f} s"
                         f" — set `end:` to {length:.2f} or less, or remove it")
    audio = source.info.audio
    if audio and audio.duration and audio.duration > length + AUDIO_OVERHANG and clip.end is None:
        raise MediaError(
            f"{where}: {name}: its sound lasts {audio.duration:.2f} s but its picture only {length:.2f} s"
            f" — add `end: {length:.2f}` to this clip to cut it where the picture ends (or re-export the"
            " video so that both have the same length)")
    return start, min(end, length)


def _fit(source: ClipSource, profile: OutputProfile, brand: Brand) -> Fit:
    video = source.info.video
    assert video is not None
    aspect = video.display_width / video.display_height
    if abs(aspect / profile.aspect - 1) <= ASPECT_TOLERANCE:
        return "exact"
    return "blur" if brand.fill == "blur" else "color"


def _frames(seconds: float, fps: int) -> int:
    return max(round(seconds * fps), 1)


def _cards(sources: Sources, brand: Brand) -> tuple[Card, Card | None, Card]:
    loaded = sources.loaded
    intro = Card(kind="intro", title=loaded.title)
    outro = Card(kind="outro", title=brand.outro_title, lines=brand.outro_lines)
    offer = None
    recipe = loaded.recipe
    if isinstance(recipe, JobOffer):
        offer = Card(kind="offer", title=recipe.offer.position, lines=offer_lines(recipe.offer),
                     heading=f"{OFFER_HEADING} — {recipe.employer.name}", logo=recipe.employer.logo)
    return intro, offer, outro


def plan_timeline(sources: Sources, brand: Brand, profile: OutputProfile) -> Timeline:
    """The segments, overlays, captions and music of one build, every duration known."""
    fps = profile.fps
    intro, offer, outro = _cards(sources, brand)
    segments: list[Segment] = []
    cues: list[Cue] = []
    at = 0

    def add_card(card: Card, seconds: float) -> None:
        nonlocal at
        segments.append(CardSegment(start_frame=at, frames=_frames(seconds, fps), card=card))
        at += segments[-1].frames

    if brand.intro_seconds > 0:
        add_card(intro, brand.intro_seconds)
    for source in sources.clips:
        start, end = _cut_window(sources, source)
        video = source.info.video
        assert video is not None
        cut = ClipCut(path=source.clip.file, start=start, fit=_fit(source, profile, brand),
                      source_fps=video.fps, has_audio=source.info.audio is not None,
                      pixels=video.width * video.height, video=video)
        frames = _frames(end - start, fps)
        if source.cues:
            shown = window(source.cues, start, start + frames / fps)
            cues.extend(c for c in shift(shown, at / fps) if c.end - c.start >= 0.01)
        segments.append(CutSegment(start_frame=at, frames=frames, cut=cut, clip_index=source.index))
        at += frames
    if offer is not None and brand.offer_card_seconds > 0:
        add_card(offer, brand.offer_card_seconds)
    if brand.outro_seconds > 0:
        add_card(outro, brand.outro_seconds)
    timeline = Timeline(slug=sources.loaded.slug, title=sources.loaded.title, profile=profile,
                        segments=tuple(segments), lower_thirds=(), cues=tuple(cues), music=None,
                        background=brand.background)
    return _with_extras(timeline, sources, brand)


def _with_extras(timeline: Timeline, sources: Sources, brand: Brand) -> Timeline:
    """Add the lower third on the first clip and the music bed under the whole video."""
    lower: tuple[LowerThird, ...] = ()
    text = lower_third_text(sources.loaded.recipe)
    first = timeline.clip_segments()[0]
    if text is not None and brand.lower_third_seconds > 0:
        begin = timeline.seconds(first.start_frame)
        finish = timeline.seconds(first.start_frame + first.frames)
        delay = LOWER_THIRD_DELAY if finish - begin > 2 * LOWER_THIRD_DELAY + 1 else 0.0
        start = begin + delay
        end = min(start + brand.lower_third_seconds, finish - LOWER_THIRD_TAIL)
        if end - start < 1.0:
            start, end = begin, finish
        lower = (LowerThird(name=text[0], role=text[1], start=start, end=end),)
    music = None
    spec = sources.loaded.recipe.music
    if spec is not None and sources.music is not None:
        music = MusicBed(path=spec.file, volume_db=spec.volume_db, duck=spec.duck,
                         fade=min(brand.music_fade_seconds, timeline.duration / 4),
                         loop=sources.music.duration < timeline.duration)
    return replace(timeline, lower_thirds=lower, music=music)
