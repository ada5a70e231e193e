"""`mlprod build` end to end: real ffmpeg on generated clips, results checked by probing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from render_helpers import (
    jpeg_size,
    leftovers,
    loudness,
    quick_brand,
    top_level_boxes,
    tutorial,
    write_recipe,
)
from sqlalchemy import select

from mlprod.config import Settings
from mlprod.jobs.build import build_recipe, current_build
from mlprod.media.probe import probe
from mlprod.media.subtitles import read_subtitles
from mlprod.recipe.schema import Format
from mlprod.store import open_database
from mlprod.store.models import Build

SRT = """1
00:00:00,200 --> 00:00:00,900
Bonjour à tous !
"""


def builds(settings: Settings) -> list[Build]:
    db = open_database(settings.database_url)
    try:
        with db.transaction() as session:
            return list(session.scalars(select(Build).order_by(Build.id)).all())
    finally:
        db.close()


def test_default_build_is_full_hd_youtube_ready(workspace: Settings, clip_factory: Callable[..., Path],
                                                run_cli: Callable[..., Result]) -> None:
    """The 1920×1080 default with the brand as `mlprod init` writes it, from a one-second clip."""
    clip = clip_factory("speech.mp4", seconds=1.0, audio="mono", sample_rate=44100, volume_db=-30)
    subs = workspace.media_dir / "speech.srt"
    subs.write_text(SRT, encoding="utf-8")
    write_recipe(workspace, "entretien.yaml",
                 tutorial(f"file: {clip}\n    subtitles: {subs}", quality="standard",
                          extra="presenter:\n  name: Julie Martin\n  role: Conseillère emploi\n"))

    result = run_cli("build", "recipes/entretien.yaml")

    assert result.exit_code == 0, result.output
    video = workspace.output_dir / "entretien" / "entretien-landscape.mp4"
    assert "built" in result.output and "output/entretien/entretien-landscape.mp4" in result.output
    info = probe(video)
    assert info.video is not None and info.audio is not None
    assert (info.video.width, info.video.height) == (1920, 1080)
    assert (info.video.codec, info.video.pix_fmt) == ("h264", "yuv420p")
    assert info.video.fps == 30 and info.video.constant_frame_rate
    assert (info.audio.codec, info.audio.sample_rate, info.audio.channels) == ("aac", 48000, 2)
    assert info.duration == pytest.approx(3 + 1 + 4, abs=1 / 30)  # intro, clip, outro of the brand
    assert top_level_boxes(video).index("moov") < top_level_boxes(video).index("mdat")
    integrated, peak = loudness(video)
    assert integrated == pytest.approx(-14, abs=1) and peak <= -1
    captions = read_subtitles(video.with_suffix(".srt"))
    assert [(c.start, c.end, c.text) for c in captions] == [(3.2, 3.9, "Bonjour à tous !")]
    thumbnail = video.with_suffix(".jpg")
    assert jpeg_size(thumbnail) == ("JPEG", (1280, 720)) and thumbnail.stat().st_size < 2_000_000
    (row,) = builds(workspace)
    assert (row.status, row.format, row.quality, row.reused) == ("done", "landscape", "standard", False)
    assert row.video_path == "output/entretien/entretien-landscape.mp4" and row.duration == pytest.approx(8)
    assert leftovers(workspace.output_dir) == []


def test_vertical_and_square_on_request(workspace: Settings, clip_factory: Callable[..., Path],
                                        run_cli: Callable[..., Result]) -> None:
    quick_brand(workspace)
    clip = clip_factory("wide.mp4", width=320, height=180, seconds=1.0)
    write_recipe(workspace, "tuto.yaml", tutorial(f"file: {clip}"))

    result = run_cli("build", "recipes/tuto.yaml", "--format", "vertical,square")

    assert result.exit_code == 0, result.output
    for fmt, size in (("vertical", (540, 960)), ("square", (540, 540))):
        info = probe(workspace.output_dir / "tuto" / f"tuto-{fmt}.mp4")
        assert info.video is not None and (info.video.width, info.video.height) == size
        assert info.duration == pytest.approx(3.0, abs=1 / 30)
        assert jpeg_size(workspace.output_dir / "tuto" / f"tuto-{fmt}.jpg") == ("JPEG", (1280, 720))
    assert not (workspace.output_dir / "tuto" / "tuto-landscape.mp4").exists()
    assert [r.format for r in builds(workspace)] == ["vertical", "square"]


def test_formats_from_the_recipe(workspace: Settings, clip_factory: Callable[..., Path],
                                 run_cli: Callable[..., Result]) -> None:
    quick_brand(workspace)
    clip = clip_factory("tall.mp4", width=180, height=320, seconds=1.0, audio=None)
    write_recipe(workspace, "court.yaml", tutorial(f"file: {clip}", formats="square"))

    result = run_cli("build", "recipes/court.yaml")

    assert result.exit_code == 0, result.output
    info = probe(workspace.output_dir / "court" / "court-square.mp4")
    assert info.video is not None and (info.video.width, info.video.height) == (540, 540)
    assert info.audio is not None and info.audio.channels == 2  # silence where the clip has no sound


def test_second_build_is_reused_and_recorded(workspace: Settings, clip_factory: Callable[..., Path],
                                             run_cli: Callable[..., Result]) -> None:
    quick_brand(workspace)
    clip = clip_factory("reuse.mp4", seconds=1.0)
    recipe = write_recipe(workspace, "reuse.yaml", tutorial(f"file: {clip}"))
    assert run_cli("build", "recipes/reuse.yaml").exit_code == 0
    video = workspace.output_dir / "reuse" / "reuse-landscape.mp4"
    first = video.stat().st_mtime_ns

    db = open_database(workspace.database_url)
    try:
        assert current_build(workspace, db, recipe, Format.landscape) is not None
        # reused means nothing rendered again (how fast that is, benchmarks/ measures, not tests)
        (again,) = build_recipe(workspace, db, recipe)
        result = run_cli("build", "recipes/reuse.yaml")

        assert again.reused and video.stat().st_mtime_ns == first
        assert result.exit_code == 0 and "up to date" in result.output
        assert [(r.status, r.reused) for r in builds(workspace)] == [("done", False), ("done", True),
                                                                     ("done", True)]
        recipe.write_text(tutorial(f"file: {clip}", title="Un autre titre"), encoding="utf-8")
        assert current_build(workspace, db, recipe, Format.landscape) is None  # stale: publish rebuilds
        (changed,) = build_recipe(workspace, db, recipe)
        assert not changed.reused and changed.build_id > again.build_id
    finally:
        db.close()


def test_batch_carries_on_past_a_failing_recipe(workspace: Settings, clip_factory: Callable[..., Path],
                                                run_cli: Callable[..., Result]) -> None:
    quick_brand(workspace)
    clip = clip_factory("batch.mp4", seconds=1.0)
    write_recipe(workspace, "a-bon.yaml", tutorial(f"file: {clip}"))
    write_recipe(workspace, "b-manque.yaml", tutorial("file: ../media/absent.mp4"))
    write_recipe(workspace, "c-bon.yaml", tutorial(f"file: {clip}"))

    result = run_cli("build", "recipes/a-bon.yaml", "recipes/b-manque.yaml", "recipes/c-bon.yaml")

    assert result.exit_code == 1
    assert (workspace.output_dir / "a-bon" / "a-bon-landscape.mp4").is_file()
    assert (workspace.output_dir / "c-bon" / "c-bon-landscape.mp4").is_file()
    assert not (workspace.output_dir / "b-manque").exists()
    assert "media/absent.mp4: file not found" in result.stderr
    summary = "3 recipes: 2 video(s) built, 0 up to date, 1 recipe(s) failed: recipes/b-manque.yaml"
    assert summary in result.stderr
    assert [r.status for r in builds(workspace)] == ["done", "failed", "done"]


def test_output_option(workspace: Settings, clip_factory: Callable[..., Path],
                       run_cli: Callable[..., Result]) -> None:
    quick_brand(workspace)
    clip = clip_factory("out.mp4", seconds=1.0)
    write_recipe(workspace, "out.yaml", tutorial(f"file: {clip}", formats="landscape, vertical"))

    refused = run_cli("build", "recipes/out.yaml", "-o", "film.mp4")
    result = run_cli("build", "recipes/out.yaml", "--format", "vertical", "-o", "rendus/film.mp4")

    assert refused.exit_code == 1 and "-o/--output names one video but 2 formats" in refused.output
    assert result.exit_code == 0, result.output
    rendus = workspace.root / "rendus"
    assert (rendus / "film.mp4").is_file() and (rendus / "film.jpg").is_file()
    assert not (rendus / "film.srt").exists()  # no subtitles, no captions
    assert not (workspace.output_dir / "out").exists()
