"""One source clip → frames of the output profile: the per-clip video chain, as filtergraph steps. Pure.

Each function returns ``filter_complex`` statements (``"[in]filter,filter[out]"``) reading the label
it is given and writing the label it is asked for, so every piece of a clip is built the same way
from the same description: the probed source (:class:`VideoInfo`),
how it fills the frame (:data:`Fit`), the output profile and the brand colour.

The chain: fields woven into frames (bwdif) when the source is interlaced; constant frame rate on
the output grid from where reading started (:func:`on_grid`; first when the source is faster: fewer
frames to scale); scaled to fit without distortion — converting its colours to BT.709 on the way,
not only relabelling them — on a blurred, darkened copy of itself (blurred at an eighth of the size:
cheap) or on the brand colour; a transparent clip composited on that fill or colour, never on black;
square pixels, yuv420p, BT.709 labels; exactly the planned number of frames. Rotation needs no step:
ffmpeg turns the picture as the file says when it decodes it (``-autorotate``, on by default).
"""

from __future__ import annotations

from dataclasses import dataclass

from mlprod.media.probe import VideoInfo
from mlprod.render.plan import Fit
from mlprod.render.profile import OutputProfile

BLUR_SCALE = 8            # the fill is blurred at 1/8 of the frame size, then scaled up
SAME_COLOURS = "setparams=range=tv:color_primaries=bt709:color_trc=bt709:colorspace=bt709"
DEINTERLACE = "bwdif=mode=send_frame:parity=auto:deint=all"
# the colour matrix a source's tag names, as scale's in_color_matrix spells it
MATRICES = {"bt709": "bt709", "bt470bg": "bt470", "smpte170m": "smpte170m", "smpte240m": "smpte240m",
            "fcc": "fcc", "bt2020nc": "bt2020", "bt2020c": "bt2020", "gbr": "auto"}
# libvpx keeps a VP8/VP9 WebM's alpha (stored beside the picture); ffmpeg's own decoders drop it
ALPHA_DECODERS = {"vp9": "libvpx-vp9", "vp8": "libvpx"}


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

    @property
    def colour(self) -> str:
        return "0x" + self.background.lstrip("#")


def input_options(video: VideoInfo) -> list[str]:
    """ffmpeg options before the clip's ``-i``: the decoder that keeps a WebM's transparency."""
    decoder = ALPHA_DECODERS.get(video.codec) if video.alpha else None
    return ["-c:v", decoder] if decoder else []


def source_label(input_index: int, video: VideoInfo) -> str:
    """The clip's picture among the input's streams (not a cover picture that may come first)."""
    return f"[{input_index}:{video.index}]"


def source_matrix(video: VideoInfo) -> str:
    """The colour matrix the source was encoded with: its tag, or for an untagged file the
    convention players follow — BT.601 for standard definition, BT.709 above."""
    if video.colorspace in MATRICES:
        return MATRICES[video.colorspace]
    standard_definition = video.width < 1280 and video.height <= 576
    return "bt601" if standard_definition else "bt709"


def _colours(video: VideoInfo) -> str:
    """scale options converting the source's colours to BT.709 limited range as it scales."""
    return f"in_color_matrix={source_matrix(video)}:out_color_matrix=bt709:out_range=tv"


def _even(value: float) -> int:
    return max(round(value / 2) * 2, 2)


def _flatten(frame: Frame, src: str, out: str, tag: str) -> list[str]:
    """A transparent picture laid on the brand colour (a filled copy of itself: same size, same
    timestamps, so no canvas to keep in step)."""
    # both copies keep the alpha plane (filters after a split share one pixel format): the filled
    # one's is ignored by overlay, the other's says what shows through
    return [f"{src}format=yuva420p,split=2[fa{tag}][fb{tag}]",
            f"[fb{tag}]drawbox=c={frame.colour}:t=fill[fc{tag}]",
            f"[fc{tag}][fa{tag}]overlay=format=yuv420{out}"]


