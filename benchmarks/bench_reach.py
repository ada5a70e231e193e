"""One recipe published to five platforms on the sandbox: time, bytes sent per platform, memory.

    python benchmarks/bench_reach.py                       # a 16 MB recipe, then a 256 MB one
    python benchmarks/bench_reach.py --size-mb 512 --chunk-mb 8

Each recipe names youtube, youtube_short, facebook, instagram and discord and has two ready builds
(recorded as `mlprod build` records them): real MP4s, landscape 640×360 and vertical 540×960, grown
to the size asked by a sparse trailing ``free`` box (nothing written). The sandbox (YouTube, Graph
API, Discord) runs in a child process so that this process's memory is the publisher's alone; the
workspace signs in to YouTube and to the Page and adds the Discord webhook through mlprod's own
code, then the real publish workflow publishes the recipe one platform after the other
(``--platform``), so that each gets its time and the bytes it put on the wire (counted on the
sockets: requests, headers and bodies). Peak RSS is read after the small recipe and after the large
one: if every upload streams, the two are the same. Prints one JSON object per platform and recipe,
then a summary line.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import shutil
import socket
import struct
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

MB = 1024 * 1024
PLATFORMS = ("youtube", "youtube_short", "facebook", "instagram", "discord")
RECIPE = """kind: tutorial
title: "Banc d'essai {name}"
clips:
  - file: ../media/a.mp4
output:
  formats: [landscape, vertical]
publish:
  description: Une vidéo pour mesurer la publication sur toutes les plateformes.
  platforms: [youtube, youtube_short, facebook, instagram, discord]
"""


class SentBytes:
    """Counts what this process writes to sockets (every HTTP client here ends in send/sendall)."""

    def __init__(self) -> None:
        self.total = 0
        for name in ("send", "sendall"):
            original: Callable[..., Any] = getattr(socket.socket, name)
            setattr(socket.socket, name, self._counting(original))

    def _counting(self, original: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(sock: socket.socket, data: Any, *args: Any) -> Any:
            result = original(sock, data, *args)
            self.total += len(data) if result is None else int(result)
            return result

        return wrapper


def _serve(queue: mp.Queue[str]) -> None:
    from mlprod.sandbox import SandboxConfig
    from mlprod.sandbox.server import serve

    serve(SandboxConfig(), on_ready=queue.put)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def grown(source: Path, path: Path, size: int) -> Path:
    """``source`` (an MP4) followed by a sparse ``free`` box: ``size`` bytes in all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, path)
    extra = size - source.stat().st_size
    with open(path, "r+b") as f:
        f.seek(0, 2)
        f.write(struct.pack(">I4s", extra, b"free"))
        f.truncate(size)
    return path


def ready_builds(settings: Any, db: Any, recipe: Path, sources: dict[str, Path], size: int) -> None:
    """Record the recipe's two builds, as `mlprod build` would, over grown real MP4s."""
    from PIL import Image

    from mlprod.jobs.build import BuildResult, record_done
    from mlprod.render.build import prepare
    from mlprod.states import Format

    for fmt in (Format.landscape, Format.vertical):
        job, (target,) = prepare(settings, recipe, [fmt], None, None)
        grown(sources[fmt.value], target.video, size)
        Image.new("RGB", (1280, 720), (20, 90, 160)).save(target.thumbnail, "JPEG")
        record_done(settings, db, BuildResult(
            recipe=job.loaded.path, slug=job.loaded.slug, format=fmt, quality=job.quality, video=target.video,
            captions=None, thumbnail=target.thumbnail, content_hash=target.content_hash, duration=4.0,
            size_bytes=size, render_seconds=0.0, reused=False, build_id=0))


def publish(settings: Any, db: Any, recipe: Path, counter: SentBytes, size: int) -> list[dict[str, Any]]:
    from mlprod.jobs.publish import publish_recipes
    from mlprod.jobs.publish_results import PublishOptions
    from mlprod.states import PlatformName

    rows = []
    for name in PLATFORMS:
        before, started = counter.total, time.perf_counter()
        batch = publish_recipes(settings, db, [recipe], PublishOptions(only=PlatformName(name)))
        seconds = time.perf_counter() - started
        [result] = batch.results
        if batch.failed:
            raise SystemExit(f"{name}: {result.message}")
        sent = counter.total - before
        rows.append({"platform": name, "file_mb": round(size / MB, 1), "outcome": result.outcome.value,
                     "seconds": round(seconds, 2), "sent_bytes": sent, "sent_mb": round(sent / MB, 2),
                     "peak_rss_mb": round(peak_rss_mb(), 1)})
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--size-mb", type=int, default=256)
    parser.add_argument("--warmup-mb", type=int, default=16)
    parser.add_argument("--chunk-mb", type=int, default=8)
    args = parser.parse_args()

    from mlprod.facebook.auth import approve_by_fetching as approve_meta
    from mlprod.facebook.auth import login as facebook_login
    from mlprod.jobs.announcements import add_webhook
    from mlprod.sandbox.testing import discord_webhook, make_mp4
    from mlprod.store import open_database
    from mlprod.workspace import init_workspace
    from mlprod.youtube.auth import approve_by_fetching, login

    queue: mp.Queue[str] = mp.get_context("spawn").Queue()
    server = mp.get_context("spawn").Process(target=_serve, args=(queue,), daemon=True)
    server.start()
    url = queue.get(timeout=30)
    try:
        with tempfile.TemporaryDirectory(prefix="mlprod-bench-") as tmp:
            folder = Path(tmp)
            settings = init_workspace(folder / "ws").settings.with_overrides(
                youtube_url=url, graph_url=url, upload_chunk_size=args.chunk_mb * MB)
            login(settings, open_browser=False, approve=approve_by_fetching)
            facebook_login(settings, open_browser=False, approve=approve_meta)
            add_webhook(settings, discord_webhook(url, "annonces")["url"])
            db = open_database(settings.database_url)
            sources = {"landscape": make_mp4(folder / "landscape.mp4", 640, 360),
                       "vertical": make_mp4(folder / "vertical.mp4", 540, 960)}
            make_mp4(settings.media_dir / "a.mp4", 640, 360)
            counter = SentBytes()
            baseline = peak_rss_mb()
            runs = []
            for name, size_mb in (("warmup", args.warmup_mb), ("large", args.size_mb)):
                recipe = settings.recipes_dir / f"{name}.yaml"
                recipe.write_text(RECIPE.format(name=name), encoding="utf-8")
                ready_builds(settings, db, recipe, sources, size_mb * MB)
                runs.append(publish(settings, db, recipe, counter, size_mb * MB))
            db.close()
        for row in runs[0] + runs[1]:
            print(json.dumps(row))
        small, large = runs
        total = sum(r["seconds"] for r in large)
        growth = large[-1]["peak_rss_mb"] - small[-1]["peak_rss_mb"]
        per = ", ".join(f"{r['platform']} {r['sent_mb']} MB in {r['seconds']} s" for r in large)
        print(f"One {args.size_mb} MB recipe to five platforms in {total:.1f} s on loopback ({per}); peak"
              f" RSS {baseline:.0f} MB before, {small[-1]['peak_rss_mb']:.0f} MB after {args.warmup_mb} MB,"
              f" {large[-1]['peak_rss_mb']:.0f} MB after {args.size_mb} MB (+{growth:.1f} MB):"
              f" {'flat' if growth < 2 * args.chunk_mb else 'GROWS with the file'}")
    finally:
        server.terminate()
        server.join(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
