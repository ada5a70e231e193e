"""Injected failures (``--faults``): what goes wrong, and on which upload chunk.

``503@N`` answers the Nth chunk with 503 backendError, ``reset@N`` drops the connection in the
middle of the Nth chunk, ``expire@N`` answers 404 (the session is forgotten), ``quota`` makes
``videos.insert`` answer 403 quotaExceeded. N counts chunk PUTs since the server started; status
queries (``Content-Range: bytes */TOTAL``) are not chunks.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from enum import StrEnum

from mlprod.sandbox.errors import SandboxSpecError

_EXAMPLE = "write 503@2,reset@4"


class FaultKind(StrEnum):
    UNAVAILABLE = "503"
    RESET = "reset"
    EXPIRE = "expire"
    QUOTA = "quota"


@dataclass(frozen=True)
class Fault:
    kind: FaultKind
    chunk: int | None = None
    """The 1-based chunk request it hits; None for ``quota``."""

    def __str__(self) -> str:
        return self.kind.value if self.chunk is None else f"{self.kind.value}@{self.chunk}"


def parse_faults(spec: str) -> list[Fault]:
    """Parse ``503@2,reset@4,expire@6,quota``; raise :class:`SandboxSpecError` with the fix."""
    faults: list[Fault] = []
    seen: dict[int, Fault] = {}
    for raw in spec.split(","):
        item = raw.strip()
        if not item:
            continue
        fault = _parse_one(item)
        if fault.chunk is not None:
            if fault.chunk in seen:
                raise SandboxSpecError(
                    f'--faults: "{item}": chunk {fault.chunk} already has {seen[fault.chunk]} — '
                    f"one fault per chunk, {_EXAMPLE}"
                )
            seen[fault.chunk] = fault
        faults.append(fault)
    return faults


def _parse_one(item: str) -> Fault:
    name, at, number = item.partition("@")
    try:
        kind = FaultKind(name.strip().lower())
    except ValueError:
        raise SandboxSpecError(
            f'--faults: "{item}": unknown fault "{name}" — use 503@N, reset@N, expire@N or quota '
            f"({_EXAMPLE})"
        ) from None
    if kind is FaultKind.QUOTA:
        if at:
            raise SandboxSpecError(
                f'--faults: "{item}": quota takes no @N (every videos.insert fails) — write quota'
            )
        return Fault(kind)
    if not at:
        raise SandboxSpecError(f'--faults: "{item}": say which chunk with @N — {_EXAMPLE}')
    number = number.strip()
    if not number.isdigit():
        raise SandboxSpecError(f'--faults: "{item}": N must be a whole number — {_EXAMPLE}')
    if int(number) < 1:
        raise SandboxSpecError(f'--faults: "{item}": chunks count from 1 — {_EXAMPLE}')
    return Fault(kind, int(number))


class FaultPlan:
    """Counts chunk requests and says which fault, if any, hits the current one. Thread-safe."""

    def __init__(self, faults: list[Fault]) -> None:
        self._by_chunk = {f.chunk: f for f in faults if f.chunk is not None}
        self.insert_quota = any(f.kind is FaultKind.QUOTA for f in faults)
        self.faults = list(faults)
        self.chunks_seen = 0
        self.fired: list[str] = []
        self._lock = threading.Lock()

    def next_chunk(self) -> Fault | None:
        """Count one chunk request; the fault planned for it, if any."""
        with self._lock:
            self.chunks_seen += 1
            fault = self._by_chunk.get(self.chunks_seen)
            if fault is not None:
                self.fired.append(str(fault))
            return fault

    def reset(self) -> None:
        with self._lock:
            self.chunks_seen = 0
            self.fired.clear()
