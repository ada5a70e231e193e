"""What a sandbox run is asked to do: :class:`SandboxConfig`, parsed once from the command line."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from mlprod.sandbox.costs import DAILY_QUOTA, DEFAULT_COST_TABLE, cost_table
from mlprod.sandbox.errors import SandboxSpecError
from mlprod.sandbox.faults import Fault, parse_faults
from mlprod.sandbox.history_spec import HistorySpec, parse_history


def utc_now() -> datetime:
    return datetime.now(UTC)


Clock = Callable[[], datetime]
"""Returns the current time, timezone-aware. Tests pass their own to move time forward."""


@dataclass(frozen=True)
class SandboxConfig:
    host: str = "127.0.0.1"
    port: int = 0
    """0 picks a free port."""
    state_file: Path | None = None
    """Load the channel from this JSON file at start, save it after each change."""
    faults: Sequence[Fault] = ()
    throttle_kbps: int | None = None
    """Read upload bodies no faster than this many kilobits per second."""
    history: HistorySpec | None = None
    quota: int = DAILY_QUOTA
    costs: str | Mapping[str, int] = DEFAULT_COST_TABLE
    """``2026`` (videos.insert 100), ``legacy`` (1600), or a table of its own."""
    token_lifetime: int = 3600
    """Seconds an access token stays valid."""
    verified_channel: bool = True
    """An unverified channel cannot set custom thumbnails (403 forbidden)."""
    clock: Clock = field(default=utc_now, compare=False)

    @classmethod
    def from_options(
        cls,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        state: Path | str | None = None,
        faults: str | None = None,
        throttle_kbps: int | None = None,
        history: str | None = None,
        quota: int = DAILY_QUOTA,
        costs: str = DEFAULT_COST_TABLE,
    ) -> SandboxConfig:
        """From ``mlprod sandbox serve`` options as typed; :class:`SandboxSpecError` says the fix."""
        if throttle_kbps is not None and throttle_kbps <= 0:
            raise SandboxSpecError(f"--throttle-kbps {throttle_kbps}: give a positive rate, e.g. 2000")
        if quota < 0:
            raise SandboxSpecError(f"--quota {quota}: give the daily units, e.g. 10000")
        cost_table(costs)  # an unknown table name fails here, before the server starts
        return cls(
            host=host,
            port=port,
            state_file=Path(state) if state else None,
            faults=tuple(parse_faults(faults or "")),
            throttle_kbps=throttle_kbps,
            history=parse_history(history) if history else None,
            quota=quota,
            costs=costs,
        )
