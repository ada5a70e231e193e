"""What each YouTube API method costs in quota units, as the sandbox charges it (from YOUTUBE.md).

The publisher keeps its own table in ``mlprod/youtube/quota_costs.py``. The duplication is
deliberate: the sandbox is the other side of the wire, written from Google's documentation, so a
wrong cost in the client shows up as a failing test instead of being agreed with.

Costs change: ``videos.insert`` cost 1600 units for years (``legacy``), then 100 (``2026``; since
June 2026 Google also counts it in a bucket of its own, which the sandbox does not imitate).
"""

from __future__ import annotations

from collections.abc import Mapping
from zoneinfo import ZoneInfo

from mlprod.sandbox.errors import SandboxSpecError

DAILY_QUOTA = 10_000
"""Default daily budget of a Google Cloud project."""

QUOTA_TIMEZONE = ZoneInfo("America/Los_Angeles")
"""The quota day is the date in California: the budget resets at midnight there."""

INVALID_REQUEST_COST = 1
"""A request the API rejects as invalid still costs (at least) this much."""

COSTS_2026: dict[str, int] = {
    "youtube.videos.insert": 100,
    "youtube.videos.list": 1,
    "youtube.videos.update": 50,
    "youtube.videos.delete": 50,
    "youtube.channels.list": 1,
    "youtube.playlists.list": 1,
    "youtube.playlists.insert": 50,
    "youtube.playlists.update": 50,
    "youtube.playlists.delete": 50,
    "youtube.playlistItems.list": 1,
    "youtube.playlistItems.insert": 50,
    "youtube.playlistItems.update": 50,
    "youtube.playlistItems.delete": 50,
    "youtube.thumbnails.set": 50,
    "youtube.captions.list": 50,
    "youtube.captions.insert": 400,
    "youtube.captions.update": 450,
    "youtube.captions.delete": 50,
    # The Analytics API has a quota of its own: a report costs nothing from the Data API budget.
    "youtubeAnalytics.reports.query": 0,
}

COSTS_LEGACY: dict[str, int] = {**COSTS_2026, "youtube.videos.insert": 1600}

COST_TABLES: dict[str, dict[str, int]] = {"2026": COSTS_2026, "legacy": COSTS_LEGACY}
DEFAULT_COST_TABLE = "2026"

_READ_COST = 1
_WRITE_COST = 50
_READ_VERBS = frozenset({"list", "get", "query"})


def cost_table(name_or_table: str | Mapping[str, int]) -> dict[str, int]:
    """The table called ``2026`` or ``legacy``, or a copy of a given one; the fix if unknown."""
    if isinstance(name_or_table, Mapping):
        return dict(name_or_table)
    try:
        return dict(COST_TABLES[name_or_table])
    except KeyError:
        choices = " or ".join(sorted(COST_TABLES))
        raise SandboxSpecError(
            f"--costs {name_or_table}: unknown quota cost table — use {choices}"
        ) from None


def method_cost(table: Mapping[str, int], method_id: str) -> int:
    """Units ``method_id`` costs; a method missing from the table: 1 to read, 50 to write."""
    if method_id in table:
        return table[method_id]
    verb = method_id.rsplit(".", 1)[-1]
    return _READ_COST if verb in _READ_VERBS else _WRITE_COST
