"""Real-world media: what phones, browsers, cameras and real mixes produce, built or refused clearly.

Every case is made here with ffmpeg's lavfi sources, built through the real CLI at draft quality,
and the result measured (loudness, tone levels, pixel values).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import av
import numpy as np
import pytest
from click.testing import Result
from render_helpers import (
    damage_sound,
    frame_at,
    loudness,
    make_media,
    quick_brand,
    samples_of,
    tone_level,
    tutorial,
    write_recipe,
)

from mlprod.config import Settings
from mlprod.media.probe import probe

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


# Files as phones, browsers and cameras write them ------------------------------------------------

def test_a_webm_recorded_in_a_browser_is_measured_by_reading_it(
        workspace: Settings, media_cache: Path, run_cli: Callable[..., Result]) -> None:
    """MediaRecorder and live recorders write WebM as it comes, with no duration in the header and
    no index: what ffmpeg writes to a pipe (``-live 1`` makes the same bytes into a file)."""
    quick_brand(workspace)
    webm = make_media(media_cache / "navigateur.webm", *picture(3), "-f", "lavfi", "-i", "sine=d=3",
                      "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-c:a", "libopus",
                      "-live", "1", "-f", "webm")
    with av.open(str(webm)) as container:
        assert container.duration is None  # nothing in the header to say how long it is
    write_recipe(workspace, "webcam.yaml", tutorial(f"file: {webm}\n    start: 0.5"))

    checked = run_cli("validate", "recipes/webcam.yaml")
    video = built(workspace, run_cli, "webcam", tutorial(f"file: {webm}\n    start: 0.5"))

    assert checked.exit_code == 0, checked.output
    assert probe(video).duration == pytest.approx(1 + 2.5 + 1, abs=1 / 30)
    assert loudness(video)[0] == pytest.approx(-14, abs=1)


# white, but opaque only in a box in the middle (the alpha plane made from a drawn mask)
TRANSPARENT = ("color=c=white:s=320x240:r=30:d=1[c];color=c=black:s=320x240:r=30:d=1,"
               "drawbox=x=120:y=90:w=80:h=60:c=white:t=fill,format=gray[m];[c][m]alphamerge,format={fmt}")
BRAND_BLUE = np.array([0x1D, 0x3E, 0x8C])


@pytest.mark.parametrize("fill", ["color", "blur"])
def test_transparent_clips_show_the_fill_not_black(fill: str, workspace: Settings, media_cache: Path,
                                                   run_cli: Callable[..., Result]) -> None:
    """A VP9 WebM with alpha and a ProRes 4444: clear everywhere but a white box in the middle."""
    quick_brand(workspace)
    brand = workspace.brand_dir() / "brand.toml"
    brand.write_text(brand.read_text(encoding="utf-8").replace('fill = "blur"', f'fill = "{fill}"'),
                     encoding="utf-8")
    vp9 = make_media(media_cache / "alpha.webm", "-f", "lavfi", "-i", TRANSPARENT.format(fmt="yuva420p"),
                     "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-pix_fmt", "yuva420p")
    prores = make_media(media_cache / "alpha.mov", "-f", "lavfi", "-i",
                        TRANSPARENT.format(fmt="yuva444p10le"), "-c:v", "prores_ks", "-profile:v", "4444",
                        "-pix_fmt", "yuva444p10le")

    video = built(workspace, run_cli, f"alpha-{fill}", tutorial(f"file: {vp9}", f"file: {prores}"))

    for at in (1.5, 2.5):  # the WebM, then the ProRes
        picture = frame_at(video, at).astype(int)
        box, clear = picture[255:285, 460:500], picture[150:200, 300:360]  # 960×540: clip at 120–840
        assert box.mean() > 200  # the opaque part is there
        seen = clear.reshape(-1, 3).mean(axis=0)
        if fill == "color":
            assert np.abs(seen - BRAND_BLUE).max() < 12, seen  # the brand colour, not black
        else:  # the blurred, darkened fill: bluish, darker than the brand colour, far from black
            assert seen[2] > 60 and seen[2] > seen[0] + 30 and seen.max() < BRAND_BLUE.max(), seen


@pytest.mark.parametrize("size", ["16x16", "1x1"])
def test_a_speck_of_a_clip_is_refused(size: str, workspace: Settings, media_cache: Path,
                                      run_cli: Callable[..., Result]) -> None:
    quick_brand(workspace)
    speck = make_media(media_cache / f"point-{size}.mkv", "-f", "lavfi", "-i",
                       f"color=c=red:s={size}:r=30:d=1",
                       "-c:v", "ffv1")
    write_recipe(workspace, "point.yaml", tutorial(f"file: {speck}"))

    checked = run_cli("validate", "recipes/point.yaml")
    result = run_cli("build", "recipes/point.yaml")

    width, height = size.split("x")
    for done in (checked, result):
        assert done.exit_code == 1
        assert f"{speck}: its picture is only {width}×{height} pixels, too small to be seen" in done.output
        assert "at least 64 pixels on its short side" in done.output
    assert not (workspace.output_dir / "point").exists()


def combing(picture: np.ndarray) -> float:
    """How much each line differs from the next: high when two fields from different moments are
    woven into one frame (combs on moving edges), low on a clean picture."""
    grey = picture.astype(float).mean(axis=2)
    return float(np.abs(np.diff(grey, axis=0)).mean())


def test_interlaced_video_is_deinterlaced(workspace: Settings, media_cache: Path,
                                          run_cli: Callable[..., Result]) -> None:
    """25i (PAL, top field first) and 29.97i (NTSC, bottom field first) of a bar crossing fast."""
    quick_brand(workspace)
    clips = []
    for name, size, rate, order in (("pal", "720x576", "50", "tt"), ("ntsc", "720x480", "60000/1001", "bb")):
        weave = "interleave_top" if order == "tt" else "interleave_bottom"
        height = size.split("x")[1]
        bar = (f"color=c=black:s={size}:r={rate}:d=1[bg];color=c=white:s=40x{height}:r={rate}:d=1[bar];"
               "[bg][bar]overlay=x='mod(t*1500,680)':y=0,"
               f"tinterlace=mode={weave},setfield={'tff' if order == 'tt' else 'bff'}")
        fields = "tff=1" if order == "tt" else "bff=1"
        clips.append(make_media(media_cache / f"entrelace-{name}.mp4", "-f", "lavfi", "-i", bar,
                                "-c:v", "libx264", "-preset", "ultrafast", "-qp", "10",
                                "-flags", "+ildct+ilme", "-x264-params", fields, "-field_order", order))
    source = frame_at(clips[0], 0.5)
    assert combing(source) > 10  # the fields show the bar in two places: combs

    video = built(workspace, run_cli, "entrelace", tutorial(*(f"file: {c}" for c in clips)))

    for at in (1.5, 2.5):
        picture = frame_at(video, at)[:, 200:760]  # inside the clip, away from the fill
        assert combing(picture) < 3, at


def yuv_at(path: Path, seconds: float, x: int, y: int) -> tuple[int, int, int]:
    """The stored Y, U, V values of one pixel of the frame at ``seconds`` (no colour conversion)."""
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            if frame.time is not None and frame.time >= seconds - 1e-3:
                planes = frame.to_ndarray(format="yuv420p")
                height = frame.height
                u = planes[height:height + height // 4].reshape(height // 2, -1)
                v = planes[height + height // 4:].reshape(height // 2, -1)
                return int(planes[y, x]), int(u[y // 2, x // 2]), int(v[y // 2, x // 2])
    raise AssertionError(f"{path} has no frame at {seconds} s")


BT601_RED, BT709_RED = (81, 90, 240), (63, 102, 240)  # pure red, 8-bit limited range


def test_standard_definition_colours_are_converted_to_bt709(
        workspace: Settings, media_cache: Path, run_cli: Callable[..., Result]) -> None:
    """Red encoded with the BT.601 matrix (SD cameras, DVDs), tagged or not, must show the same
    red once in BT.709; an untagged HD clip is BT.709 already."""
    quick_brand(workspace)
    red = ["-f", "lavfi", "-i", "color=c=red:s={size}:r=30:d=1,format=rgb24"]
    encode = ["-c:v", "libx264", "-preset", "ultrafast", "-qp", "0", "-pix_fmt", "yuv420p"]
    clips = {
        "sd-untagged": ("720x576", "bt601", []),
        "sd-tagged": ("720x480", "bt601", ["-colorspace", "smpte170m", "-color_primaries", "smpte170m",
                                           "-color_trc", "smpte170m"]),
        "hd-untagged": ("1280x720", "bt709", []),
    }
    paths = []
    for name, (size, matrix, tags) in clips.items():
        args = [a.format(size=size) for a in red]
        paths.append(make_media(media_cache / f"rouge-{name}.mp4", *args, "-vf",
                                f"scale=out_color_matrix={matrix}:out_range=tv", *encode, *tags))
    assert yuv_at(paths[0], 0.0, 360, 288) == pytest.approx(BT601_RED, abs=1)  # as stored

    video = built(workspace, run_cli, "couleurs", tutorial(*(f"file: {p}" for p in paths)))

    for at in (1.5, 2.5, 3.5):
        assert yuv_at(video, at, 480, 270) == pytest.approx(BT709_RED, abs=3), at


def test_music_with_cover_art(workspace: Settings, media_cache: Path, clip_factory: Callable[..., Path],
                              run_cli: Callable[..., Result]) -> None:
    quick_brand(workspace)
    cover = make_media(media_cache / "pochette.png", "-f", "lavfi", "-i", "testsrc2=s=300x300",
                       "-frames:v", "1")
    make_media(workspace.media_dir / "album.mp3", "-f", "lavfi", "-i", "sine=f=330:d=6", "-i", str(cover),
               "-map", "0:a", "-map", "1:v", "-c:v", "mjpeg", "-disposition:v:0", "attached_pic",
               "-c:a", "libmp3lame")
    recipe = tutorial(f"file: {clip_factory('court.mp4', seconds=2.0)}",
                      extra="music:\n  file: ../media/album.mp3\n")
    write_recipe(workspace, "album.yaml", recipe)

    checked = run_cli("validate", "recipes/album.yaml")
    video = built(workspace, run_cli, "album", recipe)

    assert checked.exit_code == 0, checked.output
    info = probe(video)
    assert info.duration == pytest.approx(4, abs=1 / 30)
    assert tone_level(samples_of(video, 2.0, 0.5), 330) > -40  # the music plays under the clip


def test_a_clip_whose_sound_breaks_off_plays_silence_there(
        workspace: Settings, media_cache: Path, run_cli: Callable[..., Result],
        caplog: pytest.LogCaptureFixture) -> None:
    """The AAC packets from 1.0 to 1.6 s overwritten with noise: they cannot be decoded."""
    quick_brand(workspace)
    clip = make_media(media_cache / "abime.mp4", *picture(3), "-f", "lavfi", "-i",
                      "sine=f=440:d=3,volume=-10dB", *H264, "-c:a", "aac")
    damage_sound(clip, 1.0, 1.6)
    write_recipe(workspace, "abime.yaml", tutorial(f"file: {clip}"))

    checked = run_cli("validate", "recipes/abime.yaml")
    video = built(workspace, run_cli, "abime", tutorial(f"file: {clip}"))

    assert checked.exit_code == 0, checked.output
    assert "warning: " in checked.output
    assert "its sound cannot be decoded from 1.0 s to 1.6 s (damaged data)" in checked.output
    warned = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any(str(clip) in w and "from 1.0 s to 1.6 s" in w and "silent" in w for w in warned), warned
    # after the 1 s intro: the tone, silence where the sound failed, the tone again, in step
    assert tone_level(samples_of(video, 1.3, 0.6), 440) > -30
    assert tone_level(samples_of(video, 2.1, 0.4), 440) < -70
    assert tone_level(samples_of(video, 2.7, 1.0), 440) > -30
    assert probe(video).duration == pytest.approx(5, abs=1 / 30)

