"""Leftovers of uploads cut short: the ``.part`` files in media/offres/.incoming.

A running server removes its own whenever a form is refused or cut off; a killed one (SIGKILL, a
power cut) leaves its uploads' files behind. Each running server holds a shared lock on
``.mlprod/intake-server.lock`` for its whole life, so a server that starts and can take that lock
exclusively knows that no other server, hence no upload, is running on this workspace: every
``.part`` file is a leftover, and goes. With another server running, only files untouched for a day
go (a live upload writes to its file all the time). The kernel releases the lock of a killed
process: no stale lock to clean.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import time
from pathlib import Path

from mlprod.config import Settings

log = logging.getLogger(__name__)
LOCK_NAME = "intake-server.lock"
STALE_SECONDS = 24 * 3600


def _remove(folder: Path, older_than: float | None) -> int:
    removed = 0
    if not folder.is_dir():
        return removed
    for leftover in folder.glob("*.part"):
        with contextlib.suppress(OSError):
            if older_than is None or time.time() - leftover.stat().st_mtime > older_than:
                leftover.unlink()
                removed += 1
    return removed


def claim_incoming(settings: Settings, folder: Path) -> int:
    """Mark this server as running (a shared lock, held until :func:`release`) and remove the
    leftovers it safely can; return the lock's file descriptor."""
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(settings.state_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        alone = False
    else:
        alone = True
    removed = _remove(folder, None if alone else STALE_SECONDS)
    fcntl.flock(fd, fcntl.LOCK_SH)  # from exclusive (or nothing) to shared: other servers may start now
    if removed:
        log.info("intake: removed %d unfinished upload(s) left in %s by a server that was stopped"
                 " mid-upload", removed, folder)
    return fd


def release(fd: int) -> None:
    os.close(fd)
