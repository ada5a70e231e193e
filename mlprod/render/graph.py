"""ffmpeg's arguments for the pictures of a build: each piece, and the join. Pure.

A clip's piece is one ``filter_complex`` over a chunk of the clip, read from a little before it
(``-ss``/``-t``, see pieces.py) and brought to the output frame by filters.py (deinterlaced,
colours converted, on the output frame grid, fitted on a blurred copy of itself or the brand
colour, exactly its frames), the lower third overlaid and its subtitles burned by libass with the
brand's fonts. A card's piece re-encodes its drawn intermediate. Every piece is encoded alike
(:func:`encoder_args`: same x264 settings, one thread so that the same spec gives the same bytes,
closed GOPs starting on a keyframe, the same size, SAR, pixel format, colour tags, time base and
rate), so the concat demuxer joins them by copying, beside the finished sound (audio.py).
"""

from __future__ import annotations

from pathlib import Path

from mlprod.render import filters
from mlprod.render.cards import Overlay
from mlprod.render.pieces import CardPiece, ClipPiece, Encoding

SLIDE = 0.35              # seconds a lower third takes to slide in or out
BT709 = ["-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709", "-color_range", "tv"]
# closed GOPs (x264's default, said for the reader). Two encoders run at once on two cores, so each
# holds fewer frames: a 3-frame lookahead, 2 B-frames, no B-pyramid take 150 MB at 1080p instead of
# 220 (measured), and files no larger on the benchmark's three clips
X264_PARAMS = "open-gop=0:rc-lookahead=3:bframes=2:b-pyramid=none"
TIMESCALE = "90000"       # every piece's time base: a whole number of ticks per frame at 24, 25, 30, 50, 60


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


def encoder_args(encoding: Encoding, frames: int) -> list[str]:
    """The one way every piece is encoded (see the module's docstring), video only."""
    return ["-c:v", "libx264", "-preset", encoding.preset, "-crf", str(encoding.crf), "-threads:v", "1",
            "-x264-params", X264_PARAMS, "-pix_fmt", "yuv420p", "-profile:v", "high",
            "-r", str(encoding.fps), "-fps_mode", "cfr", *BT709, "-video_track_timescale", TIMESCALE,
            "-frames:v", str(frames), "-an", "-sn", "-dn", "-map_metadata", "-1", "-f", "mp4"]


def clip_piece_args(piece: ClipPiece, overlay: Overlay | None, subtitles: Path | None,
                    fonts_dir: Path, output: Path) -> list[str]:
    """One chunk of a clip: read, fitted, exact, lower third and subtitles on it, encoded."""
    inputs = _Inputs()
    video = piece.cut.video
    index = inputs.add(piece.cut.path, *filters.input_options(video), "-ss", f"{piece.read_from:.6f}",
                       "-t", f"{piece.read_seconds:.6f}", threads=piece.decoder_threads)
    frame = filters.Frame(piece.encoding.width, piece.encoding.height, piece.encoding.fps, piece.cut.fit,
                          piece.background)
    statements = filters.clip_chain(video, frame, piece.frames, filters.source_label(index, video),
                                    "[exact]", "", skip=piece.skip)
    last = "[exact]"
    if overlay is not None:
        index = inputs.add(overlay.path)
        statements.append(f"{last}[{index}:v]overlay=x='{_slide_x(overlay)}':y={overlay.y}"
                          f":enable='between(t,{overlay.start:.3f},{overlay.end:.3f})'[over]")
        last = "[over]"
    finish = []
    if subtitles is not None:
        finish.append(f"subtitles=filename={escape_value(subtitles)}:fontsdir={escape_value(fonts_dir)}")
    finish.append("format=yuv420p")
    statements.append(f"{last}{','.join(finish)}[vout]")
    return [*inputs.args, "-filter_complex", ";".join(statements), "-map", "[vout]",
            *encoder_args(piece.encoding, piece.frames), str(output)]


def card_piece_args(piece: CardPiece, drawn: Path, output: Path) -> list[str]:
    """A card's piece from its drawn intermediate, encoded like every other piece."""
    return ["-threads", "1", "-i", str(drawn), "-filter_complex",
            f"[0:v]setpts=PTS-STARTPTS,{filters.exact(piece.frames)}[vout]", "-map", "[vout]",
            *encoder_args(piece.encoding, piece.frames), str(output)]


def concat_list(pieces: list[Path]) -> str:
    """The concat demuxer's list of the pieces, in order (paths quoted for its parser)."""
    quoted = ("file '" + str(p).replace("'", "'\\''") + "'" for p in pieces)
    return "ffconcat version 1.0\n" + "".join(f"{line}\n" for line in quoted)


def join_args(listing: Path, sound: Path, title: str, output: Path) -> list[str]:
    """The pieces joined by copying, the sound beside them, moov first (faststart)."""
    return ["-f", "concat", "-safe", "0", "-i", str(listing), "-i", str(sound),
            "-map", "0:v:0", "-map", "1:a:0", "-c", "copy", "-map_metadata", "-1",
            "-metadata", f"title={title}", "-movflags", "+faststart", "-f", "mp4", str(output)]


def _slide_x(overlay: Overlay) -> str:
    """x of a lower third: slides in from the left edge, holds, slides back out."""
    x0, a, b = overlay.x, overlay.start, overlay.end
    travel = f"({x0}+w)"
    return (f"if(lt(t,{a + SLIDE:.3f}),{x0}-{travel}*(1-(t-{a:.3f})/{SLIDE}),"
            f"if(gt(t,{b - SLIDE:.3f}),{x0}-{travel}*((t-{b - SLIDE:.3f})/{SLIDE}),{x0}))")
