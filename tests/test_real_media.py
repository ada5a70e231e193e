"""Real-world media: what phones, browsers, cameras and real mixes produce, built or refused clearly.

Every case is made here with ffmpeg's lavfi sources, built through the real CLI at draft quality,
and the result measured (loudness, tone levels, pixel values).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from render_helpers import loudness, make_media, quick_brand, samples_of, tone_level, tutorial, write_recipe

from mlprod.config import Settings

H264 = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
PICTURE = ["-f", "lavfi", "-i", "testsrc2=s=320x240:r=30:d={seconds}"]


def picture(seconds: float) -> list[str]:
    return [arg.format(seconds=seconds) for arg in PICTURE]


def built(workspace: Settings, run_cli: Callable[..., Result], name: str, recipe: str) -> Path:
    write_recipe(workspace, f"{name}.yaml", recipe)
    result = run_cli("build", f"recipes/{name}.yaml")
    assert result.exit_code == 0, result.output
    return workspace.output_dir / name / f"{name}-landscape.mp4"


# Loudness and ducking --------------------------------------------------------------------------

# a quiet voice (a tone at about −28 LUFS, pausing every second and a half) and a loud clap (12 ms
# of pink noise) every two seconds
VOICE_AND_CLAPS = ("sine=f=220:d=6:sample_rate=48000,volume=-6dB,volume='if(lt(mod(t,1.5),1),1,0)'"
                   ":eval=frame[v];anoisesrc=d=6:c=pink:a=1:r=48000:seed=7,"
                   "volume='if(between(mod(t,2),0.5,0.512),1,0)':eval=frame[c];"
                   "[v][c]amix=inputs=2:normalize=0,aformat=channel_layouts=stereo")
# a music bed with transients: a soft tone and a drum hit (pink noise from full scale, dying away in
# ~50 ms) every half second
MUSIC_WITH_HITS = ("sine=f=330:d=8:sample_rate=44100,volume=-6dB[a];"
                   "anoisesrc=d=8:c=pink:a=1:r=44100:seed=7,volume='exp(-mod(t,0.5)*40)':eval=frame[k];"
                   "[a][k]amix=inputs=2:normalize=0,aformat=channel_layouts=stereo")


def test_a_quiet_voice_with_loud_claps_reaches_the_target(
        workspace: Settings, media_cache: Path, run_cli: Callable[..., Result]) -> None:
    quick_brand(workspace)
    clip = make_media(media_cache / "claps.mp4", *picture(6), "-f", "lavfi", "-i", VOICE_AND_CLAPS,
                      *H264, "-c:a", "aac", "-b:a", "256k")
    before, peak_before = loudness(clip)
    # as made: far below the target, with peaks 20 dB above its loudness (speech alone: ~12 dB):
    # a linear gain would stop at about −22 LUFS
    assert before < -25 and peak_before - before > 18

    video = built(workspace, run_cli, "applaudissements", tutorial(f"file: {clip}"))

    integrated, peak = loudness(video)
    assert integrated == pytest.approx(-14, abs=1) and peak <= -1


def test_a_music_bed_with_transients_reaches_the_target(
        workspace: Settings, media_cache: Path, clip_factory: Callable[..., Path],
        run_cli: Callable[..., Result]) -> None:
    quick_brand(workspace)
    clip = clip_factory("muet-court.mp4", seconds=3.0, audio=None)
    music = make_media(workspace.media_dir / "batterie.wav", "-f", "lavfi", "-i", MUSIC_WITH_HITS)
    before, peak_before = loudness(music)
    assert peak_before - before > 12  # peaks that stop a linear gain 3 dB or more short of −14

    video = built(workspace, run_cli, "batterie", tutorial(
        f"file: {clip}", extra="music:\n  file: ../media/batterie.wav\n  duck: false\n"))

    integrated, peak = loudness(video)
    assert integrated == pytest.approx(-14, abs=1) and peak <= -1


SPEECH_HZ, MUSIC_HZ = 1000, 150


def test_music_is_ducked_under_speech(workspace: Settings, media_cache: Path,
                                      run_cli: Callable[..., Result]) -> None:
    """Speech-like bursts (1.5 s on, 1.5 s off) over a steady tone at another pitch: the tone is
    measured on its own frequency under speech and in the pauses."""
    quick_brand(workspace)
    speech = (f"sine=f={SPEECH_HZ}:d=6:sample_rate=48000,volume='if(lt(mod(t,3),1.5),1,0)':eval=frame,"
              "aformat=channel_layouts=stereo")
    clip = make_media(media_cache / "paroles.mp4", *picture(6), "-f", "lavfi", "-i", speech, *H264,
                      "-c:a", "aac", "-b:a", "192k")
    make_media(workspace.media_dir / "nappe.m4a", "-f", "lavfi", "-i",
               f"sine=f={MUSIC_HZ}:d=8:sample_rate=48000,aformat=channel_layouts=stereo", "-c:a", "aac")

    video = built(workspace, run_cli, "nappe", tutorial(
        f"file: {clip}", extra="music:\n  file: ../media/nappe.m4a\n  volume_db: -18\n"))

    # after the 1 s intro: speech from 1.0 to 2.5 s and 4.0 to 5.5 s, pauses in between; the music
    # fades in until 1.5 s and out from 6.0 s. Windows leave the ducking 0.6 s to settle.
    under_speech = tone_level(samples_of(video, 4.6, 0.7), MUSIC_HZ)
    in_pause = tone_level(samples_of(video, 3.1, 0.7), MUSIC_HZ)
    assert tone_level(samples_of(video, 4.6, 0.7), SPEECH_HZ) > in_pause  # the speech is there
    assert in_pause - under_speech >= 8
