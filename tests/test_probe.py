"""Probing inputs: what generated clips really are, and a clear MediaError for broken files."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from render_helpers import damage_sound

from mlprod.errors import MediaError
from mlprod.media.ffmpeg import run_ffmpeg
from mlprod.media.probe import probe, sound_gaps
from mlprod.media.samples import make_image, make_tone

ClipFactory = Callable[..., Path]


def test_plain_clip(clip_factory: ClipFactory) -> None:
    info = probe(clip_factory("plain.mp4", seconds=2))
    assert info.duration == pytest.approx(2.0, abs=0.05)
    assert info.has_video and info.has_audio
    assert info.video is not None and info.audio is not None
    assert (info.video.codec, info.video.width, info.video.height) == ("h264", 320, 240)
    assert (info.video.rotation, info.video.display_width, info.video.display_height) == (0, 320, 240)
    assert info.video.fps == pytest.approx(30)
    assert info.video.constant_frame_rate
    assert (info.audio.codec, info.audio.channels, info.audio.sample_rate) == ("aac", 2, 48000)


def test_rotated_phone_clip_swaps_display_size(clip_factory: ClipFactory) -> None:
    info = probe(clip_factory("rotated.mp4", width=320, height=240, rotation=90))
    assert info.video is not None
    assert (info.video.width, info.video.height) == (320, 240)
    assert info.video.rotation in (90, 270)
    assert (info.video.display_width, info.video.display_height) == (240, 320)


def test_variable_frame_rate(clip_factory: ClipFactory) -> None:
    info = probe(clip_factory("vfr.mp4", variable_rate=True, seconds=3))
    assert info.video is not None
    assert info.video.constant_frame_rate is False


def test_no_audio(clip_factory: ClipFactory) -> None:
    info = probe(clip_factory("silent.mp4", audio=None))
    assert info.has_video and not info.has_audio and info.audio is None


def test_odd_dimensions_and_444(clip_factory: ClipFactory) -> None:
    info = probe(clip_factory("odd.mp4", width=321, height=239, pix_fmt="yuv444p"))
    assert info.video is not None
    assert (info.video.width, info.video.height) == (321, 239)
    assert (info.video.display_width, info.video.display_height) == (321, 239)
    assert info.video.pix_fmt == "yuv444p"


def test_surround_audio_at_44_1_khz(clip_factory: ClipFactory) -> None:
    info = probe(clip_factory("surround.mp4", audio="5.1", sample_rate=44100))
    assert info.audio is not None
    assert (info.audio.channels, info.audio.layout, info.audio.sample_rate) == (6, "5.1", 44100)


def test_music_file(tmp_path: Path) -> None:
    info = probe(make_tone(tmp_path / "douce.mp3", seconds=3))
    assert not info.has_video and info.audio is not None
    assert info.duration == pytest.approx(3.0, abs=0.1)


def broken(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def assert_media_error(path: Path, *words: str) -> None:
    with pytest.raises(MediaError) as caught:
        probe(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: "), message
    assert " — " in message  # every message ends with what to do
    for word in words:
        assert word in message


def test_empty_file(tmp_path: Path) -> None:
    assert_media_error(broken(tmp_path, "empty.mp4", b""), "empty (0 bytes)")


def test_missing_file_and_folder(tmp_path: Path) -> None:
    assert_media_error(tmp_path / "absent.mp4", "file not found")
    with pytest.raises(MediaError, match="is a folder"):
        probe(tmp_path)


def test_truncated_faststart_mp4(tmp_path: Path, clip_factory: ClipFactory) -> None:
    """moov first: the index survives the cut, the data does not; the probe reads the end to notice."""
    source = clip_factory("long.mp4", seconds=4)
    fast = tmp_path / "fast.mp4"
    run_ffmpeg(["-i", str(source), "-c", "copy", "-movflags", "+faststart", str(fast)], what="faststart")
    assert probe(fast).duration == pytest.approx(4.0, abs=0.05)
    data = fast.read_bytes()
    assert_media_error(broken(tmp_path, "cut-fast.mp4", data[: int(len(data) * 0.3)]), "truncated")


def test_truncated_mp4_without_faststart(tmp_path: Path, clip_factory: ClipFactory) -> None:
    """moov last (ffmpeg's default): the cut removes the index, the file cannot even be opened."""
    data = clip_factory("long.mp4", seconds=4).read_bytes()
    assert_media_error(broken(tmp_path, "cut.mp4", data[: int(len(data) * 0.3)]), "not a readable video")


def test_random_bytes(tmp_path: Path) -> None:
    content = bytes((i * 7919 + 13) % 251 for i in range(50_000))  # deterministic noise
    assert_media_error(broken(tmp_path, "noise.mp4", content), "not a readable video")


def test_png_renamed_mp4(tmp_path: Path) -> None:
    image = make_image(tmp_path / "photo.png")
    renamed = tmp_path / "photo.mp4"
    shutil.move(image, renamed)
    assert_media_error(renamed, "this is an image (png)")


def test_text_file_named_mp4(tmp_path: Path) -> None:
    assert_media_error(broken(tmp_path, "notes.mp4", "rendez-vous à 10 h\n".encode() * 50),
                       "not a readable video")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file(tmp_path: Path, clip_factory: ClipFactory) -> None:
    path = tmp_path / "locked.mp4"
    shutil.copy(clip_factory("plain.mp4", seconds=2), path)
    path.chmod(0)
    try:
        assert_media_error(path)
    finally:
        path.chmod(0o644)


# What real-world files carry: no duration in the header, alpha, fields, colour tags, cover art ----

def _made(path: Path, *args: str) -> Path:
    run_ffmpeg([*args, str(path)], what=f"making {path.name}")
    return path


def test_webm_without_duration_or_index_is_read_to_its_end(tmp_path: Path) -> None:
    """As a browser's MediaRecorder writes it (``-live 1``: what ffmpeg writes to a pipe)."""
    webm = _made(tmp_path / "live.webm", "-f", "lavfi", "-i", "testsrc2=s=320x240:r=30:d=3", "-f", "lavfi",
                 "-i", "sine=d=3", "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8",
                 "-c:a", "libopus", "-live", "1", "-f", "webm")
    info = probe(webm)
    assert info.duration == pytest.approx(3.0, abs=0.05)
    assert info.video is not None and info.audio is not None
    assert info.video.duration == pytest.approx(3.0, abs=0.05)
    assert info.audio.duration == pytest.approx(3.0, abs=0.05)
    assert info.video.constant_frame_rate  # 33 and 34 ms apart: whole milliseconds, not a varying rate
    half = broken(tmp_path, "half.webm", webm.read_bytes()[: webm.stat().st_size // 2])
    assert 0.5 < probe(half).duration < 2.5  # a recording stopped early is just shorter


def test_alpha_interlacing_and_colour_tags(tmp_path: Path, clip_factory: ClipFactory) -> None:
    clear = "color=c=white@0.5:s=320x240:r=30:d=1,format=yuva420p"
    vp9 = _made(tmp_path / "alpha.webm", "-f", "lavfi", "-i", clear, "-c:v", "libvpx-vp9", "-deadline",
                "realtime", "-pix_fmt", "yuva420p")
    prores = _made(tmp_path / "alpha.mov", "-f", "lavfi", "-i", clear, "-c:v", "prores_ks", "-profile:v",
                   "4444", "-pix_fmt", "yuva444p10le")
    fields = _made(tmp_path / "25i.mp4", "-f", "lavfi", "-i", "testsrc2=s=720x576:r=25:d=1",
                   "-c:v", "libx264", "-preset", "ultrafast", "-flags", "+ildct+ilme", "-field_order", "tt")
    tagged = _made(tmp_path / "601.mp4", "-f", "lavfi", "-i", "testsrc2=s=720x480:r=30:d=1",
                   "-c:v", "libx264", "-preset", "ultrafast", "-colorspace", "smpte170m",
                   "-color_range", "tv")
    found = [probe(p).video for p in (vp9, prores, fields, tagged, clip_factory("plain.mp4", seconds=2))]
    videos = [v for v in found if v is not None]
    assert len(videos) == 5
    assert [v.alpha for v in videos] == [True, True, False, False, False]
    assert [v.interlaced for v in videos] == [False, False, True, False, False]
    assert [(v.colorspace, v.color_range) for v in videos[3:]] == [("smpte170m", "tv"),
                                                                   ("unknown", "unknown")]
    assert videos[4].short_side == 240


def test_cover_art_is_not_a_picture_stream(tmp_path: Path) -> None:
    cover = make_image(tmp_path / "cover.png", 200, 200)
    song = _made(tmp_path / "song.mp3", "-f", "lavfi", "-i", "sine=d=2", "-i", str(cover), "-map", "0:a",
                 "-map", "1:v", "-c:v", "mjpeg", "-disposition:v:0", "attached_pic", "-c:a", "libmp3lame")
    info = probe(song)
    assert info.video is None and info.audio is not None
    assert info.duration == pytest.approx(2.0, abs=0.1)


def test_sound_gaps(tmp_path: Path, clip_factory: ClipFactory) -> None:
    clip = tmp_path / "damaged.mp4"
    shutil.copy(clip_factory("plain.mp4", seconds=3), clip)
    assert sound_gaps(clip) == ()
    damage_sound(clip, 1.0, 1.6)
    (gap,) = sound_gaps(clip)
    assert gap.start == pytest.approx(1.0, abs=0.05) and gap.end == pytest.approx(1.6, abs=0.05)
    assert sound_gaps(clip_factory("silent.mp4", audio=None)) == ()
