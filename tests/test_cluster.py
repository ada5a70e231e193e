"""Renders on a Celery cluster: a real Redis broker and two real `mlprod worker` processes.

Each build goes through the real CLI with render.queue set (MLPROD_RENDER_QUEUE) and a shared
folder holding the workspaces; results are compared byte for byte with a build in the process.
Draft quality, the brand's cards shortened, clips of a few seconds. Skipped when no Redis answers.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from cluster_fixtures import Cluster
from cluster_helpers import sha256, started_on
from render_helpers import quick_brand, tutorial, write_recipe

from mlprod.cli import cli
from mlprod.cluster.app import PROTOCOL, TASK
from mlprod.cluster.specs import relocate
from mlprod.cluster.storage import SharedFolder
from mlprod.config import Settings
from mlprod.render.build import plan_build, prepare, renderer_identity
from mlprod.render.pieces import ClipPiece, spec_to_json
from mlprod.render.plan import plan_timeline
from mlprod.render.sources import gather_sources
from mlprod.workspace import init_workspace


def _site(root: Path, clips: dict[str, Path], recipes: dict[str, str]) -> Settings:
    """A workspace (a site) with its media and recipes."""
    settings = init_workspace(root).settings
    quick_brand(settings)
    for name, clip in clips.items():
        shutil.copyfile(clip, settings.media_dir / name)
    for name, text in recipes.items():
        write_recipe(settings, name, text)
    return settings


def _build(settings: Settings, *args: str, cluster: Cluster | None = None) -> Result:
    env = {} if cluster is None else {"MLPROD_RENDER_QUEUE": cluster.queue,
                                      "MLPROD_RENDER_SHARED": str(cluster.shared)}
    return CliRunner().invoke(cli, ["-C", str(settings.root), "-v", "build", *args], env=env,
                              catch_exceptions=False)


RECIPES = {"a.yaml": tutorial("file: ../media/a.mp4", title="Le CV"),
           "b.yaml": tutorial("file: ../media/b.mp4", "file: ../media/a.mp4\n    end: 3",
                              title="L'entretien")}


@pytest.fixture(scope="module")
def clips(clip_factory: Callable[..., Path]) -> dict[str, Path]:
    return {"a.mp4": clip_factory("a.mp4", seconds=6.0, frequency=330),
            "b.mp4": clip_factory("b.mp4", seconds=9.0, frequency=550)}


def test_cluster_build_is_the_local_build_byte_for_byte(cluster: Cluster, clips: dict[str, Path],
                                                         tmp_path: Path) -> None:
    site = _site(cluster.shared / "salon", clips, RECIPES)
    before = {w.name: w.rendered() for w in cluster.workers}
    result = _build(site, "recipes/a.yaml", "recipes/b.yaml", cluster=cluster)
    assert result.exit_code == 0, result.output
    assert "pieces sent to the cluster" in result.output
    by_worker = {w.name: w.rendered() - before[w.name] for w in cluster.workers}
    assert sum(by_worker.values()) >= 8 and all(by_worker.values()), by_worker  # both workers took pieces

    local = _site(tmp_path / "local", clips, RECIPES)
    assert _build(local, "recipes/a.yaml", "recipes/b.yaml").exit_code == 0
    for slug in ("a", "b"):
        for suffix in (".mp4", ".jpg"):
            made = f"output/{slug}/{slug}-landscape{suffix}"
            assert sha256(site.root / made) == sha256(local.root / made), made


def test_a_piece_in_the_shared_cache_is_not_rendered_again_for_any_site(cluster: Cluster,
                                                                         clips: dict[str, Path]) -> None:
    first = _site(cluster.shared / "istres", clips, {"a.yaml": RECIPES["a.yaml"]})
    assert _build(first, "recipes/a.yaml", cluster=cluster).exit_code == 0
    rendered = sum(w.rendered() for w in cluster.workers)
    # another Mission Locale, its own workspace and database, the same clip and recipe text
    other = _site(cluster.shared / "martigues", {"copie.mp4": clips["a.mp4"]},
                  {"cv.yaml": RECIPES["a.yaml"].replace("a.mp4", "copie.mp4")})
    result = _build(other, "recipes/cv.yaml", cluster=cluster)
    assert result.exit_code == 0, result.output
    assert "0 pieces sent to the cluster" in result.output
    assert sum(w.rendered() for w in cluster.workers) == rendered
    same = sha256(first.root / "output/a/a-landscape.mp4")
    assert sha256(other.root / "output/cv/cv-landscape.mp4") == same


def test_a_clip_off_the_shared_storage_is_named(cluster: Cluster, clip_factory: Callable[..., Path],
                                                tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.mp4"
    shutil.copyfile(clip_factory("c.mp4", seconds=3.0, frequency=770), outside)  # no piece of it anywhere
    site = _site(cluster.shared / "aix", {}, {"x.yaml": tutorial(f"file: {outside}")})
    result = _build(site, "recipes/x.yaml", cluster=cluster)
    assert result.exit_code == 1
    assert f"{outside}: not on the shared storage {cluster.shared}" in result.output
    assert not (site.root / "output/x/x-landscape.mp4").exists()


def _clip_spec(site: Settings) -> ClipPiece:
    job, (target,) = prepare(site, site.recipes_dir / "a.yaml", None, None, None)
    job.sources = gather_sources(job.loaded)
    plan = plan_build(job, plan_timeline(job.sources, job.brand, target.profile))
    return next(p for p in plan.pieces if isinstance(p, ClipPiece))


def test_a_worker_says_which_input_it_misses_and_refuses_another_version(cluster: Cluster,
                                                                        clips: dict[str, Path]) -> None:
    site = _site(cluster.shared / "arles", clips, {"a.yaml": RECIPES["a.yaml"]})
    piece = relocate(_clip_spec(site), SharedFolder(cluster.shared).export)
    gone = relocate(piece, lambda p: p.with_name("parti.mp4") if p.suffix == ".mp4" else p)
    renderer = renderer_identity(None)
    missing = cluster.app.send_task(TASK, args=[spec_to_json(gone), PROTOCOL, renderer]).get(timeout=60)
    assert missing["status"] == "failed"
    assert missing["error"].startswith("arles/media/parti.mp4: missing on the shared storage (worker ")
    assert str(cluster.shared / "arles/media/parti.mp4") in missing["error"]

    old = cluster.app.send_task(TASK, args=[spec_to_json(piece), "0.0.1|render-1", renderer]).get(timeout=60)
    assert old["status"] == "refused"
    assert f"runs mlprod {PROTOCOL.replace('|', ', renderer ')} but this build needs 0.0.1, renderer" \
           " render-1" in old["error"]
    assert old["worker"] in {w.name for w in cluster.workers}


def test_the_worker_command_says_what_it_lacks(tmp_path: Path) -> None:
    settings = init_workspace(tmp_path / "ws").settings
    result = CliRunner().invoke(cli, ["-C", str(settings.root), "worker"])
    assert result.exit_code == 1
    assert "no render queue: give --queue redis://host:6379/0" in result.output
    write_recipe(settings, "a.yaml", RECIPES["a.yaml"])
    result = CliRunner().invoke(cli, ["-C", str(settings.root), "build", "recipes/a.yaml"],
                                env={"MLPROD_RENDER_QUEUE": "http://render:6379"})
    assert result.exit_code == 1
    assert "'http://render:6379' is not a Redis URL" in result.output


def test_a_worker_killed_mid_piece_loses_nothing(cluster: Cluster, clips: dict[str, Path],
                                                 tmp_path: Path) -> None:
    """SIGKILL the whole worker (its pool process and ffmpeg too) while it renders a piece."""
    recipes = {"k.yaml": tutorial("file: ../media/b.mp4", title="Tuer un worker", quality="standard")}
    site = _site(cluster.shared / "tarascon", clips, recipes)
    outcome: list[Result] = []
    build = threading.Thread(target=lambda: outcome.append(_build(site, "recipes/k.yaml", cluster=cluster)))
    build.start()
    victim = None
    deadline = time.monotonic() + 120
    while victim is None and build.is_alive() and time.monotonic() < deadline:
        victim = started_on(cluster.redis)
        time.sleep(0.02)
    assert victim is not None, "no piece was seen running"
    doomed = next(w for w in cluster.workers if w.name == victim)
    doomed.kill_tree()
    build.join(timeout=300)
    (result,) = outcome
    assert result.exit_code == 0, result.output
    assert f"worker {victim} stopped answering while rendering piece" in result.output

    local = _site(tmp_path / "local", clips, recipes)
    assert _build(local, "recipes/k.yaml").exit_code == 0
    made = "output/k/k-landscape.mp4"
    assert sha256(site.root / made) == sha256(local.root / made)
    cluster.replace(doomed, "w3@test")
