"""Helpers for the cluster tests: worker processes, their process trees, what Redis says of tasks."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlprod import process


@dataclass
class WorkerProcess:
    """One `mlprod worker` started by a test, with its log."""

    name: str
    proc: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def rendered(self) -> int:
        return self.output().count("\nrendered ") + self.output().startswith("rendered ")

    def kill_tree(self) -> None:
        """SIGKILL the worker, its pool processes and their ffmpeg at once: a machine that dies."""
        for pid in [self.proc.pid, *descendants(self.proc.pid)]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill_tree()
        for pid in descendants(self.proc.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def start_worker(name: str, queue: str, shared: Path | str, folder: Path) -> WorkerProcess:
    log = folder / f"{name.split('@')[0]}.log"
    proc = process.spawn([sys.executable, "-m", "mlprod", "worker", "-c", "1", "-n", name, "--queue", queue,
                          "--shared", shared, "--scratch", folder / f"scratch-{name.split('@')[0]}"],
                         log_file=log)
    return WorkerProcess(name, proc, log)


def wait_for_workers(app: Any, names: set[str], workers: list[WorkerProcess], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for worker in workers:
            assert worker.proc.poll() is None, f"{worker.name} stopped:\n{worker.output()}"
        answered = {n for reply in app.control.ping(timeout=1.0) or [] for n in reply}
        if names <= answered:
            return
    raise AssertionError(f"workers {names} did not answer in {timeout} s")


def started_on(redis_client: Any) -> str | None:
    """The worker running a piece now, from the result backend's STARTED records."""
    for key in redis_client.scan_iter("celery-task-meta-*"):
        raw = redis_client.get(key)
        if raw:
            meta = json.loads(raw)
            if meta.get("status") == "STARTED":
                return str(meta["result"]["hostname"])
    return None


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
