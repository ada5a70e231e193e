"""What an input file really is: streams, duration, frame rate, display size, audio layout.

Probing goes through PyAV (the bundled ffmpeg ships no ffprobe). Files are judged by their
content, never their name: a PNG renamed ``.mp4`` is an image, and says so. Besides sizes and
rates, probing notes what the renderer must treat specially: a transparent picture (alpha), an
interlaced one, its colour matrix and range; an attached picture (cover art) is not a video.
A file written as it was recorded (a browser's MediaRecorder, a live stream saved to disk: WebM
with no duration in its header and no index) gets its duration from reading its packets.
:func:`sound_gaps` finds where a file's sound cannot be decoded.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Iterator
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path

import av

from mlprod.errors import MediaError

IMAGE_FORMATS = {"image2", "png_pipe", "jpeg_pipe", "webp_pipe", "bmp_pipe", "gif", "tiff_pipe",
                 "gif_pipe", "svg_pipe", "jpegls_pipe", "ppm_pipe", "pgm_pipe", "qoi_pipe"}
VFR_TOLERANCE = 0.02  # frame intervals varying by more than 2% mean a variable frame rate
PACKETS_FOR_RATE = 600
# AVColorSpace and AVColorRange values, by the names ffmpeg's filters take
COLORSPACES = {0: "gbr", 1: "bt709", 4: "fcc", 5: "bt470bg", 6: "smpte170m", 7: "smpte240m", 8: "ycgco",
               9: "bt2020nc", 10: "bt2020c"}
COLOR_RANGES = {1: "tv", 2: "pc"}
ALPHA_FORMATS = ("yuva", "rgba", "bgra", "argb", "abgr", "gbrap", "ya8", "ya16", "ayuv", "vuya")
INTERLACED_FIELD_ORDERS = {2, 3, 4, 5}  # AVFieldOrder: TT, BB, TB, BT (0 unknown, 1 progressive)
GAP_JOIN = 0.1            # seconds: undecodable stretches closer than this are reported as one
TRUNCATION_SLACK = 0.75  # seconds of data that may be missing at the end before we call it cut


@dataclass(frozen=True)
class VideoInfo:
    codec: str
    width: int                 # coded size
    height: int
    rotation: int              # degrees clockwise the player turns the picture: 0, 90, 180, 270
    display_width: int         # after rotation and sample aspect ratio
    display_height: int
    fps: float                 # average frame rate
    constant_frame_rate: bool
    pix_fmt: str
    duration: float | None
    index: int = 0             # the stream's index in the file (a cover picture may come first)
    alpha: bool = False        # transparent parts: a pixel format with alpha, or VP9/VP8 alpha_mode
    interlaced: bool = False   # fields, not frames: the stream's field order or its first frame says so
    colorspace: str = "unknown"  # the colour matrix as tagged: bt709, bt470bg, smpte170m… or unknown
    color_range: str = "unknown"  # tv (limited), pc (full) or unknown

    @property
    def short_side(self) -> int:
        return min(self.display_width, self.display_height)


@dataclass(frozen=True)
class AudioInfo:
    codec: str
    channels: int
    layout: str
    sample_rate: int
    duration: float | None
    index: int = 0


@dataclass(frozen=True)
class SoundGap:
    """Seconds of a file's sound that cannot be decoded (damaged data): silence when rendered."""

    start: float
    end: float


@dataclass(frozen=True)
class MediaInfo:
    path: Path
    format_name: str
    duration: float
    size_bytes: int
    video: VideoInfo | None
    audio: AudioInfo | None

    @property
    def has_video(self) -> bool:
        return self.video is not None

    @property
    def has_audio(self) -> bool:
        return self.audio is not None


def _stream_duration(stream: av.stream.Stream) -> float | None:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    return None


def _rate(deltas: list[int], time_base: Fraction) -> tuple[float | None, bool]:
    if len(deltas) < 2:
        return None, True
    median = statistics.median(deltas)
    if median <= 0:
        return None, True
    spread = max(abs(d - median) for d in deltas) / median
    # timestamps in whole milliseconds (WebM) alternate 33 and 34 ms at 30 fps: one tick is rounding
    return 1 / float(median * time_base), spread <= max(VFR_TOLERANCE, 1.01 / median)


