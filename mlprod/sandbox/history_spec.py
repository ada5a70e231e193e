"""``--history START:COUNT,END:COUNT``: the two points a made-up channel history joins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from mlprod.sandbox.errors import SandboxSpecError

_EXAMPLE = "e.g. 2020-03-16:600,2020-05-16:2300"


@dataclass(frozen=True)
class HistorySpec:
    start: date
    start_count: int
    end: date
    end_count: int

    def __str__(self) -> str:
        return f"{self.start}:{self.start_count},{self.end}:{self.end_count}"


def parse_history(spec: str) -> HistorySpec:
    """Parse ``START:COUNT,END:COUNT``; raise :class:`SandboxSpecError` with the fix."""
    items = [item.strip() for item in spec.split(",") if item.strip()]
    if len(items) != 2:
        raise SandboxSpecError(
            f'--history: "{spec}": write START:COUNT,END:COUNT (two dates), {_EXAMPLE}'
        )
    (start, start_count), (end, end_count) = (_parse_point(item) for item in items)
    if end <= start:
        raise SandboxSpecError(
            f"--history: the end date ({end}) must come after the start date ({start}), {_EXAMPLE}"
        )
    return HistorySpec(start, start_count, end, end_count)


def _parse_point(item: str) -> tuple[date, int]:
    day_text, colon, count_text = item.rpartition(":")
    if not colon or not day_text:
        raise SandboxSpecError(f'--history: "{item}": write DATE:COUNT, {_EXAMPLE}')
    try:
        day = date.fromisoformat(day_text.strip())
    except ValueError:
        raise SandboxSpecError(
            f'--history: "{item}": {day_text} is not a date — write YYYY-MM-DD, {_EXAMPLE}'
        ) from None
    count_text = count_text.strip()
    if not count_text.isdigit():
        raise SandboxSpecError(
            f'--history: "{item}": COUNT must be a whole number of subscribers, {_EXAMPLE}'
        )
    return day, int(count_text)
