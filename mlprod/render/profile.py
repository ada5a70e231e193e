"""What one build encodes to: frame size, frame rate and encoder settings for a format and quality.

``draft`` is for checking a cut quickly (540p, ultrafast), ``standard`` is what goes on YouTube,
``master`` spends more time for a smaller, cleaner file. The benchmark's floor uses ``standard``.
"""

from __future__ import annotations

from dataclasses import dataclass

from mlprod.recipe.schema import Format, Quality

AUDIO_RATE = 48000
DRAFT_SHORT_SIDE = 540


@dataclass(frozen=True)
class Encoder:
    preset: str
    crf: int
    audio_bitrate: str


ENCODERS = {
    Quality.draft: Encoder(preset="ultrafast", crf=28, audio_bitrate="128k"),
    Quality.standard: Encoder(preset="veryfast", crf=21, audio_bitrate="160k"),
    Quality.master: Encoder(preset="slow", crf=18, audio_bitrate="192k"),
}


@dataclass(frozen=True)
class OutputProfile:
    """Frame size, rate and encoder for one format at one quality."""

    format: Format
    quality: Quality
    width: int
    height: int
    fps: int
    encoder: Encoder

    @property
    def short_side(self) -> int:
        return min(self.width, self.height)

    @property
    def aspect(self) -> float:
        return self.width / self.height

    def key(self) -> str:
        """Everything about the output that changes its pixels, for content hashes."""
        enc = self.encoder
        return f"{self.format.value}:{self.quality.value}:{self.width}x{self.height}@{self.fps}:" \
               f"{enc.preset}:{enc.crf}:{enc.audio_bitrate}"


def output_profile(fmt: Format, quality: Quality, fps: int) -> OutputProfile:
    """The profile for ``fmt`` at ``quality``; draft scales the format down to a 540-pixel short side."""
    width, height = fmt.size
    if quality is Quality.draft:
        scale = DRAFT_SHORT_SIDE / min(width, height)
        width, height = _even(width * scale), _even(height * scale)
    return OutputProfile(format=fmt, quality=quality, width=width, height=height, fps=fps,
                         encoder=ENCODERS[quality])


def _even(value: float) -> int:
    return round(value / 2) * 2
