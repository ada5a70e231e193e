"""The sound of a build: each segment made 48 kHz stereo, the music bed, ducking and loudness.

Loudness is two-step, like ffmpeg-normalize: audio-only passes measure, the render applies.
The clips' speech is measured first (and the music file, once per file version); both are brought
to their targets (speech at −14 LUFS, music ``volume_db`` below it), so ducking keys on speech of a
known level whatever the inputs were. With music, the mix is measured again as it will sound. The
render applies the exact gain to −14 LUFS; when that would put the true peak above the ceiling, a
4× oversampled limiter follows the gain, and the finished sound is measured once more to give back
the loudness the limiter took (a quiet voice with loud claps loses several dB to it).
Target: −14 LUFS integrated (±1 LU), true peak ≤ −1 dBTP.

The whole timeline's sound is one audio-only pass (:func:`audio_args`), so a renderer that makes
the pictures piece by piece muxes it beside them; :func:`programme_graph` serves a one-pass render.
"""
from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from mlprod.errors import RenderError
from mlprod.render.plan import CutSegment, MusicBed, Timeline
from mlprod.render.profile import AUDIO_RATE

TARGET_I = -14.0
PROMISE_TP = -1.0         # dBTP: the delivered sound's true peak never passes this
TARGET_TP = -2.0          # the limiter's ceiling: 1 dB below the promise, AAC raises transients' peaks
OVERSAMPLE = 4            # the limiter runs at 192 kHz, where sample peaks are the true peaks
SILENT = -60.0            # measured below this, a stream holds no programme to normalise
DUCK_THRESHOLD = 0.05     # −26 dBFS: normalised speech is above it, pauses and breaths below
DUCK = "sidechaincompress=threshold={thr}:ratio=6:attack=20:release=400:makeup=1"
INPUT_MARGIN = 1.0        # seconds read past a clip's end, for resampling
STEREO = f"aformat=sample_fmts=fltp:sample_rates={AUDIO_RATE}:channel_layouts=stereo"


@dataclass(frozen=True)
class Loudness:
    """What the ebur128 filter's summary reports about a programme."""

    integrated: float          # LUFS
    threshold: float           # the relative gate of the integrated measurement
    lra: float                 # LU
    true_peak: float           # dBTP

    @property
    def silent(self) -> bool:
        return not math.isfinite(self.integrated) or self.integrated < SILENT

    def to_json(self) -> str:
        return json.dumps([self.integrated, self.threshold, self.lra, self.true_peak])

    @classmethod
    def from_json(cls, text: str) -> Loudness:
        return cls(*(float(v) for v in json.loads(text)))


_SUMMARY = re.compile(
    r"Integrated loudness:\s+I:\s+(?P<i>\S+) LUFS\s+Threshold:\s+(?P<thr>\S+) LUFS\s+"
    r"Loudness range:\s+LRA:\s+(?P<lra>\S+) LU.*?True peak:\s+Peak:\s+(?P<tp>\S+) dBFS", re.DOTALL)


def parse_ebur128(stderr: str, what: str) -> Loudness:
    """The summary the ebur128 filter prints when it closes (the last one, if several)."""
    found = list(_SUMMARY.finditer(stderr))
    if not found:
        raise RenderError(f"{what}: ffmpeg did not report the loudness — its output ended with:\n"
                          f"{stderr[-1500:]}")
    match = found[-1]
    return Loudness(integrated=float(match["i"]), threshold=float(match["thr"]), lra=float(match["lra"]),
                    true_peak=float(match["tp"]))


def measure_filter() -> str:
    """EBU R128 integrated loudness, range and true peak (4× oversampled), summary only."""
    return "ebur128=peak=true:framelog=quiet"


def gain_to(target: float, measured: Loudness) -> float:
    """dB that bring ``measured`` to ``target`` (0 for silence: nothing to bring up)."""
    return 0.0 if measured.silent else target - measured.integrated


def limiter(ceiling: float = TARGET_TP) -> str:
    """A true-peak limiter at ``ceiling`` dBTP: 4× oversampled (as ebur128 measures true peaks),
    with a 5 ms look-ahead whose delay is compensated, so the sound stays in sync."""
    return (f"aresample={AUDIO_RATE * OVERSAMPLE},alimiter=limit={10 ** (ceiling / 20):.4f}:attack=5"
            f":release=50:level=0:latency=1,aresample={AUDIO_RATE}")


