"""A timeline → ffmpeg's arguments: the one render pass and the audio-only measuring passes. Pure.

The render is one ``filter_complex``: each clip trimmed at the input (``-ss``/``-t``), made (filters.py)
constant-rate, scaled to fit and surrounded by a blurred, darkened copy of itself (blurred at an
eighth of the size: cheap) or the brand colour; the cached cards in between; one ``concat``;
the lower thirds overlaid; the subtitles burned by libass with the brand's fonts; the finished
sound (audio.py, rendered before) copied beside the pictures.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from mlprod.render import audio, filters
from mlprod.render.cards import Overlay
from mlprod.render.plan import Segment, Timeline

SLIDE = 0.35              # seconds a lower third takes to slide in or out
ONE_THREAD_PIXELS = 1920 * 1088  # up to 1080p a single decoding thread keeps up with the encoder
# x264's defaults buffer frames for speed we barely get: one frame thread per core (not 1.5) and a
# lookahead sharing them (the same video) encode at the same pace with ~50 MB less at 1080p
X264_MEMORY = ["-threads:v", str(os.cpu_count() or 0), "-x264-params", "sync-lookahead=0"]
BT709 = ["-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709"]


@dataclass(frozen=True)
class RenderAssets:
    """Files made for this render: card videos by segment index, overlays, the .ass subtitles."""

    cards: Mapping[int, Path]
    overlays: tuple[Overlay, ...]
    subtitles: Path | None
    fonts_dir: Path


def escape_value(value: str | Path) -> str:
    """A filter option value, quoted for both levels of ffmpeg's filtergraph parsing."""
    quoted = "'" + str(value).replace("'", "'\\''") + "'"
    return "".join("\\" + ch if ch in "\\'[],;" else ch for ch in quoted)


class _Inputs:
    """ffmpeg input arguments, numbered in the order they are added."""

    def __init__(self) -> None:
        self.args: list[str] = []
        self.count = 0

    def add(self, path: Path, *options: str, threads: int = 1) -> int:
        """``threads``: decoding threads (0: ffmpeg's choice); one keeps memory low and keeps up
        with the encoder for pictures up to 1080p."""
        self.args += [*options, "-threads", str(threads), "-i", str(path)]
        self.count += 1
        return self.count - 1


def _decoder_threads(segment: Segment) -> int:
    assert segment.cut is not None
    return 1 if segment.cut.pixels <= ONE_THREAD_PIXELS else 0


def _clip_video(timeline: Timeline, segment: Segment, index: int, k: int) -> list[str]:
    assert segment.cut is not None
    frame = filters.Frame.of(timeline.profile, segment.cut.fit, timeline.background)
    src = filters.source_label(index, segment.cut.video)
    return filters.clip_chain(segment.cut.video, frame, segment.frames, src, f"[v{k}]", str(k))


def _video_graph(timeline: Timeline, assets: RenderAssets, inputs: _Inputs,
                 clip_inputs: dict[int, int]) -> list[str]:
    statements: list[str] = []
    for k, segment in enumerate(timeline.segments):
        if segment.cut is not None:
            statements += _clip_video(timeline, segment, clip_inputs[k], k)
        else:
            # a source inside the graph, read only when its turn comes: an input waiting for its
            # turn would hold a queue of decoded frames (tens of MB at 1080p) all along
            source = f"movie=filename={escape_value(assets.cards[k])}:dec_threads=1"
            statements.append(f"{source},setpts=PTS-STARTPTS,{filters.exact(segment.frames)}[v{k}]")
    labels = "".join(f"[v{k}]" for k in range(len(timeline.segments)))
    statements.append(f"{labels}concat=n={len(timeline.segments)}:v=1:a=0[vcat]")
    last = "[vcat]"
    for j, overlay in enumerate(assets.overlays):
        index = inputs.add(overlay.path)
        statements.append(f"{last}[{index}:v]overlay=x='{_slide_x(overlay)}':y={overlay.y}"
                          f":enable='between(t,{overlay.start:.3f},{overlay.end:.3f})'[ov{j}]")
        last = f"[ov{j}]"
    finish = []
    if assets.subtitles is not None:
        finish.append(f"subtitles=filename={escape_value(assets.subtitles)}"
                      f":fontsdir={escape_value(assets.fonts_dir)}")
    finish.append("format=yuv420p")
    statements.append(f"{last}{','.join(finish)}[vout]")
    return statements


def _slide_x(overlay: Overlay) -> str:
    """x of a lower third: slides in from the left edge, holds, slides back out."""
    x0, a, b = overlay.x, overlay.start, overlay.end
    travel = f"({x0}+w)"
    return (f"if(lt(t,{a + SLIDE:.3f}),{x0}-{travel}*(1-(t-{a:.3f})/{SLIDE}),"
            f"if(gt(t,{b - SLIDE:.3f}),{x0}-{travel}*((t-{b - SLIDE:.3f})/{SLIDE}),{x0}))")


def _add_clips(timeline: Timeline, inputs: _Inputs) -> dict[int, int]:
    """Clip inputs by segment index."""
    found = {}
    for k, segment in enumerate(timeline.segments):
        if segment.cut is None:
            continue
        found[k] = inputs.add(segment.cut.path, *filters.input_options(segment.cut.video),
                              *audio.clip_input_options(timeline, segment),
                              threads=_decoder_threads(segment))
    return found


def render_args(timeline: Timeline, assets: RenderAssets, sound: Path, output: Path) -> list[str]:
    """The one pass that makes the video: inputs, the filter graph, the encoder, the MP4 with the
    finished ``sound`` (see audio.audio_args) beside the pictures."""
    inputs = _Inputs()
    clip_inputs = _add_clips(timeline, inputs)
    video = _video_graph(timeline, assets, inputs, clip_inputs)
    sound_input = inputs.add(sound)
    enc = timeline.profile.encoder
    return [
        *inputs.args, "-filter_complex", ";".join(video),
        "-map", "[vout]", "-map", f"{sound_input}:a:0",
        "-c:v", "libx264", "-preset", enc.preset, "-crf", str(enc.crf), *X264_MEMORY, "-pix_fmt", "yuv420p",
        "-profile:v", "high", "-r", str(timeline.fps), "-fps_mode", "cfr",
        *BT709,
        "-c:a", "copy",
        "-metadata", f"title={timeline.title}", "-movflags", "+faststart",
        "-t", f"{timeline.duration:.6f}", "-f", "mp4", str(output),
    ]
