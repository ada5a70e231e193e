"""Statistics sync and growth report on a big channel: three years of days, 500 videos.

    python benchmarks/bench_report.py                 # 2021-01-01 → 2023-12-31, 500 videos
    python benchmarks/bench_report.py --videos 120
    python benchmarks/bench_report.py --no-memory     # timings without tracemalloc's slowdown

The sandbox runs in a child process (its memory and CPU are not ours) with a history of
``--days`` days whose video count is raised to ``--videos`` (the generator makes one video per
ten days; the child swaps in a generator with more, nothing else changes). Measured in this
process, for the first sync, a second sync, and the report as .html, .csv and .pdf: wall and CPU
time (this process's; the CPU time holds on a busy machine), SQL statements (SQLAlchemy
``before_cursor_execute`` events; an executemany counts once), peak Python memory (tracemalloc),
and the API requests the sandbox answered. Prints one JSON object per step.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing as mp
import shutil
import sys
import tempfile
import time
import tracemalloc
import urllib.request
from pathlib import Path
from typing import Any


def _serve(queue: mp.Queue, spec_text: str, videos: int) -> None:
    import random

    from mlprod.sandbox import SandboxConfig, parse_history
    from mlprod.sandbox import history as history_module
    from mlprod.sandbox.server import serve

    original = history_module._past_videos

    def more_videos(rng: random.Random, spec: Any, n_days: int) -> Any:
        # the stock generator makes round(n_days / 10) videos: ask it for a longer span's worth,
        # then fold the publication days back into the history
        made, indexes, weights, minutes = original(rng, spec, n_days * videos * 10 // n_days)
        folded = sorted(index % n_days for index in indexes)
        folded[0] = 0
        made = [v.__class__(v.id, v.title, spec.start + dt.timedelta(days=i), v.duration_seconds)
                for v, i in zip(made, folded, strict=True)]
        return made, folded, weights, minutes

    history_module._past_videos = more_videos
    serve(SandboxConfig(history=parse_history(spec_text)), on_ready=queue.put)


def _sandbox_requests(url: str) -> int:
    with urllib.request.urlopen(f"{url}/_sandbox/state", timeout=30) as answer:
        return int(json.loads(answer.read())["requests"])


def measure(name: str, db: Any, url: str, work: Any, *, memory: bool = True) -> dict[str, Any]:
    from sqlalchemy import event

    statements = 0

    def count(*_args: Any) -> None:
        nonlocal statements
        statements += 1

    event.listen(db.engine, "before_cursor_execute", count)
    requests_before = _sandbox_requests(url)
    if memory:
        tracemalloc.start()
    started, cpu_started = time.perf_counter(), time.process_time()
    try:
        result = work()
    finally:
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        _, peak = tracemalloc.get_traced_memory() if memory else (0, None)
        tracemalloc.stop()
        event.remove(db.engine, "before_cursor_execute", count)
    row = {"step": name, "seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2),
           "sql_statements": statements,
           "peak_python_mb": round(peak / 2**20, 1) if peak is not None else None,
           "api_requests": _sandbox_requests(url) - requests_before - 1}  # less our own state request
    print(json.dumps(row | (result or {})), flush=True)
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--start", default="2021-01-01")
    parser.add_argument("--days", type=int, default=365 * 3)
    parser.add_argument("--videos", type=int, default=500)
    parser.add_argument("--no-pdf", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the workspace and reports, print where")
    parser.add_argument("--no-memory", action="store_true",
                        help="no tracemalloc: true timings for allocation-heavy steps (the PDF: WeasyPrint"
                             " runs in this process and tracemalloc slows it several times over)")
    args = parser.parse_args()

    from sqlalchemy import func, select

    from mlprod.jobs.report import write_report
    from mlprod.jobs.stats import sync_stats
    from mlprod.store import open_database
    from mlprod.store.models import DailyMetric, VideoMetric
    from mlprod.workspace import init_workspace
    from mlprod.youtube.auth import approve_by_fetching, login

    start = dt.date.fromisoformat(args.start)
    end = start + dt.timedelta(days=args.days - 1)
    spec = f"{start}:1200,{end}:9870"
    queue: mp.Queue = mp.Queue()
    child = mp.Process(target=_serve, args=(queue, spec, args.videos), daemon=True)
    child.start()
    folder = Path(tempfile.mkdtemp(prefix="bench-report-"))
    try:
        url = queue.get(timeout=60)
        settings = init_workspace(folder / "ws").settings.with_overrides(youtube_url=url)
        login(settings, approve=approve_by_fetching)
        db = open_database(settings.database_url)
        print(json.dumps({"history": spec, "videos": args.videos}), flush=True)

        def sync() -> dict[str, Any]:
            result = sync_stats(settings, db)
            return {"days_stored": result.days_stored, "video_rows": result.video_rows,
                    "videos_known": result.videos_known, "subscribers": result.subscribers}

        measure("first sync", db, url, sync, memory=not args.no_memory)
        measure("second sync", db, url, sync, memory=not args.no_memory)
        with db.transaction() as session:
            rows = {"daily_rows": session.scalar(select(func.count()).select_from(DailyMetric)),
                    "video_rows": session.scalar(select(func.count()).select_from(VideoMetric))}
        print(json.dumps(rows), flush=True)
        formats = ["html", "csv"] + ([] if args.no_pdf else ["pdf"])
        for kind in formats:
            output = folder / f"rapport.{kind}"

            def report(output: Path = output) -> dict[str, Any]:
                write_report(settings, db, output, start, end)
                return {"bytes": output.stat().st_size}

            measure(f"report .{kind} ({args.days} days)", db, url, report, memory=not args.no_memory)
        db.close()
    finally:
        child.terminate()
        child.join(timeout=10)
        if args.keep:
            print(json.dumps({"kept": str(folder)}), flush=True)
        else:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
