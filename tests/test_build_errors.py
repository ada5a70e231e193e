"""Bad inputs and interrupted renders: a clear message naming the file, and nothing half-written."""

from __future__ import annotations

import os
import shutil
import signal
import stat
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from render_helpers import cached_files, leftovers, quick_brand, tutorial, write_recipe
from sqlalchemy import select

from mlprod.config import Settings
from mlprod.errors import RenderError
from mlprod.jobs.build import build_recipe
from mlprod.media.samples import make_image, make_tone
from mlprod.store import open_database
from mlprod.store.models import Build

BAD_SRT = """1
00:00:00,500 --> 00:00:01,000
Correct.

2
00:00:02,x00 --> 00:00:03,000
L'heure est illisible.
"""


def _corrupt(media: Path, good: Path) -> Path:
    path = media / "corrompu.mp4"
    path.write_bytes(os.urandom(50_000))
    return path


def _truncated(media: Path, good: Path) -> Path:
    path = media / "coupe.mp4"
    data = good.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])
    return path


def _empty(media: Path, good: Path) -> Path:
    path = media / "vide.mp4"
    path.write_bytes(b"")
    return path


def _image(media: Path, good: Path) -> Path:
    png = make_image(media / "photo.png")
    return png.rename(media / "photo.mp4")


def _audio_only(media: Path, good: Path) -> Path:
    return make_tone(media / "son.m4a", seconds=2)


BAD_CLIPS = {
    "corrupt": (_corrupt, "not a readable video or audio file"),
    "truncated": (_truncated, "truncated"),
    "empty": (_empty, "the file is empty"),
    "image renamed .mp4": (_image, "this is an image"),
    "audio only": (_audio_only, "holds sound only, no picture"),
}


def _assert_refused(result: Result, settings: Settings, slug: str, *names: str) -> None:
    assert result.exit_code == 1, result.output
    for name in names:
        assert name in result.stderr, result.stderr
    assert not (settings.output_dir / slug).exists()
    assert leftovers(settings.output_dir) == []
    assert cached_files(settings) == []  # refused before anything was rendered: no piece either
    db = open_database(settings.database_url)
    try:
        with db.transaction() as session:
            rows = session.scalars(select(Build)).all()
            assert [(r.status, r.video_path) for r in rows] == [("failed", None)]
            assert rows[0].error and names[0] in rows[0].error
    finally:
        db.close()


@pytest.mark.parametrize("case", BAD_CLIPS)
def test_bad_clip_is_refused_naming_the_file(case: str, workspace: Settings,
                                             clip_factory: Callable[..., Path],
                                             run_cli: Callable[..., Result]) -> None:
    make, message = BAD_CLIPS[case]
    bad = make(workspace.media_dir, clip_factory("good.mp4", seconds=3.0))
    write_recipe(workspace, "mauvais.yaml", tutorial(f"file: {clip_factory('ok.mp4', seconds=1.0)}",
                                                     f"file: ../media/{bad.name}"))

    result = run_cli("build", "recipes/mauvais.yaml")

    _assert_refused(result, workspace, "mauvais", bad.name, message, "clips[1].file")


def test_trim_past_the_end(workspace: Settings, clip_factory: Callable[..., Path],
                           run_cli: Callable[..., Result]) -> None:
    clip = clip_factory("court.mp4", seconds=1.0)
    write_recipe(workspace, "trop-long.yaml", tutorial(f"file: {clip}\n    start: 0.2\n    end: 4"))

    result = run_cli("build", "recipes/trop-long.yaml")

    _assert_refused(result, workspace, "trop-long", clip.name, "clips[0].end: 4 s is past the end",
                    "which lasts 1.00 s")


def test_subtitles_with_a_broken_timestamp(workspace: Settings, clip_factory: Callable[..., Path],
                                           run_cli: Callable[..., Result]) -> None:
    (workspace.media_dir / "casse.srt").write_text(BAD_SRT, encoding="utf-8")
    write_recipe(workspace, "sous-titres.yaml", tutorial(
        f"file: {clip_factory('st.mp4', seconds=1.0)}\n    subtitles: ../media/casse.srt"))

    result = run_cli("build", "recipes/sous-titres.yaml")

    _assert_refused(result, workspace, "sous-titres", "casse.srt:6: cue 2: malformed time '00:00:02,x00'",
                    "clips[0].subtitles")


