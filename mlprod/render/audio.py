"""The sound of a build: each segment made 48 kHz stereo, the music bed, ducking and loudness.

Loudness is two-step, like ffmpeg-normalize: an audio-only pass measures, the render applies.
The clips' speech is measured first (and the music file, once per file version); both are brought
to their targets (speech at −14 LUFS, music ``volume_db`` below it), so ducking keys on speech of a
known level whatever the inputs were. With music, the mix is measured again as it will sound; the
render then applies the exact gain when the true peak allows (``volume``), or ``loudnorm`` with
the measured values when the peaks need taming. Target: −14 LUFS integrated, true peak ≤ −1 dBTP.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass

from mlprod.errors import RenderError
from mlprod.render.plan import MusicBed, Timeline
from mlprod.render.profile import AUDIO_RATE

TARGET_I = -14.0
TARGET_TP = -1.5          # 0.5 dB below the promise: AAC encoding can raise peaks a little
SILENT = -60.0            # measured below this, a stream holds no programme to normalise
DUCK_THRESHOLD = 0.05     # −26 dBFS: normalised speech is above it, pauses and breaths below
DUCK = "sidechaincompress=threshold={thr}:ratio=6:attack=20:release=400:makeup=1"
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


def normalize_filter(measured: Loudness | None) -> str:
    """The final loudness stage for a programme measured as ``measured``."""
    if measured is None or measured.silent:
        return "anull"
    gain = TARGET_I - measured.integrated
    if measured.true_peak + gain <= TARGET_TP:
        return f"volume={gain:.2f}dB"
    lra = min(max(measured.lra + 1.0, 7.0), 50.0)
    return (f"loudnorm=I={TARGET_I}:TP={TARGET_TP}:LRA={lra:.1f}:measured_I={measured.integrated:.2f}"
            f":measured_TP={measured.true_peak:.2f}:measured_LRA={max(measured.lra, 0.1):.2f}"
            f":measured_thresh={measured.threshold:.2f}:linear=false,"
            f"aresample={AUDIO_RATE}")


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