def needs_limiter(measured: Loudness, makeup: float = 0.0, ceiling: float = TARGET_TP) -> bool:
    """Would bringing ``measured`` to the target put its true peak above ``ceiling``?"""
    return not measured.silent and measured.true_peak + gain_to(TARGET_I, measured) + makeup > ceiling


def normalize_filter(measured: Loudness | None, makeup: float = 0.0, ceiling: float = TARGET_TP) -> str:
    """The final loudness stage for a programme measured as ``measured``: the gain to the target,
    then, when the peaks would pass ``ceiling``, the limiter (``makeup``: dB lost to it, given back)."""
    if measured is None or measured.silent:
        return "anull"
    gain = f"volume={gain_to(TARGET_I, measured) + makeup:.2f}dB"
    return f"{gain},{limiter(ceiling)}" if needs_limiter(measured, makeup, ceiling) else gain


def clip_audio(label: str, samples: int) -> str:
    """A clip's sound: any rate and layout (mono, 5.1…) → 48 kHz stereo, exactly ``samples`` long."""
    return (f"{label}aresample={AUDIO_RATE}:async=1:first_pts=0,{STEREO},apad,"
            f"atrim=end_sample={samples}")


def silence(samples: int) -> str:
    return f"anullsrc=r={AUDIO_RATE}:cl=stereo,{STEREO},atrim=end_sample={samples}"


def music_bed(label: str, bed: MusicBed, timeline: Timeline, gain_db: float) -> str:
    """Looped or cut to the video's length, faded in and out, at ``gain_db``."""
    total = timeline.samples(timeline.frames)
    fade_out_at = max(timeline.duration - bed.fade, 0.0)
    return (f"{label}aresample={AUDIO_RATE},{STEREO},volume={gain_db:.2f}dB,apad,"
            f"atrim=end_sample={total},afade=t=in:d={bed.fade:.3f},"
            f"afade=t=out:st={fade_out_at:.3f}:d={bed.fade:.3f}")


def mix(speech: str, bed: str, duck: bool, out: str) -> list[str]:
    """Speech over the bed; with ``duck``, the bed is lowered whenever someone speaks."""
    if not duck:
        return [f"{speech}{bed}amix=inputs=2:duration=first:normalize=0{out}"]
    return [f"{speech}asplit=2[voice][key]",
            f"{bed}[key]{DUCK.format(thr=DUCK_THRESHOLD)}[ducked]",
            f"[voice][ducked]amix=inputs=2:duration=first:normalize=0{out}"]


# The sound of the whole timeline -------------------------------------------------------------

AddInput = Callable[..., int]
"""Adds an ffmpeg input: (path, *input options) → its input index."""


@dataclass(frozen=True)
class AudioLevels:
    """Gains found by the measuring passes (dB), and the programme's own measurement."""

    speech_gain: float = 0.0
    music_gain: float = 0.0
    programme: Loudness | None = None
    makeup: float = 0.0             # dB the limiter took from the programme, given back before it
    ceiling: float = TARGET_TP      # the limiter's, lowered when the encoder raised the peaks more


class _AudioInputs:
    """Input arguments of an audio-only pass: pictures are never decoded."""

    def __init__(self) -> None:
        self.args: list[str] = []
        self.count = 0

    def add(self, path: Path, *options: str) -> int:
        self.args += [*options, "-vn", "-sn", "-dn", "-i", str(path)]
        self.count += 1
        return self.count - 1


def clip_input_options(timeline: Timeline, segment: CutSegment) -> list[str]:
    """Read only the part of the clip the segment shows (and a margin, for resampling)."""
    options = ["-ss", f"{segment.cut.start:.3f}"] if segment.cut.start > 0 else []
    return [*options, "-t", f"{timeline.seconds(segment.frames) + INPUT_MARGIN:.3f}"]


def add_sound_clips(timeline: Timeline, add: AddInput) -> dict[int, int]:
    """Inputs of the clips that have sound, by segment index."""
    return {k: add(segment.cut.path, *clip_input_options(timeline, segment))
            for k, segment in enumerate(timeline.segments)
            if isinstance(segment, CutSegment) and segment.cut.has_audio}