def _video_info(container: av.container.InputContainer, stream: av.VideoStream, path: Path) -> VideoInfo:
    pts: list[int] = []
    rotation = 0
    first_frame_seen = False
    interlaced_frame = False
    for packet in container.demux(stream):
        if packet.pts is not None:
            pts.append(packet.pts)
        if not first_frame_seen and packet.size:
            try:
                for frame in packet.decode():
                    rotation = round(-frame.rotation) % 360 if frame.rotation else 0
                    interlaced_frame = bool(frame.interlaced_frame)
                    first_frame_seen = True
                    break
            except av.error.FFmpegError as err:
                raise MediaError(f"{path}: the video cannot be decoded ({err}) — the file is corrupt;"
                                 " export or copy it again") from err
        if len(pts) >= PACKETS_FOR_RATE:
            break
    if not first_frame_seen:
        raise MediaError(f"{path}: the video stream holds no picture — the file is empty or truncated;"
                         " copy it again from the phone or camera")
    pts.sort()
    deltas = [b - a for a, b in itertools.pairwise(pts) if b > a]
    fps, constant = _rate(deltas, stream.time_base or Fraction(1, 90000))
    if fps is None:
        fps = float(stream.average_rate or stream.guessed_rate or 0)
    avg = float(stream.average_rate) if stream.average_rate else fps
    ctx = stream.codec_context
    width, height = ctx.width, ctx.height
    sar = ctx.sample_aspect_ratio
    disp_w = round(width * float(sar)) if sar else width
    disp_h = height
    if rotation in (90, 270):
        disp_w, disp_h = disp_h, disp_w
    pix_fmt = ctx.format.name if ctx.format else "unknown"
    return VideoInfo(
        codec=ctx.name, width=width, height=height, rotation=rotation,
        display_width=disp_w, display_height=disp_h, fps=round(avg or fps, 3),
        constant_frame_rate=constant, pix_fmt=pix_fmt, duration=_stream_duration(stream),
        index=stream.index,
        alpha=pix_fmt.startswith(ALPHA_FORMATS) or stream.metadata.get("alpha_mode") == "1",
        interlaced=interlaced_frame or _field_order(ctx) in INTERLACED_FIELD_ORDERS,
        colorspace=COLORSPACES.get(int(ctx.colorspace or 2), "unknown"),
        color_range=COLOR_RANGES.get(int(ctx.color_range or 0), "unknown"),
    )


def _field_order(ctx: av.VideoCodecContext) -> int:
    return int(getattr(ctx, "field_order", 0) or 0)


def _audio_info(stream: av.AudioStream) -> AudioInfo:
    ctx = stream.codec_context
    layout = ctx.layout.name if ctx.layout else f"{ctx.channels} channels"
    return AudioInfo(codec=ctx.name, channels=ctx.channels, layout=layout,
                     sample_rate=ctx.sample_rate, duration=_stream_duration(stream), index=stream.index)


def _read_to_the_end(path: Path, streams: list[int]) -> dict[int, float]:
    """Each stream's length found by reading every packet (no decoding): for files whose header
    does not say, like a WebM recorded in a browser or saved from a live stream."""
    ends: dict[int, float] = {}
    starts: dict[int, float] = {}
    try:
        with av.open(str(path), "r") as container:
            chosen = [container.streams[i] for i in streams]
            for packet in container.demux(*chosen):
                if packet.pts is None or packet.time_base is None:
                    continue
                at = float(packet.pts * packet.time_base)
                end = at + float((packet.duration or 0) * packet.time_base)
                index = packet.stream.index
                starts[index] = min(starts.get(index, at), at)
                ends[index] = max(ends.get(index, end), end)
    except av.error.FFmpegError as err:
        raise MediaError(f"{path}: the file cannot be read to its end ({err}) — it is truncated or"
                         " corrupt; copy it again") from err
    return {index: ends[index] - starts[index] for index in ends}


def _check_not_truncated(container: av.container.InputContainer, path: Path, duration: float) -> None:
    """Seek near the end and read: a file cut short (an interrupted copy) stops early."""
    streams = [s for s in container.streams if s.type in ("video", "audio")]
    if not streams or duration <= 1:
        return
    stream = streams[0]
    time_base = stream.time_base or Fraction(1, 90000)
    # each stream against its own length: a clip whose sound outlasts its picture is not truncated
    duration = _stream_duration(stream) or duration
    reached = 0.0
    try:
        container.seek(int(max(duration - 1.5, 0) / time_base), stream=stream, backward=True)
        for packet in container.demux(stream):
            if packet.size and packet.pts is not None:
                reached = max(reached, float((packet.pts + (packet.duration or 0)) * time_base))
    except av.error.FFmpegError as err:
        raise MediaError(f"{path}: the end of the file cannot be read ({err}) — it is truncated or"
                         " corrupt; copy it again") from err
    start = float(stream.start_time * time_base) if stream.start_time else 0.0
    if reached - start < duration - TRUNCATION_SLACK:
        raise MediaError(f"{path}: the file is truncated (its data stops at {reached - start:.1f} s of"
                         f" {duration:.1f} s) — the copy was interrupted; copy it again")


