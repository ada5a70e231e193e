"""Injected failures (``--faults``): what goes wrong, and on which request.

YouTube (N counts upload chunk PUTs; status queries ``bytes */TOTAL`` are not chunks):
``503@N`` answers the Nth chunk with 503 backendError, ``reset@N`` drops the connection in the
middle of the Nth chunk, ``expire@N`` answers 404 (the session is forgotten), ``quota`` makes
``videos.insert`` answer 403 quotaExceeded.

Meta (Facebook and Instagram, see :mod:`mlprod.sandbox.meta`):
``fb503@N`` / ``fbreset@N`` answer 503 to, or drop in its middle (keeping the bytes read so far),
the Nth Facebook upload request (Reel bytes and resumable-upload bytes); ``ig503@N`` /
``igreset@N`` the same for the Nth Instagram upload request; ``igerror@N`` makes the Nth
Instagram container end in status ERROR; ``graph4@N`` answers the Nth Graph API call (uploads
aside) with error code 4, "Application request limit reached".

Discord (see :mod:`mlprod.sandbox.discord`): ``discord429@N`` answers the Nth webhook request
with 429 and a ``retry_after``; ``discord503@N`` with 503; ``discordreset@N`` carries it out (the
message is posted) and drops the connection before answering.

Each N counts its own kind of request since the server started (or ``/_sandbox/reset``).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from enum import StrEnum

from mlprod.sandbox.errors import SandboxSpecError

_EXAMPLE = "write 503@2,reset@4"


class Counter(StrEnum):
    """What the N of a fault counts."""

    YOUTUBE_CHUNK = "chunk"
    FACEBOOK_UPLOAD = "Facebook upload request"
    INSTAGRAM_UPLOAD = "Instagram upload request"
    INSTAGRAM_CONTAINER = "Instagram container"
    GRAPH_CALL = "Graph API call"
    DISCORD_REQUEST = "Discord webhook request"


class FaultKind(StrEnum):
    UNAVAILABLE = "503"
    RESET = "reset"
    EXPIRE = "expire"
    QUOTA = "quota"
    FACEBOOK_UNAVAILABLE = "fb503"
    FACEBOOK_RESET = "fbreset"
    INSTAGRAM_UNAVAILABLE = "ig503"
    INSTAGRAM_RESET = "igreset"
    INSTAGRAM_ERROR = "igerror"
    GRAPH_RATE_LIMIT = "graph4"
    DISCORD_RATE_LIMIT = "discord429"
    DISCORD_UNAVAILABLE = "discord503"
    DISCORD_RESET = "discordreset"

    @property
    def counter(self) -> Counter | None:
        """What its N counts (None for ``quota``, which takes no N)."""
        return _COUNTERS.get(self)


_COUNTERS = {
    FaultKind.UNAVAILABLE: Counter.YOUTUBE_CHUNK,
    FaultKind.RESET: Counter.YOUTUBE_CHUNK,
    FaultKind.EXPIRE: Counter.YOUTUBE_CHUNK,
    FaultKind.FACEBOOK_UNAVAILABLE: Counter.FACEBOOK_UPLOAD,
    FaultKind.FACEBOOK_RESET: Counter.FACEBOOK_UPLOAD,
    FaultKind.INSTAGRAM_UNAVAILABLE: Counter.INSTAGRAM_UPLOAD,
    FaultKind.INSTAGRAM_RESET: Counter.INSTAGRAM_UPLOAD,
    FaultKind.INSTAGRAM_ERROR: Counter.INSTAGRAM_CONTAINER,
    FaultKind.GRAPH_RATE_LIMIT: Counter.GRAPH_CALL,
    FaultKind.DISCORD_RATE_LIMIT: Counter.DISCORD_REQUEST,
    FaultKind.DISCORD_UNAVAILABLE: Counter.DISCORD_REQUEST,
    FaultKind.DISCORD_RESET: Counter.DISCORD_REQUEST,
}
_NAMES = ", ".join(f"{k.value}@N" for k in FaultKind if k is not FaultKind.QUOTA) + " or quota"


@dataclass(frozen=True)
class Fault:
    kind: FaultKind
    chunk: int | None = None
    """The 1-based request it hits, counted by ``kind.counter``; None for ``quota``."""

    def __str__(self) -> str:
        return self.kind.value if self.chunk is None else f"{self.kind.value}@{self.chunk}"


def parse_faults(spec: str) -> list[Fault]:
    """Parse ``503@2,reset@4,fbreset@1,quota``; raise :class:`SandboxSpecError` with the fix."""
    faults: list[Fault] = []
    seen: dict[tuple[Counter, int], Fault] = {}
    for raw in spec.split(","):
        item = raw.strip()
        if not item:
            continue
        fault = _parse_one(item)
        counter = fault.kind.counter
        if counter is not None and fault.chunk is not None:
            if (counter, fault.chunk) in seen:
                raise SandboxSpecError(
                    f'--faults: "{item}": {counter.value} {fault.chunk} already has '
                    f"{seen[counter, fault.chunk]} — one fault per request, {_EXAMPLE}"
                )
            seen[counter, fault.chunk] = fault
        faults.append(fault)
    return faults


def _parse_one(item: str) -> Fault:
    name, at, number = item.partition("@")
    try:
        kind = FaultKind(name.strip().lower())
    except ValueError:
        raise SandboxSpecError(
            f'--faults: "{item}": unknown fault "{name}" — use {_NAMES} ({_EXAMPLE})'
        ) from None
    if kind is FaultKind.QUOTA:
        if at:
            raise SandboxSpecError(
                f'--faults: "{item}": quota takes no @N (every videos.insert fails) — write quota'
            )
        return Fault(kind)
    counter = kind.counter.value if kind.counter else "request"
    if not at:
        raise SandboxSpecError(f'--faults: "{item}": say which {counter} with @N — {_EXAMPLE}')
    number = number.strip()
    if not number.isdigit():
        raise SandboxSpecError(f'--faults: "{item}": N must be a whole number — {_EXAMPLE}')
    if int(number) < 1:
        raise SandboxSpecError(f'--faults: "{item}": {counter}s count from 1 — {_EXAMPLE}')
    return Fault(kind, int(number))


class FaultPlan:
    """Counts requests of each kind and says which fault, if any, hits the current one. Thread-safe."""

    def __init__(self, faults: list[Fault]) -> None:
        self._planned: dict[tuple[Counter, int], Fault] = {}
        for fault in faults:
            if fault.kind.counter is not None and fault.chunk is not None:
                self._planned[fault.kind.counter, fault.chunk] = fault
        self.insert_quota = any(f.kind is FaultKind.QUOTA for f in faults)
        self.faults = list(faults)
        self.seen: dict[Counter, int] = dict.fromkeys(Counter, 0)
        self.fired: list[str] = []
        self._lock = threading.Lock()

    def next(self, counter: Counter) -> Fault | None:
        """Count one request of this kind; the fault planned for it, if any."""
        with self._lock:
            self.seen[counter] += 1
            fault = self._planned.get((counter, self.seen[counter]))
            if fault is not None:
                self.fired.append(str(fault))
            return fault

    def next_chunk(self) -> Fault | None:
        """Count one YouTube chunk request; the fault planned for it, if any."""
        return self.next(Counter.YOUTUBE_CHUNK)

    @property
    def chunks_seen(self) -> int:
        return self.seen[Counter.YOUTUBE_CHUNK]

    def reset(self) -> None:
        with self._lock:
            self.seen = dict.fromkeys(Counter, 0)
            self.fired.clear()
