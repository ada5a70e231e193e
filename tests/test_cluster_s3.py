"""Renders on a Celery cluster whose shared storage is an S3 bucket: moto's S3 server on loopback,
the real Redis and two real `mlprod worker` processes.

The builder uploads the inputs to the bucket, the workers download them into their own scratch
folders and upload the pieces, the builder downloads them: the video must be byte-identical to a
build in the process. Skipped when no Redis answers.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner, Result
from cluster_fixtures import Bucket, Cluster
from cluster_helpers import sha256
from render_helpers import quick_brand, tutorial, write_recipe

from mlprod.cli import cli
from mlprod.config import Settings
from mlprod.workspace import init_workspace

RECIPE = tutorial("file: ../media/a.mp4", title="Le CV")


def _site(root: Path, clip: Path) -> Settings:
    settings = init_workspace(root).settings
    quick_brand(settings)
    shutil.copyfile(clip, settings.media_dir / "a.mp4")
    write_recipe(settings, "a.yaml", RECIPE)
    return settings


def _build(settings: Settings, cluster: Cluster | None = None) -> Result:
    env = {} if cluster is None else {"MLPROD_RENDER_QUEUE": cluster.queue,
                                      "MLPROD_RENDER_SHARED": str(cluster.shared)}
    return CliRunner().invoke(cli, ["-C", str(settings.root), "-v", "build", "recipes/a.yaml"], env=env,
                              catch_exceptions=False)


def _objects(bucket: Bucket, under: str) -> list[str]:
    pages = bucket.client.get_paginator("list_objects_v2").paginate(Bucket=bucket.name,
                                                                     Prefix=f"{bucket.prefix}/{under}")
    return [item["Key"] for page in pages for item in page.get("Contents", [])]


def test_a_build_through_a_bucket_is_the_local_build_byte_for_byte(
        s3_cluster: Cluster, s3_bucket: Bucket, clip_factory: Callable[..., Path], tmp_path: Path) -> None:
    clip = clip_factory("a.mp4", seconds=6.0, frequency=330)
    site = _site(tmp_path / "salon", clip)  # not on any shared folder: the bucket carries everything
    before = {w.name: w.rendered() for w in s3_cluster.workers}
    result = _build(site, s3_cluster)
    assert result.exit_code == 0, result.output
    assert "pieces sent to the cluster" in result.output
    rendered = sum(w.rendered() - before[w.name] for w in s3_cluster.workers)
    assert rendered >= 3, [w.output() for w in s3_cluster.workers]

    pieces = _objects(s3_bucket, "pieces/")
    assert len(pieces) == rendered and all(p.endswith(".mp4") for p in pieces), pieces
    inputs = _objects(s3_bucket, "inputs/")
    assert any(name.endswith("/a.mp4") for name in inputs), inputs          # the clip, by its digest
    assert any("/inputs/dirs/" in name for name in inputs), inputs          # the brand folder
    for worker in s3_cluster.workers:  # downloads land once under the scratch folder, not inputs/inputs
        assert not list((s3_cluster.folder / f"scratch-{worker.name.split('@')[0]}").glob("inputs/inputs"))

    local = _site(tmp_path / "local", clip)
    assert _build(local).exit_code == 0
    for suffix in (".mp4", ".jpg"):
        made = f"output/a/a-landscape{suffix}"
        assert sha256(site.root / made) == sha256(local.root / made), made

    again = _site(tmp_path / "istres", clip)  # another site: every piece is found in the bucket
    result = _build(again, s3_cluster)
    assert result.exit_code == 0, result.output
    assert "0 pieces sent to the cluster" in result.output
    assert sha256(again.root / "output/a/a-landscape.mp4") == sha256(local.root / "output/a/a-landscape.mp4")
