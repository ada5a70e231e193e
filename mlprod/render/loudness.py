"""The measuring passes (audio only, so cheap) that give the render its gains. See audio.py."""

from __future__ import annotations

import json
from pathlib import Path

from mlprod.files import write_atomic
from mlprod.media.ffmpeg import run_ffmpeg
from mlprod.render import audio
from mlprod.render.audio import TARGET_I, AudioLevels, Loudness, gain_to, needs_limiter, parse_ebur128
from mlprod.render.cache import FileDigests
from mlprod.render.plan import Timeline

MUSIC_MEMO = "music-loudness.json"
MEASURE_VERSION = "ebur128-1"
MAKEUP_PASSES = 2         # a second look when the first make-up gain still misses by more than…
MAKEUP_TOLERANCE = 0.3    # …this many LU (the limiter takes a little more of a louder programme)


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


def _with_makeup(timeline: Timeline, levels: AudioLevels, binary: str | None) -> AudioLevels:
    """When the limiter will take the peaks down it takes a little loudness with them (a lot, on a
    quiet voice with loud claps): measure the finished sound and give that back before it."""
    assert levels.programme is not None
    for _ in range(MAKEUP_PASSES):
        if not needs_limiter(levels.programme, levels.makeup):
            break
        finished = _measure(audio.programme_measure_args(timeline, levels, finished=True),
                            f"measuring the loudness of {timeline.slug}'s finished sound", binary)
        missing = TARGET_I - finished.integrated
        if finished.silent or abs(missing) <= MAKEUP_TOLERANCE:
            break
        levels = AudioLevels(levels.speech_gain, levels.music_gain, levels.programme, levels.makeup + missing)
    return levels


def measure_levels(timeline: Timeline, digests: FileDigests, cache_dir: Path,
                   binary: str | None = None) -> AudioLevels:
    """Speech to −14 LUFS, music ``volume_db`` under it, then the mix measured as it will sound
    (and once more through the limiter when the peaks need it)."""
    speech = _measure(audio.speech_measure_args(timeline), f"measuring the loudness of {timeline.slug}'s"
                      " clips", binary)
    if timeline.music is None:
        return _with_makeup(timeline, AudioLevels(programme=speech), binary)
    music = music_loudness(timeline.music.path, digests, cache_dir, binary)
    # with nobody speaking, the music is the programme: bring it to the target itself
    music_target = TARGET_I if speech.silent else TARGET_I + timeline.music.volume_db
    levels = AudioLevels(speech_gain=gain_to(TARGET_I, speech), music_gain=gain_to(music_target, music))
    programme = _measure(audio.programme_measure_args(timeline, levels),
                         f"measuring the loudness of {timeline.slug}'s mix", binary)
    return _with_makeup(timeline, AudioLevels(levels.speech_gain, levels.music_gain, programme), binary)
