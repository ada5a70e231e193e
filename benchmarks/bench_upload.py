"""Upload throughput and memory: a large generated file to a sandbox on loopback.

    python benchmarks/bench_upload.py              # 64 MB warm-up, then 1 GB
    python benchmarks/bench_upload.py --size-mb 256 --chunk-mb 8

The file is sparse (made with truncate, nothing written, nothing committed). The sandbox runs in a
child process so that this process's memory is the uploader's alone. Peak RSS is read after a small
upload and again after the large one: if the upload streams, the two are the same whatever the
file's size. Prints one JSON object per upload, then a summary line.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mlprod.youtube.api import Channel

MB = 1024 * 1024


def _serve(queue: mp.Queue[str]) -> None:
    from mlprod.sandbox import SandboxConfig
    from mlprod.sandbox.server import serve

    serve(SandboxConfig(), on_ready=queue.put)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def upload(channel: Channel, folder: Path, size: int, chunk: int, name: str) -> dict[str, Any]:
    from mlprod.youtube.upload import ResumableUpload, UploadTarget

    path = folder / f"{name}.mp4"
    with open(path, "wb") as f:
        f.truncate(size)
    body = {"snippet": {"title": f"Bench {name}", "categoryId": "27"}, "status": {"privacyStatus": "private"}}
    target = UploadTarget(recipe=f"bench/{name}", path=path, body=body, part="snippet,status",
                          build_id=None, chunk_size=chunk)
    started = time.perf_counter()
    job = ResumableUpload(channel, target)  # hashes the file first (sha256 kept in the session)
    hashed = time.perf_counter()
    done = job.run()
    finished = time.perf_counter()
    path.unlink()
    return {"file_mb": size / MB, "chunk_mb": chunk / MB, "hash_s": round(hashed - started, 2),
            "upload_s": round(finished - hashed, 2),
            "upload_mb_per_s": round(size / MB / (finished - hashed), 1),
            "peak_rss_mb": round(peak_rss_mb(), 1), "video_id": done.video["id"]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--warmup-mb", type=int, default=64)
    parser.add_argument("--chunk-mb", type=int, default=8)
    args = parser.parse_args()

    from mlprod.store import open_database
    from mlprod.workspace import init_workspace
    from mlprod.youtube.api import Channel
    from mlprod.youtube.auth import approve_by_fetching, login, youtube

    queue: mp.Queue[str] = mp.get_context("spawn").Queue()
    server = mp.get_context("spawn").Process(target=_serve, args=(queue,), daemon=True)
    server.start()
    url = queue.get(timeout=30)
    try:
        with tempfile.TemporaryDirectory(prefix="mlprod-bench-") as tmp:
            folder = Path(tmp)
            settings = init_workspace(folder / "ws").settings.with_overrides(youtube_url=url)
            login(settings, approve=approve_by_fetching)
            db = open_database(settings.database_url)
            channel = Channel(youtube(settings), db)
            chunk = args.chunk_mb * MB
            baseline = peak_rss_mb()
            small = upload(channel, folder, args.warmup_mb * MB, chunk, "warmup")
            print(json.dumps(small))
            large = upload(channel, folder, args.size_mb * MB, chunk, "large")
            print(json.dumps(large))
            with urllib.request.urlopen(f"{url}/_sandbox/state", timeout=30) as answer:
                state = json.loads(answer.read())
            stored = {v["id"]: v["media_bytes"] for v in state["videos"]}
            assert stored[large["video_id"]] == args.size_mb * MB, "the sandbox did not get the whole file"
            db.close()
        growth = large["peak_rss_mb"] - small["peak_rss_mb"]
        print(f"{args.size_mb} MB in {large['upload_s']} s = {large['upload_mb_per_s']} MB/s on loopback;"
              f" peak RSS {baseline:.0f} MB before, {small['peak_rss_mb']:.0f} MB after"
              f" {args.warmup_mb} MB, {large['peak_rss_mb']:.0f} MB after {args.size_mb} MB"
              f" (+{growth:.1f} MB): {'streams' if growth < 2 * args.chunk_mb else 'GROWS with the file'}")
    finally:
        server.terminate()
        server.join(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
