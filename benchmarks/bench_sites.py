"""Sites in one database: what the binding to a site costs, and the regional report over many sites.

    python benchmarks/bench_sites.py                       # 30 sites, a year of days, 40 videos each
    python benchmarks/bench_sites.py --sites 5 --days 90
    python benchmarks/bench_sites.py --database-url postgresql+psycopg://user:pass@host/db   # empty db

Each site's statistics are written straight into the store through a session bound to the site
(Core executemany, as `mlprod stats sync` writes them): a year of daily figures, and per-video
figures for ``--videos`` videos on every day. Measured in this process, wall and CPU time and SQL
statements (SQLAlchemy ``before_cursor_execute`` events; an executemany counts once):

* one ORM statement, 2,000 times, through a session bound to a site, and through a plain session
  on the same engine with ``site = …`` written in the query (the price of the hook and the loader
  criteria against the same SQL);
* one site's growth report (.html) with only that site in the database, then with all of them;
* `mlprod report --network` (.html and .csv) over every site.

Prints one JSON object per step.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def measure(name: str, engine: Any, work: Callable[[], dict[str, Any] | None]) -> dict[str, Any]:
    from sqlalchemy import event

    statements = 0

    def count(*_args: Any) -> None:
        nonlocal statements
        statements += 1

    event.listen(engine, "before_cursor_execute", count)
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        extra = work() or {}
    finally:
        event.remove(engine, "before_cursor_execute", count)
    row = {"step": name, "wall_s": round(time.perf_counter() - wall, 3),
           "cpu_s": round(time.process_time() - cpu, 3), "sql_statements": statements, **extra}
    print(json.dumps(row, ensure_ascii=False), flush=True)
    return row


def seed_site(url: str, site: str, start: dt.date, days: int, videos: int, rng: random.Random) -> None:
    from sqlalchemy import Table, insert

    from mlprod.store import open_database
    from mlprod.store.models import ChannelVideo, DailyMetric, SyncState, VideoMetric

    db = open_database(url, site)
    daily, per_video = DailyMetric.__table__, VideoMetric.__table__
    assert isinstance(daily, Table) and isinstance(per_video, Table)
    now = dt.datetime.now(dt.UTC)
    ids = [f"{site[:4]}{n:07d}" for n in range(videos)]
    day_rows, video_rows = [], []
    for offset in range(days):
        day = start + dt.timedelta(days=offset)
        day_rows.append({"day": day, "views": rng.randint(50, 900), "minutes_watched": rng.randint(100, 3000),
                         "subscribers_gained": rng.randint(0, 12), "subscribers_lost": rng.randint(0, 3),
                         "synced_at": now})
        video_rows += [{"youtube_id": vid, "day": day, "views": rng.randint(0, 60), "minutes_watched": 10,
                        "subscribers_gained": rng.randint(0, 1), "subscribers_lost": 0, "synced_at": now}
                       for vid in ids]
    with db.transaction() as session:
        session.add(SyncState(channel_id=f"UC{site}", channel_title=f"Chaîne {site}", channel_started=start,
                              synced_through=start + dt.timedelta(days=days - 1), subscribers_before=100))
        session.add_all(ChannelVideo(youtube_id=vid, title=f"Vidéo {n} de {site}")
                        for n, vid in enumerate(ids))
        session.execute(insert(daily), day_rows)
        session.execute(insert(per_video), video_rows)
    db.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sites", type=int, default=30)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--videos", type=int, default=40, help="videos with figures every day, per site")
    parser.add_argument("--database-url", help="an empty database (default: SQLite in a temporary folder)")
    args = parser.parse_args()

    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from mlprod.config import CONFIG_NAME, load_settings
    from mlprod.jobs.report import write_network_report, write_report
    from mlprod.store import open_database
    from mlprod.store.models import DailyMetric
    from mlprod.workspace import init_workspace

    folder = Path(tempfile.mkdtemp(prefix="bench-sites-"))
    try:
        root = init_workspace(folder / "ws").settings.root
        sites = [f"ml-{n:02d}" for n in range(args.sites)]
        with (root / CONFIG_NAME).open("a", encoding="utf-8") as config:
            config.writelines(f'\n[sites.{site}]\nname = "Mission Locale {site}"\n' for site in sites)
        env = {"MLPROD_DATABASE_URL": args.database_url} if args.database_url else {}
        url = load_settings(root, env).database_url
        start = dt.date(2025, 1, 1)
        end = start + dt.timedelta(days=args.days - 1)
        rng = random.Random(7)
        print(json.dumps({"sites": args.sites, "days": args.days, "videos_per_site": args.videos,
                          "database": url.split("@")[-1].split(":")[0]}), flush=True)

        first = sites[0]
        seed_site(url, first, start, args.days, args.videos, rng)
        settings = load_settings(root, env, site=first)
        db = open_database(url, first)
        write_report(settings, db, folder / "warm-up.html", start, end)  # templates, imports: not timed
        measure("one site's report .html, 1 site in the database", db.engine,
                lambda: {"bytes": write_report(settings, db, folder / "one.html", start, end).stat().st_size})

        wall = time.perf_counter()
        for site in sites[1:]:
            seed_site(url, site, start, args.days, args.videos, rng)
        print(json.dumps({"step": f"seeded {args.sites - 1} more sites",
                          "wall_s": round(time.perf_counter() - wall, 1)}), flush=True)
        measure(f"one site's report .html, {args.sites} sites in the database", db.engine,
                lambda: {"bytes": write_report(settings, db, folder / "one.html", start, end).stat().st_size})

        query = select(DailyMetric).where(DailyMetric.day == start + dt.timedelta(days=10))

        def repeat(session: Session, statement: Any) -> dict[str, Any]:
            for _ in range(2000):
                session.scalars(statement).all()
            return {"rows": len(session.scalars(statement).all())}

        with db.transaction() as bound:
            measure("2000 selects, session bound to a site", db.engine, lambda: repeat(bound, query))
        with Session(db.engine) as plain:
            written = query.where(DailyMetric.site == first)
            measure("2000 selects, plain session, site = … written in", db.engine,
                    lambda: repeat(plain, written))
        db.close()

        network = open_database(url, every_site=True)
        for kind in ("html", "csv"):
            output = folder / f"reseau.{kind}"
            measure(f"report --network .{kind}, {args.sites} sites", network.engine,
                    lambda output=output: {"bytes": write_network_report(
                        settings, network, output, start, end).stat().st_size})
        network.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
