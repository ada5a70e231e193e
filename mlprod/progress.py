"""A progress bar with ETA for long work (render, upload, sync); silent when not on a terminal.

Library functions take a plain callback ``(done, total)``; the CLI passes ``bar.update``.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

WIDTH = 28
REDRAW_EVERY = 0.1


def _clock(seconds: float) -> str:
    seconds = max(int(seconds), 0)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def _amount(value: float, unit: str) -> str:
    if unit == "bytes":
        return f"{value / 1e6:,.1f} MB"
    if unit == "s":
        return _clock(value)
    return f"{value:,.0f} {unit}".rstrip()


class ProgressBar:
    """``label [#####.....]  45%  0:00:12/0:00:30  ETA 0:00:15``, redrawn in place on stderr."""

    def __init__(self, label: str, *, unit: str = "s", stream: TextIO | None = None,
                 enabled: bool | None = None) -> None:
        self.label = label
        self.unit = unit
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.started = time.monotonic()
        self._last_draw = 0.0
        self._drawn = False
        self.done = 0.0
        self.total = 0.0

    def update(self, done: float, total: float) -> None:
        self.done, self.total = done, total
        now = time.monotonic()
        if self.enabled and (now - self._last_draw >= REDRAW_EVERY or done >= total):
            self._last_draw = now
            self._draw(now)

    def _draw(self, now: float) -> None:
        share = min(self.done / self.total, 1.0) if self.total else 0.0
        filled = int(share * WIDTH)
        elapsed = now - self.started
        eta = elapsed * (1 - share) / share if share > 0.01 else None
        rate = ""
        if self.unit == "bytes" and elapsed > 0:
            rate = f"  {self.done / elapsed / 1e6:,.1f} MB/s"
        line = (f"\r{self.label} [{'#' * filled}{'.' * (WIDTH - filled)}] {share:4.0%}"
                f"  {_amount(self.done, self.unit)}/{_amount(self.total, self.unit)}{rate}"
                f"  ETA {_clock(eta) if eta is not None else '--:--:--'}")
        self.stream.write(line)
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
