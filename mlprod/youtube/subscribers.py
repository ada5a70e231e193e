"""Exact subscriber counts from YouTube's figures: pure arithmetic, no I/O.

YouTube shows a channel's subscriber count rounded down to three significant figures; the
Analytics API gives each day's gains and losses. From the channel's creation (0 subscribers),
gains minus losses are the exact count; the rounded counts only check it — or, when the figures
miss part of the channel's life, tell how many subscribers came before them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Anchor:
    subscribers_before: int
    margin: int
    warning: str | None = None


def chunks(first: dt.date, last: dt.date, size: int) -> Iterator[tuple[dt.date, dt.date]]:
    """``first``..``last`` in runs of at most ``size`` days."""
    while first <= last:
        end = min(first + dt.timedelta(days=size - 1), last)
        yield first, end
        first = end + dt.timedelta(days=1)


def days_between(first: dt.date, last: dt.date) -> Iterator[dt.date]:
    for offset in range((last - first).days + 1):
        yield first + dt.timedelta(days=offset)


def rounding_step(shown: int) -> int:
    """How far above YouTube's rounded-down count the exact one may be (2340 → up to 2349)."""
    return 1 if shown < 1000 else 10 ** (len(str(shown)) - 3)


def net_through(cumulative: Sequence[tuple[dt.date, int]], day: dt.date) -> int:
    """Gains minus losses from the first day through ``day``, from running totals sorted by day
    (binary search)."""
    low, high = 0, len(cumulative)
    while low < high:
        mid = (low + high) // 2
        if cumulative[mid][0] <= day:
            low = mid + 1
        else:
            high = mid
    return cumulative[low - 1][1] if low else 0


def anchor_from_snapshots(snapshots: Iterable[tuple[dt.date, int]], net_through: Callable[[dt.date], int],
                          synced_through: dt.date) -> Anchor:
    """The channel's count before its first Analytics day: 0, unless YouTube's rounded counts show
    that the Analytics figures miss part of the channel's life.

    The sync reads the Analytics from the channel's creation, when it had no subscriber: the exact
    count at the end of a day is the sum of the gains minus the losses through that day, and each
    count YouTube showed (``shown``, rounded down) only checks it. A snapshot taken on ``day`` (at
    some moment of it: the count then is the one at the end of the day before or of ``day``, for
    all we know) must lie in ``shown .. shown + step - 1``. Snapshots of days the API has not
    delivered yet are not compared: the figures of the days up to them are unknown (the next sync
    compares them).

    * The figures fit every snapshot: ``before`` is 0.
    * They explain fewer subscribers than YouTube shows (a channel whose Analytics do not go back to
      its creation): ``before`` is deduced, the lowest value the snapshots' intervals allow, with the
      interval's width as the margin — the fallback the report warns about.
    * They explain more (YouTube removed spam subscribers without counting them as lost, or revised
      days read long ago): the figures are kept, with a warning.
    """
    bounds = []
    for day, shown in snapshots:
        if day > synced_through:
            continue
        nets = (net_through(day - dt.timedelta(days=1)), net_through(day))
        bounds.append((shown - max(nets), shown + rounding_step(shown) - 1 - min(nets)))
    if not bounds:
        return Anchor(0, 0)
    low, high = max(b[0] for b in bounds), min(b[1] for b in bounds)
    if low > high:
        low, high = bounds[-1]
        warning = ("YouTube's rounded subscriber counts disagree with the Analytics gains and losses"
                   " (YouTube may have removed spam subscribers); the latest count was used")
        return Anchor(max(low, 0), max(high - max(low, 0), 0), warning)
    if low <= 0 <= high:
        return Anchor(0, 0)
    if high < 0:
        return Anchor(0, 0, f"the Analytics figures count {-high} more subscribers than YouTube shows"
                            " (YouTube may have removed spam subscribers, or revised older days) — run"
                            " `mlprod stats sync --full` to read the whole history again")
    return Anchor(low, high - low)
