"""A render worker: a Celery worker on the render queue, one piece per core at a time.

It checks what it needs before it listens (the shared storage is there, ffmpeg answers), says where
it listens, then logs one line per piece. Each piece runs in a pool process; killed, its piece goes
back on the queue (see app.py).
"""

from __future__ import annotations

import logging
import os
import socket
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mlprod.cluster.app import PROTOCOL, QUEUE, make_app, shown
from mlprod.cluster.storage import open_storage
from mlprod.cluster.tasks import WorkerContext, register
from mlprod.errors import ConfigError
from mlprod.render.build import renderer_identity


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


@dataclass(frozen=True)
class WorkerOptions:
    queue: str
    shared: str
    concurrency: int
    name: str
    scratch: Path
    ffmpeg: str | None = None

    @classmethod
    def make(cls, queue: str | None, shared: str | None, *, concurrency: int | None = None,
             name: str | None = None, scratch: Path | None = None,
             ffmpeg: str | None = None) -> WorkerOptions:
        if queue is None:
            raise ConfigError("no render queue: give --queue redis://host:6379/0, set MLPROD_RENDER_QUEUE,"
                              " or render.queue in the workspace's mlprod.toml")
        if shared is None:
            raise ConfigError("no shared storage: give --shared FOLDER (or s3://bucket/prefix), set"
                              " MLPROD_RENDER_SHARED, or render.shared in the workspace's mlprod.toml")
        if not shared.startswith("s3://") and not Path(shared).is_dir():
            raise ConfigError(f"{shared}: the shared folder is not there on this machine — mount it, or"
                              " name where it is mounted with --shared")
        if concurrency is not None and concurrency < 1:
            raise ConfigError(f"-c/--concurrency: {concurrency} — render at least one piece at a time")
        return cls(queue, shared, concurrency or cores(), name or f"mlprod@{socket.gethostname()}",
                   scratch or Path(tempfile.gettempdir()) / "mlprod-worker", ffmpeg)


def run_worker(options: WorkerOptions, say: Callable[[str], None]) -> None:
    """Listen on the render queue until stopped (Ctrl-C or SIGTERM: the running pieces finish first)."""
    options.scratch.mkdir(parents=True, exist_ok=True)
    renderer = renderer_identity(options.ffmpeg)  # fails now, clearly, when ffmpeg is missing
    app = make_app(options.queue)
    register(app, WorkerContext(open_storage(options.shared, options.scratch), options.scratch,
                                options.ffmpeg))
    logging.getLogger("mlprod.cluster").setLevel(logging.INFO)
    say(f"mlprod worker {options.name}: listening on {shown(options.queue)} (queue {QUEUE}),"
        f" {options.concurrency} piece(s) at a time, shared storage {options.shared}")
    say(f"  mlprod {PROTOCOL.replace('|', ', renderer ')}; {renderer.split('|', 1)[1]}")
    worker = app.Worker(hostname=options.name, concurrency=options.concurrency, pool="prefork",
                        queues=[QUEUE], loglevel="WARNING", quiet=True, without_gossip=True,
                        without_mingle=True, optimization="fair")
    worker.start()
