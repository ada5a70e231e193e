"""Running ffmpeg: which binary, and one call that reports progress and fails clearly."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path

from mlprod import process
from mlprod.errors import MlprodError, RenderError

ProgressCallback = Callable[[float, float], None]
"""Called with (seconds done, seconds total)."""


@cache
def _bundled() -> str:
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


def ffmpeg_binary(override: str | None = None) -> str:
    """The ffmpeg to run: an explicit override, ``MLPROD_FFMPEG``, or imageio-ffmpeg's build."""
    return override or os.environ.get("MLPROD_FFMPEG") or _bundled()


def _progress_parser(total: float, progress: ProgressCallback) -> Callable[[str], None]:
    def on_line(line: str) -> None:
        key, _, value = line.partition("=")
        if key in ("out_time_us", "out_time_ms") and value.strip().lstrip("-").isdigit():
            # both keys are in microseconds (out_time_ms is misnamed in ffmpeg)
            progress(min(max(int(value) / 1e6, 0.0), total), total)
        elif key == "progress" and value.strip() == "end":
            progress(total, total)

    return on_line


def run_ffmpeg(
    args: Sequence[str | Path],
    *,
    what: str,
    duration: float | None = None,
    progress: ProgressCallback | None = None,
    binary: str | None = None,
    error: type[MlprodError] = RenderError,
    cancel: threading.Event | None = None,
) -> process.Finished:
    """Run ffmpeg with ``args`` (inputs, filters, outputs); progress parsed from ``-progress``.

    Setting ``cancel`` from another thread stops it (see :func:`mlprod.process.run`)."""
    argv: list[str | Path] = [ffmpeg_binary(binary), "-hide_banner", "-nostdin", "-y", "-v", "error"]
    on_line = None
    if progress is not None and duration:
        argv += ["-progress", "pipe:1", "-nostats"]
        on_line = _progress_parser(duration, progress)
    argv += list(args)
    return process.run(argv, what=what, error=error, on_stdout_line=on_line, cancel=cancel)
