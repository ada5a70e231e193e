"""The measuring passes (audio only, so cheap) that give the render its gains, and the finished
sound rendered, checked and corrected until it keeps the promise. See audio.py."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

from mlprod.files import write_atomic
from mlprod.media.ffmpeg import run_ffmpeg
from mlprod.render import audio
from mlprod.render.audio import PROMISE_TP, TARGET_I, AudioLevels, Loudness, gain_to, parse_ebur128
from mlprod.render.cache import FileDigests
from mlprod.render.plan import Timeline

MUSIC_MEMO = "music-loudness.json"
MEASURE_VERSION = "ebur128-1"
ENCODES = 4               # the finished sound is encoded at most this many times
LOUDNESS_TOLERANCE = 0.5  # LU from −14 a finished sound may be without a correction
PEAK_MARGIN = 0.2         # dB under the promised true peak a finished sound must stay
CEILING_STEP = 0.3        # dB the ceiling goes lower than the excess (the limiter may not be on yet)


def _measure(args: list[str], what: str, binary: str | None) -> Loudness:
    finished = run_ffmpeg(args, what=what, binary=binary)
    return parse_ebur128(finished.stderr_tail, what)


def music_loudness(path: Path, digests: FileDigests, cache_dir: Path, binary: str | None) -> Loudness:
    """A music file's loudness, measured once per file version."""
    memo_path = cache_dir / MUSIC_MEMO
    try:
        memo = json.loads(memo_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        memo = {}
    key = f"{MEASURE_VERSION}:{digests.digest(path)}"
    if isinstance(memo.get(key), str):
        try:
            return Loudness.from_json(memo[key])
        except (ValueError, TypeError):
            pass  # written by another version: measure again
    measured = _measure(audio.music_measure_args(path), f"measuring the loudness of {path}", binary)
    memo[key] = measured.to_json()
    write_atomic(memo_path, json.dumps(memo))
    return measured


def measure_levels(timeline: Timeline, digests: FileDigests, cache_dir: Path,
                   binary: str | None = None) -> AudioLevels:
    """Speech to −14 LUFS, music ``volume_db`` under it, then the mix measured as it will sound."""
    speech = _measure(audio.speech_measure_args(timeline), f"measuring the loudness of {timeline.slug}'s"
                      " clips", binary)
    if timeline.music is None:
        return AudioLevels(programme=speech)
    music = music_loudness(timeline.music.path, digests, cache_dir, binary)
    # with nobody speaking, the music is the programme: bring it to the target itself
    music_target = TARGET_I if speech.silent else TARGET_I + timeline.music.volume_db
    levels = AudioLevels(speech_gain=gain_to(TARGET_I, speech), music_gain=gain_to(music_target, music))
    programme = _measure(audio.programme_measure_args(timeline, levels),
                         f"measuring the loudness of {timeline.slug}'s mix", binary)
    return replace(levels, programme=programme)


@dataclass(frozen=True)
class RenderedSound:
    """The finished sound of a timeline, encoded, as measured once decoded again."""

    path: Path
    levels: AudioLevels             # as finally applied
    measured: Loudness
    encodes: int = 1                # how many times it was encoded to keep the promise


def render_audio(timeline: Timeline, levels: AudioLevels, output: Path,
                 binary: str | None = None) -> RenderedSound:
    """The timeline's finished sound, encoded to ``output`` (AAC 48 kHz stereo, see
    :func:`audio.audio_args`), then measured as a player decodes it.

    The limiter takes a little loudness with the peaks (a lot, on a quiet voice with loud claps),
    and the AAC encoder raises the peaks of transients by up to 2 dB, more or less at random from
    one ceiling to the next: when the file misses −14 LUFS by more than :data:`LOUDNESS_TOLERANCE`
    or its true peak is not :data:`PEAK_MARGIN` under the promise, it is encoded again with the
    loss given back and the ceiling lowered by the excess, and the best of at most :data:`ENCODES`
    encodings is kept."""
    tries: list[tuple[tuple[bool, bool, float, float], RenderedSound]] = []
    try:
        for attempt in range(1, ENCODES + 1):
            path = output.with_name(f"{output.stem}.try{attempt}{output.suffix}")
            run_ffmpeg(audio.audio_args(timeline, levels, path), what=f"mixing the sound of {timeline.slug}",
                       binary=binary)
            measured = _measure(audio.file_measure_args(path), f"measuring the loudness of {timeline.slug}'s"
                                " finished sound", binary)
            missing = TARGET_I - measured.integrated
            peak_over = measured.true_peak - (PROMISE_TP - PEAK_MARGIN)
            rank = (peak_over > 0, abs(missing) > LOUDNESS_TOLERANCE, max(peak_over, 0.0), abs(missing))
            tries.append((rank, RenderedSound(path, levels, measured, attempt)))
            if levels.programme is None or levels.programme.silent or measured.silent or not any(rank[:2]):
                break
            lower = peak_over + CEILING_STEP if peak_over > 0 else 0.0
            levels = replace(levels, makeup=levels.makeup + missing, ceiling=levels.ceiling - lower)
        best = min(tries, key=lambda t: t[0])[1]
        best.path.replace(output)
    finally:
        for _, sound in tries:
            sound.path.unlink(missing_ok=True)
    return replace(best, path=output, encodes=len(tries))
