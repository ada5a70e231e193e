"""Facebook and Instagram Reel uploads: throughput, bytes sent, and memory flat in the file size.

    python benchmarks/bench_meta_upload.py                 # 32 MB warm-up, then 512 MB, 8 MB parts
    python benchmarks/bench_meta_upload.py --size-mb 1024 --part-mb 8

Each file is a real 4-second 540×960 MP4 grown to the size asked by a trailing ``free`` box left
sparse (nothing written, nothing committed): the sandbox accepts it as a Reel. The sandbox runs in a
child process so that this process's memory is the uploader's alone; the workspace signs in through
`mlprod auth login --platform facebook`'s code, then the real Reel and Instagram clients upload
(start, parts at an offset, finish / container, parts, polling, publish). Peak RSS is read after the
small uploads and after the large ones: if the uploads stream, the two are the same. Prints one JSON
object per upload, then a summary line.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import shutil
import struct
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

MB = 1024 * 1024


def _serve(queue: mp.Queue[str]) -> None:
    from mlprod.sandbox import SandboxConfig
    from mlprod.sandbox.server import serve

    serve(SandboxConfig(), on_ready=queue.put)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def grown(source: Path, path: Path, size: int) -> Path:
    """``source`` (an MP4) followed by a sparse ``free`` box: ``size`` bytes in all."""
    shutil.copyfile(source, path)
    extra = size - source.stat().st_size
    with open(path, "r+b") as f:
        f.seek(0, 2)
        f.write(struct.pack(">I4s", extra, b"free"))
        f.truncate(size)
    return path


def run(settings: Any, db: Any, video: Path, name: str) -> list[dict[str, Any]]:
    from mlprod.facebook.reels import Reels
    from mlprod.graph.posts import MetaPost
    from mlprod.graph.sessions import Sessions
    from mlprod.graph.signin import signed_in_client
    from mlprod.instagram.reels import InstagramReels
    from mlprod.states import PlatformName
    from mlprod.store.models import utcnow

    post = MetaPost(title=f"Bench {name}", text=f"Bench {name}", marker=f"mlprod-bench{name}",
                    privacy_asked="public")
    rows = []
    sign_in, client = signed_in_client(settings, "Facebook")
    started = time.perf_counter()
    reels = Reels(client, sign_in.page_id, Sessions(db, PlatformName.facebook), settings.upload_chunk_size)
    done = reels.upload(f"bench/{name}", video, None, None)
    reels.finish(done.video_id, post, utcnow(), check_first=False)
    rows.append(_row("facebook", video, client.sent_bytes, time.perf_counter() - started))
    _, client = signed_in_client(settings, "Instagram")
    started = time.perf_counter()
    instagram = InstagramReels(client, str(sign_in.instagram_id), Sessions(db, PlatformName.instagram),
                               settings.upload_chunk_size, lambda: None, poll_every=0.5)
    instagram.publish(f"bench/{name}", video, None, post, None)
    rows.append(_row("instagram", video, client.sent_bytes, time.perf_counter() - started))
    return rows


def _row(platform: str, video: Path, sent: int, seconds: float) -> dict[str, Any]:
    size = video.stat().st_size
    return {"platform": platform, "file_mb": round(size / MB, 1), "sent_mb": round(sent / MB, 1),
            "seconds": round(seconds, 2), "mb_per_s": round(size / MB / seconds, 1),
            "peak_rss_mb": round(peak_rss_mb(), 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--size-mb", type=int, default=512)
    parser.add_argument("--warmup-mb", type=int, default=32)
    parser.add_argument("--part-mb", type=int, default=8)
    args = parser.parse_args()

    from mlprod.facebook.auth import approve_by_fetching, login
    from mlprod.sandbox.testing import make_mp4
    from mlprod.store import open_database
    from mlprod.workspace import init_workspace

    queue: mp.Queue[str] = mp.get_context("spawn").Queue()
    server = mp.get_context("spawn").Process(target=_serve, args=(queue,), daemon=True)
    server.start()
    url = queue.get(timeout=30)
    try:
        with tempfile.TemporaryDirectory(prefix="mlprod-bench-") as tmp:
            folder = Path(tmp)
            settings = init_workspace(folder / "ws").settings.with_overrides(
                graph_url=url, upload_chunk_size=args.part_mb * MB)
            login(settings, approve=approve_by_fetching)
            db = open_database(settings.database_url)
            source = make_mp4(folder / "source.mp4")
            baseline = peak_rss_mb()
            small = run(settings, db, grown(source, folder / "warmup.mp4", args.warmup_mb * MB), "warmup")
            large = run(settings, db, grown(source, folder / "large.mp4", args.size_mb * MB), "large")
            for row in small + large:
                print(json.dumps(row))
            db.close()
        growth = large[-1]["peak_rss_mb"] - small[-1]["peak_rss_mb"]
        print(f"{args.size_mb} MB Reel: Facebook {large[0]['mb_per_s']} MB/s, Instagram"
              f" {large[1]['mb_per_s']} MB/s on loopback; bytes sent {large[0]['sent_mb']} /"
              f" {large[1]['sent_mb']} MB; peak RSS"
              f" {baseline:.0f} MB before, {small[-1]['peak_rss_mb']:.0f} MB after {args.warmup_mb} MB,"
              f" {large[-1]['peak_rss_mb']:.0f} MB after {args.size_mb} MB (+{growth:.1f} MB):"
              f" {'streams' if growth < 2 * args.part_mb else 'GROWS with the file'}")
    finally:
        server.terminate()
        server.join(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