def fit(video: VideoInfo, frame: Frame, src: str, out: str, tag: str) -> list[str]:
    """Scale ``src`` into the frame without distortion, filling the rest as ``frame.fit`` says;
    a transparent clip shows that fill (or the brand colour) through."""
    width, height = frame.width, frame.height
    colours = _colours(video)
    if frame.fit == "exact":
        scaled = f"scale={width}:{height}:{colours}"
        if not video.alpha:
            return [f"{src}{scaled}{out}"]
        return [f"{src}{scaled}[sc{tag}]", *_flatten(frame, f"[sc{tag}]", out, tag)]
    inside = f"scale={width}:{height}:force_original_aspect_ratio=decrease:force_divisible_by=2:{colours}"
    if frame.fit == "color":
        padded = f"{inside},pad={width}:{height}:(ow-iw)/2:(oh-ih)/2:color={frame.colour}"
        if not video.alpha:
            return [f"{src}{padded}{out}"]
        return [f"{src}{padded}[sc{tag}]", *_flatten(frame, f"[sc{tag}]", out, tag)]
    small_w, small_h = _even(width / BLUR_SCALE), _even(height / BLUR_SCALE)
    # blurred anyway: the fastest scaler is as good as any here
    small = (f"scale={small_w}:{small_h}:force_original_aspect_ratio=increase:flags=fast_bilinear:"
             f"{colours},crop={small_w}:{small_h}")
    blur = f"gblur=sigma=3,lutyuv=y=16+(val-16)*0.5,scale={width}:{height}:flags=fast_bilinear"
    statements = [f"{src}split=2[fg{tag}][bg{tag}]"]
    if video.alpha:
        statements += [f"[bg{tag}]{small}[sm{tag}]", *_flatten(frame, f"[sm{tag}]", f"[sf{tag}]", f"b{tag}"),
                       f"[sf{tag}]{blur}[bb{tag}]"]
    else:
        statements.append(f"[bg{tag}]{small},{blur}[bb{tag}]")
    statements += [f"[fg{tag}]{inside}[ff{tag}]",
                   # a transparent clip's alpha is honoured here: the blurred fill shows through
                   f"[bb{tag}][ff{tag}]overlay=(W-w)/2:(H-h)/2:format=yuv420{out}"]
    return statements


def exact(frames: int) -> str:
    """Exactly ``frames`` frames (the last one held if the source runs short), all labelled alike:
    segments that differ in colour tags would make ffmpeg convert every frame of some of them to
    concatenate them, for no visible gain."""
    return (f"setsar=1,format=yuv420p,{SAME_COLOURS},tpad=stop=-1:stop_mode=clone,"
            f"trim=end_frame={frames}")


def on_grid(frame: Frame, skip: int) -> str:
    """Constant frame rate on the output grid counted from where reading started (the input's
    ``-ss``, timestamps from zero there), the first ``skip`` frames dropped: a clip read in chunks,
    each from a few frames before it, shows the frames one pass over the whole clip would."""
    return f"fps={frame.fps}:start_time=0,trim=start_frame={skip},setpts=PTS-STARTPTS"


def clip_chain(video: VideoInfo, frame: Frame, frames: int, src: str, out: str, tag: str,
               skip: int = 0) -> list[str]:
    """The whole chain for one clip: ``src`` (the decoded input, see :func:`source_label` and
    :func:`input_options`, read from ``skip`` output frames before the first one wanted) →
    ``frames`` frames at ``out``. ``tag`` makes the intermediate labels unique within one graph."""
    drop_first = video.fps > frame.fps * 1.01  # fewer frames to scale when the source is faster
    steps = [DEINTERLACE] if video.interlaced else []
    if drop_first:
        steps.append(on_grid(frame, skip))
    statements = [f"{src}{','.join(steps) or 'null'}[src{tag}]"]
    statements += fit(video, frame, f"[src{tag}]", f"[fit{tag}]", tag)
    tail = "" if drop_first else f"{on_grid(frame, skip)},"
    statements.append(f"[fit{tag}]{tail}{exact(frames)}{out}")
    return statements
