"""Render by pieces: joins without a glitch, what changes what, the cache moved, killed, bounded, cleaned.

Real ffmpeg on generated clips at draft quality with the brand's cards shortened; results read back
from the files (packets and decoded pictures through PyAV, as ffprobe would show them).
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import signal
import sys
import time
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner, Result
from render_helpers import (
    cached_files,
    grey_frames,
    loudness,
    quick_brand,
    rendered,
    stream_timing,
    top_level_boxes,
    tutorial,
    write_recipe,
)

from mlprod import process
from mlprod.cli import cli
from mlprod.config import Settings
from mlprod.jobs.build import build_recipe
from mlprod.media.probe import probe
from mlprod.media.samples import make_tone
from mlprod.media.subtitles import read_subtitles
from mlprod.render import pieces
from mlprod.render.assemble import Stores
from mlprod.render.build import plan_build, prepare
from mlprod.render.piece_render import PieceRun, render_piece
from mlprod.render.plan import plan_timeline
from mlprod.render.sources import gather_sources
from mlprod.store import open_database

SRT = """1
00:00:01,000 --> 00:00:02,000
Première ligne

2
00:00:03,500 --> 00:00:04,500
À cheval sur deux pièces

3
00:00:05,000 --> 00:00:06,000
Troisième ligne
"""
PRESENTER = "presenter:\n  name: Julie Martin\n  role: Conseillère emploi\n"


@pytest.fixture
def long_clip(clip_factory: Callable[..., Path]) -> Path:
    """9 s at 25 fps (made 30 fps by the render): two pieces, [0, 4 s) and [4 s, 9 s)."""
    return clip_factory("neuf.mp4", width=320, height=240, fps=25, seconds=9.0, speech_like=True,
                        volume_db=-16)


def _recipe(settings: Settings, name: str, clip: Path, *more: str, title: str = "Entretien",
            extra: str = PRESENTER) -> Path:
    (settings.media_dir / "neuf.srt").write_text(SRT, encoding="utf-8")
    return write_recipe(settings, name, tutorial(f"file: {clip}\n    subtitles: ../media/neuf.srt", *more,
                                                 title=title, extra=extra))


def _build(settings: Settings, recipe: Path) -> list[str]:
    db = open_database(settings.database_url)
    try:
        (result,) = build_recipe(settings, db, recipe)
    finally:
        db.close()
    assert not result.reused
    return rendered(result.outcomes)


def test_pieces_join_without_a_glitch(workspace: Settings, long_clip: Path, run_cli: Callable[..., Result],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    quick_brand(workspace)
    _recipe(workspace, "pieces.yaml", long_clip)

    result = run_cli("-v", "build", "recipes/pieces.yaml")

    assert result.exit_code == 0, result.output
    for part in ("rendered  intro", "rendered  clip 1 0:00.0–0:04.0", "rendered  clip 1 0:04.0–0:09.0",
                 "rendered  outro", "rendered  sound", "rendered  thumbnail"):
        assert part in result.output
    video = workspace.output_dir / "pieces" / "pieces-landscape.mp4"
    info = probe(video)
    assert info.video is not None and info.audio is not None
    assert (info.video.codec, info.video.pix_fmt, info.video.fps) == ("h264", "yuv420p", 30)
    assert info.video.constant_frame_rate
    assert (info.audio.codec, info.audio.sample_rate, info.audio.channels) == ("aac", 48000, 2)
    assert top_level_boxes(video).index("moov") < top_level_boxes(video).index("mdat")
    integrated, peak = loudness(video)
    assert integrated == pytest.approx(-14, abs=1) and peak <= -1
    timing = stream_timing(video)
    planned = 30 * (1 + 9 + 1)
    assert timing["frames"] == planned  # no frame repeated or lost at the joins
    pts = timing["pts"]
    assert isinstance(pts, list) and isinstance(timing["dts"], list)
    step = Fraction(1, 30) / timing["video_time_base"]  # type: ignore[operator]
    assert {b - a for a, b in itertools.pairwise(pts)} == {step}  # evenly spaced across joins
    assert all(b > a for a, b in itertools.pairwise(timing["dts"]))
    assert abs(float(timing["video_end"]) - float(timing["audio_end"])) <= 1 / 30  # type: ignore[arg-type]
    assert [c.text for c in read_subtitles(video.with_suffix(".srt"))][1] == "À cheval sur deux pièces"

    # the same video in one piece per clip (chunks longer than the clip): every frame the same one
    monkeypatch.setattr(pieces, "CHUNK_SECONDS", 1000.0)
    whole = _recipe(workspace, "entier.yaml", long_clip)
    assert "clip 1 0:00.0–0:09.0" in _build(workspace, whole)
    chunked = grey_frames(video)
    single = grey_frames(workspace.output_dir / "entier" / "entier-landscape.mp4")
    assert len(chunked) == len(single) == planned
    for i in range(1, planned - 1):
        near = [float(np.abs(chunked[i] - single[j]).mean()) for j in (i - 1, i, i + 1)]
        assert near[1] <= min(near) + 0.5, (i, near)  # the frame a single pass shows, not a neighbour


def test_what_changes_what(workspace: Settings, long_clip: Path, clip_factory: Callable[..., Path],
                           run_cli: Callable[..., Result]) -> None:
    quick_brand(workspace)
    short = clip_factory("deux.mp4", width=320, height=180, seconds=2.0)
    music = "music:\n  file: ../media/bed.mp3\n  volume_db: -20\n"
    make_tone(workspace.media_dir / "bed.mp3", seconds=4)
    recipe = _recipe(workspace, "change.yaml", long_clip, f"file: {short}", extra=PRESENTER + music)
    assert len(_build(workspace, recipe)) == 7  # intro, 2 + 1 clip pieces, outro, sound, thumbnail

    # one subtitle line, shown on the second piece of the first clip only
    srt = workspace.media_dir / "neuf.srt"
    srt.write_text(SRT.replace("Troisième ligne", "Troisième ligne corrigée"), encoding="utf-8")
    result = run_cli("-v", "build", "recipes/change.yaml")
    assert result.exit_code == 0, result.output
    assert "rendered  clip 1 0:04.0–0:09.0" in result.output and "1 rendered, 6 reused" in result.output
    # the title: the intro and the thumbnail
    recipe.write_text(recipe.read_text(encoding="utf-8").replace("Entretien", "Réussir son entretien"),
                      encoding="utf-8")
    assert _build(workspace, recipe) == ["intro", "thumbnail"]
    # the music's level: the sound only
    recipe.write_text(recipe.read_text(encoding="utf-8").replace("volume_db: -20", "volume_db: -24"),
                      encoding="utf-8")
    assert _build(workspace, recipe) == ["sound"]
    # a new clip: its own piece (and the sound, which now lasts longer)
    recipe.write_text(recipe.read_text(encoding="utf-8").replace(
        "output:", f"  - file: {clip_factory('trois.mp4', width=320, height=180, seconds=1.0)}\noutput:"),
        encoding="utf-8")
    assert _build(workspace, recipe) == ["clip 3 0:00.0–0:01.0", "sound"]


def test_a_copied_workspace_keeps_its_builds_and_pieces(workspace: Settings, long_clip: Path,
                                                         tmp_path: Path) -> None:
    quick_brand(workspace)
    _recipe(workspace, "copie.yaml", long_clip)
    _build(workspace, workspace.recipes_dir / "copie.yaml")
    copy = tmp_path / "ailleurs" / "ws"
    shutil.copytree(workspace.root, copy)
    runner = CliRunner()

    result = runner.invoke(cli, ["-C", str(copy), "build", "recipes/copie.yaml"])
    (copy / ".mlprod" / "mlprod.db").unlink()  # a machine that has the cache but not the database
    again = runner.invoke(cli, ["-C", str(copy), "-v", "build", "recipes/copie.yaml"])

    assert result.exit_code == 0 and "up to date" in result.output, result.output
    assert again.exit_code == 0, again.output
    assert "0 rendered, 6 reused" in again.output


def test_a_killed_build_leaves_no_half_piece(workspace: Settings, clip_factory: Callable[..., Path],
                                             tmp_path: Path) -> None:
    """kill -9 while pieces render (a power cut): nothing a later build would take for a piece."""
    quick_brand(workspace)
    clip = clip_factory("long.mp4", width=640, height=360, seconds=40.0)
    write_recipe(workspace, "tue.yaml", tutorial(f"file: {clip}"))
    log = tmp_path / "build.log"
    child = process.spawn([sys.executable, "-m", "mlprod", "-C", str(workspace.root), "build",
                           "recipes/tue.yaml"], log_file=log)
    store = workspace.cache_dir / "pieces"
    deadline = time.monotonic() + 120
    while not [p for p in store.rglob(".*.tmp.mp4") if p.stat().st_size > 0]:
        assert child.poll() is None and time.monotonic() < deadline, log.read_text()
        time.sleep(0.05)
    children = [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()
                and _parent(p) == child.pid]
    for pid in [child.pid, *children]:
        os.kill(pid, signal.SIGKILL)
    child.wait()
    for pid in children:
        while Path(f"/proc/{pid}").exists() and _parent(Path(f"/proc/{pid}")) not in (0, 1):
            time.sleep(0.01)

    recorded = {p.stem for p in store.rglob("*.json")}
    assert all(p.stem in recorded for p in store.rglob("*.mp4") if not p.name.startswith("."))
    result = CliRunner().invoke(cli, ["-C", str(workspace.root), "-v", "build", "recipes/tue.yaml"])
    assert result.exit_code == 0, result.output
    assert stream_timing(workspace.output_dir / "tue" / "tue-landscape.mp4")["frames"] == 30 * 42
    assert not [p for p in store.rglob("*") if p.name.startswith(".") and p.is_file()
                and time.time() - p.stat().st_mtime < 1]  # this build left no temporary file


def _parent(proc: Path) -> int:
    try:
        return int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return 0


def test_cache_shows_its_size_cleans_and_stays_bounded(workspace: Settings, long_clip: Path,
                                                       clip_factory: Callable[..., Path],
                                                       run_cli: Callable[..., Result]) -> None:
    quick_brand(workspace)
    keep = _recipe(workspace, "garde.yaml", long_clip)
    gone = write_recipe(workspace, "efface.yaml",
                        tutorial(f"file: {clip_factory('autre.mp4', width=320, height=180, seconds=1.0)}",
                                 title="Autre"))
    _build(workspace, keep)
    _build(workspace, gone)

    shown = run_cli("cache")
    figures = json.loads(run_cli("cache", "--json").output)

    assert shown.exit_code == 0 and "render cache  .mlprod/cache" in shown.output
    assert figures["parts"]["pieces"]["files"] == 4 + 2  # garde: intro, 2 clip pieces, outro; efface: its
    # intro and clip (the outro is the same card: one piece for both)
    assert figures["bytes"] == sum(p.stat().st_size for p in cached_files(workspace))
    gone.unlink()
    (workspace.media_dir / "neuf.srt").write_text(SRT.replace("Première", "1re"), encoding="utf-8")

    cleaned = run_cli("cache", "--clean")

    assert cleaned.exit_code == 0, cleaned.output
    assert "removed 5 files" in cleaned.output  # efface: intro, clip, sound, thumbnail; garde: the old chunk
    result = run_cli("-v", "build", "recipes/garde.yaml")
    assert "rendered  clip 1 0:00.0–0:04.0" in result.output and "1 rendered, 5 reused" in result.output

    # a limit of nothing: each build keeps only its own parts, least recently used go first
    config = workspace.root / "mlprod.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("cache_limit_mb = 10000",
                                                                 "cache_limit_mb = 0"), encoding="utf-8")
    other = clip_factory("autre.mp4", width=320, height=180, seconds=1.0)
    write_recipe(workspace, "efface.yaml", tutorial(f"file: {other}", title="Autre chose"))
    assert run_cli("build", "recipes/efface.yaml").exit_code == 0
    after = json.loads(run_cli("cache", "--json").output)
    assert after["parts"]["pieces"]["files"] == 3 and after["parts"]["sound"]["files"] == 1


def test_a_piece_spec_is_a_task_a_worker_can_take(workspace: Settings, long_clip: Path,
                                                  tmp_path: Path) -> None:
    """Serialised, rendered elsewhere into another store: the same bytes under the same key."""
    quick_brand(workspace)
    recipe = _recipe(workspace, "tache.yaml", long_clip)
    _build(workspace, recipe)
    job, (target,) = prepare(workspace, recipe, None, None, None)
    plan = plan_build(job, plan_timeline(gather_sources(job.loaded), job.brand, target.profile))
    stores = Stores.under(workspace.cache_dir)

    for spec in plan.pieces:
        text = pieces.spec_to_json(spec)
        assert pieces.spec_from_json(text) == spec and json.loads(text)["spec"]["key"] == spec.key
    elsewhere = PieceRun(Stores.under(tmp_path / "worker").pieces, tmp_path / "scratch")
    second = pieces.spec_from_json(pieces.spec_to_json(plan.pieces[2]))
    made, fresh = render_piece(second, elsewhere)
    again, twice = render_piece(second, elsewhere)

    assert fresh and not twice and again == made  # idempotent: stored once, by its key
    local = stores.pieces.lookup(second.key)
    assert local is not None and local.read_bytes() == made.read_bytes()
