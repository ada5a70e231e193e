"""The one wrapper around external processes. Nothing else in mlprod imports ``subprocess``.

Argument lists only (never a shell), the command logged with ``shlex.join``, the return code
checked, and the tail of stderr carried into the error so the user sees what went wrong.
"""

from __future__ import annotations

import collections
import logging
import shlex
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from mlprod.errors import MlprodError

log = logging.getLogger(__name__)
TAIL_LINES = 25


@dataclass(frozen=True)
class Finished:
    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr_tail: str


def _drain(stream: object, keep: collections.deque[str], on_line: Callable[[str], None] | None) -> None:
    for raw in stream:  # type: ignore[attr-defined]
        line = raw.decode("utf-8", "replace").rstrip("\r\n")
        keep.append(line)
        if on_line is not None:
            on_line(line)


def run(
    args: Sequence[str | Path],
    *,
    what: str,
    error: type[MlprodError] = MlprodError,
    on_stdout_line: Callable[[str], None] | None = None,
    cwd: Path | None = None,
    check: bool = True,
    timeout: float | None = None,
    cancel: threading.Event | None = None,
) -> Finished:
    """Run ``args``; raise ``error`` naming ``what`` with stderr's tail when it fails.

    stdout is streamed line by line to ``on_stdout_line`` (ffmpeg's ``-progress pipe:1``) and
    kept; stderr keeps only its last lines so a long render does not fill memory. Setting
    ``cancel`` (from another thread) kills the child and raises ``error``.
    """
    argv = [str(a) for a in args]
    log.debug("run: %s", shlex.join(argv))
    out_lines: collections.deque[str] = collections.deque(maxlen=10_000)
    err_lines: collections.deque[str] = collections.deque(maxlen=TAIL_LINES)
    try:
        proc = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd
        )
    except OSError as err:
        raise error(f"{what}: cannot start {argv[0]} ({err.strerror}) — check that it is installed") from err
    readers = [
        threading.Thread(target=_drain, args=(proc.stdout, out_lines, on_stdout_line), daemon=True),
        threading.Thread(target=_drain, args=(proc.stderr, err_lines, None), daemon=True),
    ]
    for t in readers:
        t.start()
    try:
        _wait(proc, timeout, cancel)
    except BaseException:  # Ctrl-C, timeout or cancelled: never leave the child behind
        proc.kill()
        proc.wait()
        raise
    finally:
        for t in readers:
            t.join()
    tail = "\n".join(line for line in err_lines if line.strip())
    if cancel is not None and cancel.is_set():
        raise error(f"{what}: cancelled")
    if check and proc.returncode != 0:
        raise error(f"{what} failed (exit code {proc.returncode}):\n{tail}")
    return Finished(tuple(argv), proc.returncode, "\n".join(out_lines), tail)


def _wait(proc: subprocess.Popen[bytes], timeout: float | None, cancel: threading.Event | None) -> None:
    if cancel is None:
        proc.wait(timeout=timeout)
        return
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        try:
            proc.wait(timeout=0.1)
            return
        except subprocess.TimeoutExpired:
            if cancel.is_set():
                proc.kill()
                proc.wait()
                return
            if deadline is not None and time.monotonic() > deadline:
                raise


def spawn(args: Sequence[str | Path], *, log_file: Path | None = None) -> subprocess.Popen[bytes]:
    """Start a long-running helper process (a server) in the background."""
    argv = [str(a) for a in args]
    log.debug("spawn: %s", shlex.join(argv))
    out = open(log_file, "ab") if log_file else subprocess.DEVNULL  # noqa: SIM115
    return subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
