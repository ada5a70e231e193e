"""Renders on the cluster: eight recipes in the process, by one worker and by two on this machine.

Eight tutorials, each one clip of its own (--seconds long, 1280×720 30 fps, with sound) between
the brand's intro and outro, at --quality, landscape; and one long video (one --long-second clip).
Each run starts from an empty render cache and a fresh Redis database, then:

  in-process   `mlprod build recipes/` with no render.queue (the pieces rendered by its own pool)
  1 worker     one `mlprod worker -c 1`; `mlprod build` with render.queue sends it the pieces
  2 workers    two `mlprod worker -c 1` processes on this machine

Wall time is the build command's, from start to the last file in place (workers are started and
answering before). CPU is user+system of everything the run started (builder, workers and their
pool processes, every ffmpeg), read with getrusage once all exited: it includes the workers'
start-up (~1–2 s each, importing Celery). Memory is the peak of the summed resident size of that
process tree, sampled from /proc every 50 ms. The load average is recorded before each run: the
machine may be shared.

Run (Redis on 127.0.0.1:6379): /work/venv/bin/python benchmarks/bench_cluster.py [--quality draft]
Writes benchmarks/results/cluster.json and prints a table.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import redis

from mlprod.cluster.app import make_app
from mlprod.media.samples import ClipSpec, make_clip
from mlprod.process import spawn
from mlprod.workspace import init_workspace

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "cluster.json"
REDIS = "redis://127.0.0.1:6379"


@dataclass
class Run:
    name: str
    wall_s: float
    cpu_s: float
    peak_mb: float
    load_before: float


def tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and every process below it."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        me, parent = int(status.parent.name), int(fields["PPid"])
        children.setdefault(parent, []).append(me)
        rss[me] = int(fields.get("VmRSS", "0 kB").split()[0]) * 1024
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        total += rss.get(current, 0)
        todo += children.get(current, [])
    return total


class Sampler(threading.Thread):
    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak, self.stop = 0, threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            self.peak = max(self.peak, tree_rss(os.getpid()) - tree_rss_self())
            time.sleep(0.05)


def tree_rss_self() -> int:
    return int(Path(f"/proc/{os.getpid()}/status").read_text().split("VmRSS:")[1].split()[0]) * 1024


def claim_db() -> str:
    for number in range(1, 16):
        client = redis.Redis.from_url(f"{REDIS}/{number}")
        if client.set("mlprod-test-run", os.getpid(), nx=True, ex=3600):
            client.flushdb()
            client.set("mlprod-test-run", os.getpid(), ex=3600)
            return f"{REDIS}/{number}"
    raise SystemExit("every Redis database 1–15 is taken")


def workspace(folder: Path, clips: list[Path], quality: str) -> Path:
    settings = init_workspace(folder).settings
    for k, clip in enumerate(clips):
        shutil.copyfile(clip, settings.media_dir / clip.name)
        (settings.recipes_dir / f"video-{k + 1}.yaml").write_text(
            f'kind: tutorial\ntitle: "Vidéo {k + 1}"\nclips:\n  - file: ../media/{clip.name}\n'
            f"output:\n  quality: {quality}\n", encoding="utf-8")
    return settings.root


def one_run(name: str, clips: list[Path], quality: str, workers: int, scratch: Path) -> Run:
    folder = Path(tempfile.mkdtemp(prefix=f"{name.replace(' ', '-')}-", dir=scratch))
    root = workspace(folder / "ws", clips, quality)
    env = dict(os.environ)
    procs = []
    queue = None
    if workers:
        queue = claim_db()
        env |= {"MLPROD_RENDER_QUEUE": queue, "MLPROD_RENDER_SHARED": str(folder)}
        procs = [spawn([sys.executable, "-m", "mlprod", "worker", "-c", "1", "-n", f"b{k}@bench",
                        "--queue", queue, "--shared", folder, "--scratch", folder / f"scratch{k}"],
                       log_file=folder / f"worker{k}.log") for k in range(workers)]
        app = make_app(queue)
        while len({n for r in app.control.ping(timeout=1.0) or [] for n in r}) < workers:
            pass
        app.close()
    load = os.getloadavg()[0]
    sampler = Sampler()
    sampler.start()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        build = spawn([sys.executable, "-m", "mlprod", "-q", "-C", root, "build", "recipes"],
                      log_file=folder / "build.log")
        code = build.wait()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    wall = time.monotonic() - started
    for proc in procs:
        proc.send_signal(signal.SIGTERM)
    for proc in procs:
        proc.wait()
    sampler.stop.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if queue is not None:
        redis.Redis.from_url(queue).flushdb()
    if code != 0:
        raise SystemExit(f"{name}: the build failed:\n{(folder / 'build.log').read_text()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    shutil.rmtree(folder, ignore_errors=True)
    return Run(name, round(wall, 2), round(cpu, 2), round(sampler.peak / 1e6, 1), round(load, 2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quality", default="draft", choices=["draft", "standard", "master"])
    parser.add_argument("--seconds", type=float, default=8.0, help="each of the eight clips")
    parser.add_argument("--long", type=float, default=40.0, help="the long video's clip")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="bench-cluster-"))
    try:
        clips = []
        for k in range(8):
            clip = scratch / f"clip-{k + 1}.mp4"
            make_clip(clip, ClipSpec(1280, 720, 30, args.seconds, frequency=300 + 40 * k))
            clips.append(clip)
        long_clip = scratch / "long.mp4"
        make_clip(long_clip, ClipSpec(1280, 720, 30, args.long, frequency=1000))
        runs = []
        for name, chosen, workers in [("8 recipes in-process", clips, 0), ("8 recipes, 1 worker", clips, 1),
                                      ("8 recipes, 2 workers", clips, 2),
                                      ("long video, 1 worker", [long_clip], 1),
                                      ("long video, 2 workers", [long_clip], 2)]:
            runs.append(one_run(name, chosen, args.quality, workers, scratch))
            print(runs[-1], flush=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    by = {r.name: r for r in runs}
    ratios = {"8 recipes: 1 worker / 2 workers (wall)":
              round(by["8 recipes, 1 worker"].wall_s / by["8 recipes, 2 workers"].wall_s, 2),
              "8 recipes: in-process / 2 workers (wall)":
              round(by["8 recipes in-process"].wall_s / by["8 recipes, 2 workers"].wall_s, 2),
              "long video: 1 worker / 2 workers (wall)":
              round(by["long video, 1 worker"].wall_s / by["long video, 2 workers"].wall_s, 2)}
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({"args": vars(args), "cores": os.cpu_count(),
                                   "runs": [asdict(r) for r in runs], "ratios": ratios}, indent=2) + "\n",
                       encoding="utf-8")
    print(f"\n{'run':<26}{'wall s':>8}{'CPU s':>8}{'peak MB':>9}{'load':>6}")
    for r in runs:
        print(f"{r.name:<26}{r.wall_s:>8.1f}{r.cpu_s:>8.1f}{r.peak_mb:>9.0f}{r.load_before:>6.1f}")
    for what, value in ratios.items():
        print(f"{what}: {value}")


if __name__ == "__main__":
    main()
