"""What each YouTube API method costs in quota units: the publisher's table.

Costs change (see YOUTUBE.md): ``videos.insert`` cost 1600 units for years, then 100. The sandbox
keeps its own copy (``mlprod/sandbox/costs.py``) on purpose: it is the other side of the wire, so a
wrong cost here shows up as a failing test instead of being agreed with.
"""

from __future__ import annotations

from collections.abc import Mapping

DAILY_QUOTA = 10_000
"""Default daily budget of a Google Cloud project, reset at midnight Pacific time."""

QUOTA_TIMEZONE = "America/Los_Angeles"

INVALID_REQUEST_COST = 1
"""A request the API rejects as invalid still costs (at least) this much."""

CURRENT_COSTS: dict[str, int] = {
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
    # The Analytics API has its own quota: a report costs nothing from the Data API budget.
    "youtubeAnalytics.reports.query": 0,
}

LEGACY_COSTS: dict[str, int] = {**CURRENT_COSTS, "youtube.videos.insert": 1600}

COST_TABLES: dict[str, dict[str, int]] = {"2026": CURRENT_COSTS, "legacy": LEGACY_COSTS}
DEFAULT_COST_TABLE = "2026"

DEFAULT_LIST_COST = 1
DEFAULT_WRITE_COST = 50


def cost_table(name_or_table: str | Mapping[str, int]) -> dict[str, int]:
    """The cost table called ``name`` (``2026`` or ``legacy``), or a copy of a given table."""
    if isinstance(name_or_table, Mapping):
        return dict(name_or_table)
    try:
        return COST_TABLES[name_or_table]
    except KeyError:
        from mlprod.errors import ConfigError

        choices = " or ".join(sorted(COST_TABLES))
        raise ConfigError(
            f"unknown quota cost table {name_or_table!r} — use {choices}"
        ) from None


def method_cost(table: Mapping[str, int], method_id: str) -> int:
    """Units ``method_id`` (e.g. ``youtube.videos.insert``) costs; unknown methods: 1 to read, 50 to write."""
    if method_id in table:
        return table[method_id]
    verb = method_id.rsplit(".", 1)[-1]
    return DEFAULT_LIST_COST if verb in {"list", "get", "query"} else DEFAULT_WRITE_COST
