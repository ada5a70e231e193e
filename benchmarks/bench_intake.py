"""The employer page under a 1 GB upload: throughput and the server's memory.

    python benchmarks/bench_intake.py                 # a 2 s warm-up clip, then about 1 GB
    python benchmarks/bench_intake.py --size-mb 256

The big clip is a real H.264 video (noisy testsrc2 at 200 Mbit/s, 5 s, concatenated without
re-encoding up to the size asked), so the page probes it as it would a phone's video. Everything
is made in a temporary folder and deleted afterwards. The page runs on uvicorn in a child process;
its resident memory is sampled every 20 ms from /proc while the form uploads, and its peak
(VmHWM) is read after the warm-up and after the big upload: if the upload streams to disk, the
two peaks are close whatever the file's size. Prints one JSON object per upload, then a summary.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import tempfile
import threading
import time
from pathlib import Path

MB = 1024 * 1024
SEGMENT_SECONDS = 5


def _serve(root: str, queue: mp.Queue) -> None:
    import os

    from mlprod.config import load_settings
    from mlprod.intake import load_intake_options, serve_in_thread

    settings = load_settings(Path(root))
    options = load_intake_options(settings).with_overrides(max_upload_bytes=8 * 1024 * MB)
    url, _stop = serve_in_thread(settings, options=options)
    queue.put((url, os.getpid()))
    while True:
        time.sleep(3600)


def _status_kb(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise KeyError(key)


class RssSampler:
    """The server's resident memory, every 20 ms, while an upload runs."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.samples: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append(_status_kb(self.pid, "VmRSS"))
            self._stop.wait(0.02)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()


def make_big_clip(folder: Path, size_mb: int) -> Path:
    """A real video of about ``size_mb``: one noisy high-bitrate segment, concatenated by copy."""
    from mlprod.errors import MediaError
    from mlprod.media.ffmpeg import run_ffmpeg

    segment = folder / "segment.mp4"
    run_ffmpeg(["-f", "lavfi", "-i", f"testsrc2=s=1920x1080:r=30:d={SEGMENT_SECONDS},noise=alls=40:allf=t",
                "-f", "lavfi", "-i", f"sine=f=440:d={SEGMENT_SECONDS}", "-c:v", "libx264",
                "-preset", "ultrafast", "-b:v", "200M", "-maxrate", "200M", "-bufsize", "400M",
                "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(segment)],
               what="making the benchmark segment", error=MediaError)
    copies = max(1, round(size_mb * MB / segment.stat().st_size))
    listing = folder / "list.txt"
    listing.write_text("".join(f"file '{segment}'\n" for _ in range(copies)))
    big = folder / "grosse-video.mp4"
    run_ffmpeg(["-f", "concat", "-safe", "0", "-i", str(listing), "-c", "copy", str(big)],
               what="concatenating the benchmark clip", error=MediaError)
    segment.unlink()
    return big


def upload(link: str, clip: Path, pid: int) -> dict[str, object]:
    from mlprod.intake import submit_offer
    from mlprod.media.probe import probe

    fields = {"position": "Boulanger", "contract": "CDI", "location": "Salon-de-Provence",
              "start": "2030-09-01", "closes": "2030-10-01", "apply": "CV en boutique",
              "contact_person": "Bench, 06 00 00 00 00"}
    before = _status_kb(pid, "VmRSS")
    with RssSampler(pid) as sampler:
        started = time.perf_counter()
        public_id = submit_offer(link, fields, [clip], timeout=3600)
        elapsed = time.perf_counter() - started
    probe_started = time.perf_counter()
    probe(clip)
    probe_s = time.perf_counter() - probe_started
    size = clip.stat().st_size
    return {"submission": public_id, "file_mb": round(size / MB, 1), "total_s": round(elapsed, 2),
            "mb_per_s": round(size / MB / elapsed, 1), "probe_s_alone": round(probe_s, 2),
            "server_rss_before_mb": round(before / 1024, 1),
            "server_rss_max_during_mb": round(max(sampler.samples) / 1024, 1),
            "server_peak_rss_mb": round(_status_kb(pid, "VmHWM") / 1024, 1), "samples": len(sampler.samples)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--size-mb", type=int, default=1024)
    args = parser.parse_args()

    from mlprod.intake import create_invitation
    from mlprod.media.samples import ClipSpec, make_clip
    from mlprod.store import open_database
    from mlprod.workspace import init_workspace

    with tempfile.TemporaryDirectory(prefix="mlprod-bench-intake-") as tmp:
        folder = Path(tmp)
        settings = init_workspace(folder / "ws").settings
        db = open_database(settings.database_url)
        made = time.perf_counter()
        big = make_big_clip(folder, args.size_mb)
        print(f"made {big.stat().st_size / MB:.0f} MB clip in {time.perf_counter() - made:.1f} s")
        small = make_clip(folder / "warmup.mp4", ClipSpec(seconds=2))
        ctx = mp.get_context("spawn")
        queue: mp.Queue = ctx.Queue()
        server = ctx.Process(target=_serve, args=(str(settings.root), queue), daemon=True)
        server.start()
        try:
            url, pid = queue.get(timeout=60)
            results = []
            for clip, employer in ((small, "Warm-up"), (big, "Big")):
                _view, path = create_invitation(settings, db, employer)
                result = upload(url + path, clip, pid)
                results.append(result)
                print(json.dumps(result))
            warm, large = results
            growth = float(str(large["server_peak_rss_mb"])) - float(str(warm["server_peak_rss_mb"]))
            print(f"summary: {large['file_mb']} MB in {large['total_s']} s ({large['mb_per_s']} MB/s);"
                  f" server peak RSS {warm['server_peak_rss_mb']} MB after warm-up,"
                  f" {large['server_peak_rss_mb']} MB after the big upload (+{growth:.1f} MB)")
        finally:
            server.terminate()
            server.join(10)
            db.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