def probe(path: Path | str) -> MediaInfo:
    """Describe ``path`` or raise :class:`MediaError` saying what is wrong with it and what to do."""
    path = Path(path)
    if not path.exists():
        raise MediaError(f"{path}: file not found — check the path")
    if path.is_dir():
        raise MediaError(f"{path}: is a folder, not a media file — name a file inside it")
    size = path.stat().st_size
    if size == 0:
        raise MediaError(f"{path}: the file is empty (0 bytes) — copy it again")
    try:
        container = av.open(str(path), "r")
    except (av.error.FFmpegError, UnicodeDecodeError) as err:
        raise MediaError(f"{path}: not a readable video or audio file ({err.__class__.__name__}:"
                         f" {getattr(err, 'strerror', None) or err}) — it is corrupt, truncated or of"
                         " another kind; export it again as MP4") from err
    with container:
        fmt = container.format.name
        if fmt in IMAGE_FORMATS or fmt.endswith("_pipe"):
            raise MediaError(f"{path}: this is an image ({fmt.removesuffix('_pipe')}), not a video or"
                             " audio file — use the video itself")
        vstreams = [s for s in container.streams.video if not _is_cover_art(s)]
        astreams = list(container.streams.audio)
        if not vstreams and not astreams:
            raise MediaError(f"{path}: holds neither video nor audio — it is not a media file")
        duration = float(container.duration / av.time_base) if container.duration else 0.0
        video = _video_info(container, vstreams[0], path) if vstreams else None
        audio = _audio_info(astreams[0]) if astreams else None
        if not duration:
            duration = max((d for d in (video and video.duration, audio and audio.duration) if d),
                           default=0.0)
        if duration <= 0:  # nothing in the header: read the packets (read to the end, so not cut short)
            video, audio, duration = _measured(path, video, audio)
        else:
            _check_not_truncated(container, path, duration)
    return MediaInfo(path=path, format_name=fmt, duration=duration, size_bytes=size,
                     video=video, audio=audio)


def _measured(path: Path, video: VideoInfo | None,
              audio: AudioInfo | None) -> tuple[VideoInfo | None, AudioInfo | None, float]:
    lengths = _read_to_the_end(path, [info.index for info in (video, audio) if info is not None])
    if video is not None:
        video = replace(video, duration=lengths.get(video.index) or None)
    if audio is not None:
        audio = replace(audio, duration=lengths.get(audio.index) or None)
    duration = max(lengths.values(), default=0.0)
    if duration <= 0:
        raise MediaError(f"{path}: has no duration — the file is empty or truncated; copy it again")
    return video, audio, duration


def sound_gaps(path: Path | str) -> tuple[SoundGap, ...]:
    """Where the first sound stream of ``path`` cannot be decoded (seconds from its start).

    Decodes the sound only (about 0.4 s for ten minutes of AAC); a file without sound has none.
    """
    gaps: list[SoundGap] = []
    with av.open(str(path), "r") as container:
        if not container.streams.audio:
            return ()
        stream = container.streams.audio[0]
        time_base = stream.time_base or Fraction(1, stream.sample_rate or 48000)
        start = float(stream.start_time * time_base) if stream.start_time else 0.0
        for packet in _packets(container, stream):
            if packet.pts is None or not packet.size:
                continue
            try:
                packet.decode()
            except av.error.FFmpegError:
                at = float(packet.pts * time_base) - start
                end = at + float((packet.duration or 0) * time_base)
                if gaps and at - gaps[-1].end <= GAP_JOIN:
                    gaps[-1] = SoundGap(gaps[-1].start, max(end, gaps[-1].end))
                else:
                    gaps.append(SoundGap(max(at, 0.0), end))
    return tuple(gaps)


def _packets(container: av.container.InputContainer, stream: av.AudioStream) -> Iterator[av.Packet]:
    """The stream's packets until the end, or until the file cannot be read further (a file cut
    short was refused by probing already; whatever can be read is all there is)."""
    try:
        yield from container.demux(stream)
    except av.error.FFmpegError:
        return


def _is_cover_art(stream: av.VideoStream) -> bool:
    disposition = getattr(stream, "disposition", None)
    return bool(disposition is not None and int(disposition) & 0x400)  # AV_DISPOSITION_ATTACHED_PIC