def test_missing_music(workspace: Settings, clip_factory: Callable[..., Path],
                       run_cli: Callable[..., Result]) -> None:
    write_recipe(workspace, "musique.yaml", tutorial(
        f"file: {clip_factory('mu.mp4', seconds=1.0)}", extra="music:\n  file: ../media/absente.mp3\n"))

    result = run_cli("build", "recipes/musique.yaml")

    _assert_refused(result, workspace, "musique", "absente.mp3: file not found", "music.file")


def test_employer_logo_that_is_not_an_image(workspace: Settings, clip_factory: Callable[..., Path],
                                            run_cli: Callable[..., Result]) -> None:
    (workspace.media_dir / "logo.png").write_text("pas une image", encoding="utf-8")
    write_recipe(workspace, "logo.yaml", f"""kind: job_offer
employer:
  name: Boulangerie du Cours
  logo: ../media/logo.png
offer:
  position: Vendeur·se
  contract: CDI
  location: Salon-de-Provence
  start: 2027-01-04
  contact: 04 90 56 21 74
clips:
  - file: {clip_factory('logo.mp4', seconds=1.0)}
""")

    result = run_cli("build", "recipes/logo.yaml")

    _assert_refused(result, workspace, "logo", "logo.png: not a readable image", "employer.logo")


def test_sound_longer_than_the_picture(workspace: Settings, clip_factory: Callable[..., Path],
                                       run_cli: Callable[..., Result]) -> None:
    clip = clip_factory("decale.mp4", seconds=1.0, audio_seconds=3.0)
    write_recipe(workspace, "decale.yaml", tutorial(f"file: {clip}"))

    result = run_cli("build", "recipes/decale.yaml")

    _assert_refused(result, workspace, "decale", clip.name, "its sound lasts 3.00 s but its picture only"
                    " 1.00 s", "add `end: 1.00` to this clip")


def test_sound_longer_than_the_picture_is_fine_when_trimmed(workspace: Settings,
                                                            clip_factory: Callable[..., Path],
                                                            run_cli: Callable[..., Result]) -> None:
    quick_brand(workspace)
    clip = clip_factory("decale.mp4", seconds=1.0, audio_seconds=3.0)
    write_recipe(workspace, "coupe.yaml", tutorial(f"file: {clip}\n    end: 1.0"))

    assert run_cli("build", "recipes/coupe.yaml").exit_code == 0


def _failing_ffmpeg(folder: Path) -> Path:
    """An ffmpeg that fails half-way through rendering a piece, as a full disk or a killed process
    would (neither can be caused reliably in a test); every other call runs the real one."""
    real = shutil.which("ffmpeg") or __import__("imageio_ffmpeg").get_ffmpeg_exe()
    script = folder / "ffmpeg-fails"
    script.write_text(f"""#!/bin/sh
for arg; do last="$arg"; case "$arg" in libx264) render=1;; esac; done
if [ -n "$render" ]; then
  head -c 100000 /dev/urandom > "$last"
  echo "[vost#0:0/libx264] Error submitting a packet to the muxer: No space left on device" >&2
  exit 228
fi
exec "{real}" "$@"
""")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


def test_failing_ffmpeg_leaves_nothing_and_says_why(workspace: Settings, clip_factory: Callable[..., Path],
                                                   run_cli: Callable[..., Result], tmp_path: Path) -> None:
    quick_brand(workspace)
    clip = clip_factory("panne.mp4", seconds=1.0)
    write_recipe(workspace, "panne.yaml", tutorial(f"file: {clip}"))

    result = run_cli("build", "recipes/panne.yaml", env={"MLPROD_FFMPEG": str(_failing_ffmpeg(tmp_path))})

    assert result.exit_code == 1
    assert "rendering panne (landscape): " in result.stderr and "failed (exit code 228)" in result.stderr
    assert "No space left on device" in result.stderr
    assert not (workspace.output_dir / "panne").exists()
    assert [p for p in (workspace.cache_dir / "pieces").rglob("*") if p.is_file()] == []