def speech_graph(timeline: Timeline, clip_inputs: Mapping[int, int], gain_db: float, out: str) -> list[str]:
    """Every segment's sound (silence for cards and silent clips), end to end."""
    statements = []
    for k, segment in enumerate(timeline.segments):
        samples = timeline.samples(segment.frames)
        if isinstance(segment, CutSegment) and segment.cut.has_audio:
            statements.append(clip_audio(f"[{clip_inputs[k]}:a]", samples) + f"[a{k}]")
        else:
            statements.append(silence(samples) + f"[a{k}]")
    labels = "".join(f"[a{k}]" for k in range(len(timeline.segments)))
    statements.append(f"{labels}concat=n={len(timeline.segments)}:v=0:a=1,volume={gain_db:.2f}dB{out}")
    return statements


def programme_graph(timeline: Timeline, add: AddInput, clip_inputs: Mapping[int, int],
                    levels: AudioLevels, out: str) -> list[str]:
    """Speech and, when the recipe has one, the ducked music bed: the sound before loudness."""
    if timeline.music is None:
        return speech_graph(timeline, clip_inputs, levels.speech_gain, out)
    statements = speech_graph(timeline, clip_inputs, levels.speech_gain, "[speech]")
    loop = ["-stream_loop", "-1"] if timeline.music.loop else []
    music = add(timeline.music.path, *loop)
    statements.append(music_bed(f"[{music}:a]", timeline.music, timeline, levels.music_gain) + "[bed]")
    statements += mix("[speech]", "[bed]", timeline.music.duck, out)
    return statements


def final_filter(levels: AudioLevels) -> str:
    """The programme → the delivered sound: loudness, limiter, 48 kHz stereo."""
    return f"{normalize_filter(levels.programme, levels.makeup, levels.ceiling)},{STEREO}"


def audio_args(timeline: Timeline, levels: AudioLevels, output: Path) -> list[str]:
    """The sound of the whole timeline alone, finished (mixed, ducked, at −14 LUFS, limited) and
    encoded to AAC 48 kHz stereo in an MP4 (.m4a) at ``output``: exactly as many samples as the
    pictures last, to be muxed beside them."""
    inputs = _AudioInputs()
    clip_inputs = add_sound_clips(timeline, inputs.add)
    statements = programme_graph(timeline, inputs.add, clip_inputs, levels, "[programme]")
    total = timeline.samples(timeline.frames)
    statements.append(f"[programme]{final_filter(levels)},apad,atrim=end_sample={total}[aout]")
    return [*inputs.args, "-filter_complex", ";".join(statements), "-map", "[aout]",
            "-c:a", "aac", "-b:a", timeline.profile.encoder.audio_bitrate, "-ar", str(AUDIO_RATE),
            "-ac", "2", "-map_metadata", "-1", "-f", "mp4", str(output)]


def _measure(inputs: _AudioInputs, statements: list[str]) -> list[str]:
    return ["-v", "info", "-nostats", *inputs.args, "-filter_complex", ";".join(statements),
            "-map", "[measured]", "-f", "null", "-"]


def speech_measure_args(timeline: Timeline) -> list[str]:
    """Audio only: the clips' sound end to end, measured."""
    inputs = _AudioInputs()
    clip_inputs = add_sound_clips(timeline, inputs.add)
    statements = speech_graph(timeline, clip_inputs, 0.0, "[speech]")
    statements.append(f"[speech]{measure_filter()}[measured]")
    return _measure(inputs, statements)


def programme_measure_args(timeline: Timeline, levels: AudioLevels) -> list[str]:
    """Audio only: speech and ducked music mixed exactly as the render will, measured."""
    inputs = _AudioInputs()
    clip_inputs = add_sound_clips(timeline, inputs.add)
    statements = programme_graph(timeline, inputs.add, clip_inputs, levels, "[programme]")
    statements.append(f"[programme]{measure_filter()}[measured]")
    return _measure(inputs, statements)


def file_measure_args(path: Path) -> list[str]:
    """A delivered sound file measured as the listener's player decodes it."""
    return ["-v", "info", "-nostats", "-i", str(path), "-filter_complex",
            f"[0:a]{measure_filter()}[measured]", "-map", "[measured]", "-f", "null", "-"]


def music_measure_args(path: Path) -> list[str]:
    """Audio only: a music file's own loudness (remembered per file version by the caller)."""
    return ["-v", "info", "-nostats", "-vn", "-i", str(path), "-filter_complex",
            f"[0:a]aresample={AUDIO_RATE},{STEREO},{measure_filter()}[measured]",
            "-map", "[measured]", "-f", "null", "-"]
