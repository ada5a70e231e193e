"""Workspace locks: two runs of the same job must not race (two uploads of one recipe)."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator

from mlprod.config import Settings
from mlprod.errors import MlprodError


@contextlib.contextmanager
def workspace_lock(settings: Settings, name: str, what: str, error: type[MlprodError]) -> Iterator[None]:
    """Hold ``.mlprod/<name>.lock`` for the block, or fail at once naming ``what`` is running.

    The kernel releases the lock when the process dies, even by SIGKILL: no stale lock to clean.
    """
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(settings.state_dir / f"{name}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise error(f"another `{what}` is running in this workspace ({settings.root}) —"
                        " wait for it to finish, then run this again") from None
        yield
    finally:
        os.close(fd)