def test_interrupted_build_leaves_nothing(workspace: Settings, clip_factory: Callable[..., Path]) -> None:
    """Ctrl-C during the render: ffmpeg is stopped, the temporary files removed, nothing recorded."""
    quick_brand(workspace)
    clip = clip_factory("long.mp4", seconds=30.0)
    recipe = write_recipe(workspace, "stop.yaml", tutorial(f"file: {clip}"))
    old = workspace.output_dir / "stop" / "stop-landscape.mp4"
    old.parent.mkdir(parents=True)
    old.write_bytes(b"an earlier build")

    def progress(label: str) -> Callable[[float, float], None]:
        def interrupt(done: float, total: float) -> None:
            if done < total:
                os.kill(os.getpid(), signal.SIGINT)
        return interrupt

    db = open_database(workspace.database_url)
    try:
        with pytest.raises(KeyboardInterrupt):
            build_recipe(workspace, db, recipe, progress=progress)
        with db.transaction() as session:
            assert session.scalars(select(Build)).all() == []
    finally:
        db.close()
    assert old.read_bytes() == b"an earlier build"  # the old state, untouched
    assert sorted(p.name for p in old.parent.iterdir()) == ["stop-landscape.mp4"]


def test_render_error_is_a_render_error(workspace: Settings, clip_factory: Callable[..., Path],
                                        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    quick_brand(workspace)
    recipe = write_recipe(workspace, "api.yaml", tutorial(f"file: {clip_factory('api.mp4', seconds=1.0)}"))
    monkeypatch.setenv("MLPROD_FFMPEG", str(_failing_ffmpeg(tmp_path)))
    db = open_database(workspace.database_url)
    try:
        with pytest.raises(RenderError, match="No space left on device"):
            build_recipe(workspace, db, recipe)
    finally:
        db.close()


def test_temporary_files_of_a_killed_build_are_cleared(workspace: Settings, clip_factory: Callable[..., Path],
                                                       run_cli: Callable[..., Result]) -> None:
    """A render killed outright (power cut, kill -9) leaves its hidden folder; the next build clears it."""
    quick_brand(workspace)
    write_recipe(workspace, "tue.yaml", tutorial(f"file: {clip_factory('tue.mp4', seconds=1.0)}"))
    folder = workspace.output_dir / "tue"
    dead, recent = folder / ".tue-landscape.dead.partial", folder / ".tue-landscape.busy.partial"
    for path in (dead, recent):
        path.mkdir(parents=True)
        (path / "video.mp4").write_bytes(b"half")
    os.utime(dead, (time.time() - 7 * 3600,) * 2)

    assert run_cli("build", "recipes/tue.yaml").exit_code == 0

    assert not dead.exists() and recent.exists()  # another build may be using a recent one


def test_two_recipes_with_one_file_name_do_not_share_a_video(workspace: Settings,
                                                             clip_factory: Callable[..., Path],
                                                             run_cli: Callable[..., Result]) -> None:
    quick_brand(workspace)
    clip = clip_factory("nom.mp4", seconds=1.0)
    write_recipe(workspace, "entretien.yaml", tutorial(f"file: {clip}"))
    write_recipe(workspace, "offres/entretien.yaml", tutorial(f"file: {clip}", title="Autre"))
    assert run_cli("build", "recipes/entretien.yaml").exit_code == 0
    video = workspace.output_dir / "entretien" / "entretien-landscape.mp4"
    before = video.stat().st_mtime_ns

    result = run_cli("build", "recipes/offres/entretien.yaml")

    assert result.exit_code == 1
    assert "already recipes/entretien.yaml's" in result.output and "rename one" in result.output
    assert video.stat().st_mtime_ns == before  # the first recipe's video is untouched
