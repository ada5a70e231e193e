"""One source clip → frames of the output profile: the per-clip video chain, as filtergraph steps. Pure.

Each function returns ``filter_complex`` statements (``"[in]filter,filter[out]"``) reading the label
it is given and writing the label it is asked for, so the one-pass renderer and the per-piece
renderer build the same pictures from the same description: the probed source (:class:`VideoInfo`),
how it fills the frame (:data:`Fit`), the output profile and the brand colour.

The chain: timestamps from zero; constant frame rate (first when the source is faster: fewer frames
to scale); scaled to fit without distortion on a blurred, darkened copy of itself (blurred at an
eighth of the size: cheap) or on the brand colour; square pixels, yuv420p, BT.709 labels; exactly the
planned number of frames. Rotation needs no step: ffmpeg turns the picture as the file says when it
decodes it (``-autorotate``, on by default).
"""

from __future__ import annotations

from dataclasses import dataclass

from mlprod.media.probe import VideoInfo
from mlprod.render.plan import Fit
from mlprod.render.profile import OutputProfile

BLUR_SCALE = 8            # the fill is blurred at 1/8 of the frame size, then scaled up
SAME_COLOURS = "setparams=range=tv:color_primaries=bt709:color_trc=bt709:colorspace=bt709"


@dataclass(frozen=True)
class Frame:
    """The picture every clip is brought to: the profile's size and rate, and how to fill around."""

    width: int
    height: int
    fps: int
    fit: Fit
    background: str                 # "#rrggbb", the brand colour around clips when fit is "color"

    @classmethod
    def of(cls, profile: OutputProfile, fit: Fit, background: str) -> Frame:
        return cls(width=profile.width, height=profile.height, fps=profile.fps, fit=fit,
                   background=background)


def _even(value: float) -> int:
    return max(round(value / 2) * 2, 2)


def fit(frame: Frame, src: str, out: str, tag: str) -> list[str]:
    """Scale ``src`` into the frame without distortion, filling the rest as ``frame.fit`` says."""
    width, height = frame.width, frame.height
    if frame.fit == "exact":
        return [f"{src}scale={width}:{height}:out_range=tv{out}"]
    inside = f"scale={width}:{height}:force_original_aspect_ratio=decrease:force_divisible_by=2:out_range=tv"
    if frame.fit == "color":
        color = frame.background.lstrip("#")
        return [f"{src}{inside},pad={width}:{height}:(ow-iw)/2:(oh-ih)/2:color=0x{color}{out}"]
    small_w, small_h = _even(width / BLUR_SCALE), _even(height / BLUR_SCALE)
    return [
        f"{src}split=2[fg{tag}][bg{tag}]",
        # blurred anyway: the fastest scaler is as good as any here
        f"[bg{tag}]scale={small_w}:{small_h}:force_original_aspect_ratio=increase:flags=fast_bilinear,"
        f"crop={small_w}:{small_h},gblur=sigma=3,lutyuv=y=16+(val-16)*0.5,"
        f"scale={width}:{height}:flags=fast_bilinear[bb{tag}]",
        f"[fg{tag}]{inside}[ff{tag}]",
        f"[bb{tag}][ff{tag}]overlay=(W-w)/2:(H-h)/2{out}",
    ]


def exact(frames: int) -> str:
    """Exactly ``frames`` frames (the last one held if the source runs short), all labelled alike:
    segments that differ in colour tags would make ffmpeg convert every frame of some of them to
    concatenate them, for no visible gain."""
    return (f"setsar=1,format=yuv420p,{SAME_COLOURS},tpad=stop=-1:stop_mode=clone,"
            f"trim=end_frame={frames}")


def clip_chain(video: VideoInfo, frame: Frame, frames: int, src: str, out: str, tag: str) -> list[str]:
    """The whole chain for one clip: ``src`` (the decoded, trimmed input) → ``frames`` frames at
    ``out``. ``tag`` makes the intermediate labels unique within one graph."""
    drop_first = video.fps > frame.fps * 1.01  # fewer frames to scale when the source is faster
    head = f"{src}setpts=PTS-STARTPTS" + (f",fps={frame.fps}" if drop_first else "")
    statements = [f"{head}[src{tag}]"]
    statements += fit(frame, f"[src{tag}]", f"[fit{tag}]", tag)
    tail = "" if drop_first else f"fps={frame.fps},"
    statements.append(f"[fit{tag}]{tail}{exact(frames)}{out}")
    return statements
