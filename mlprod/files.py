"""Writing files so that a crash leaves the old file or the new one, never half of either."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0o022)  # the only way to read it is to set it: put it straight back
    os.umask(mask)
    return mask


_UMASK = _umask()  # read once, at import, before any thread can race the set-and-restore


def write_atomic(path: Path, data: bytes | str, *, private: bool = False,
                 check: Callable[[Path], None] | None = None) -> Path:
    """Write ``data`` to a temporary file beside ``path``, flush it to disk, then rename it over.

    ``private`` keeps the file readable by its owner only (0600 from the first byte: tokens,
    secrets); otherwise it gets the usual mode from the umask. ``check(tmp)`` may inspect the
    written file and raise to keep ``path`` as it was.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)  # 0600
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data.encode("utf-8") if isinstance(data, str) else data)
            out.flush()
            os.fsync(out.fileno())
        if not private:
            tmp.chmod(0o666 & ~_UMASK)
        if check is not None:
            check(tmp)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path
