"""Reading a channel's figures: the Data API (channel, uploads, titles, playlists) and the Analytics
API (views, minutes watched, subscribers gained and lost, per day and per video), every page of
them. No database: :mod:`mlprod.jobs.stats` stores what this reads.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from mlprod.errors import ReportError
from mlprod.youtube.api import Channel, YouTubeRefused

VIDEO_PAGE = 200
"""The most rows a ``dimensions=video`` report returns at once."""
IDS_PER_CALL = 50
METRICS = "views,estimatedMinutesWatched,subscribersGained,subscribersLost"


class StatsError(ReportError):
    """The statistics cannot be pulled (another channel, an answer we cannot read)."""


@dataclass(frozen=True)
class Figures:
    views: int
    minutes: int
    gained: int
    lost: int

    @property
    def active(self) -> bool:
        return bool(self.views or self.minutes or self.gained or self.lost)


NO_FIGURES = Figures(0, 0, 0, 0)


@dataclass(frozen=True)
class ChannelInfo:
    channel_id: str
    title: str
    started: dt.date | None
    """The channel's creation (None when YouTube does not say)."""
    subscribers: int | None
    """YouTube's public count, rounded down to three significant figures; None when hidden."""
    views: int
    videos: int
    uploads_playlist: str | None


def moment(text: object) -> dt.datetime | None:
    if not text:
        return None
    try:
        return dt.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None


class ChannelFigures:
    """The signed-in channel's figures through its Data API and Analytics API services."""

    def __init__(self, data_api: Channel, analytics_api: Channel) -> None:
        self.data_api = data_api
        self.analytics_api = analytics_api

    @property
    def spent(self) -> int:
        return self.data_api.spent + self.analytics_api.spent

    # -- the Data API ---------------------------------------------------------------------------

    def channel(self) -> ChannelInfo:
        answer = self.data_api.call(
            self.data_api.service.channels().list(part="snippet,statistics,contentDetails", mine=True),
            "reading the channel's statistics")
        items = answer.get("items") or []
        if not items:
            raise StatsError("the signed-in account has no YouTube channel — sign in with the channel's"
                             " account (`mlprod auth login`)")
        item = items[0]
        stats = item.get("statistics", {})
        hidden = bool(stats.get("hiddenSubscriberCount")) or "subscriberCount" not in stats
        created = moment(item.get("snippet", {}).get("publishedAt"))
        return ChannelInfo(
            channel_id=str(item["id"]),
            title=str(item.get("snippet", {}).get("title", "")),
            started=created.date() if created else None,
            subscribers=None if hidden else int(stats["subscriberCount"]),
            views=int(stats.get("viewCount", 0)),
            videos=int(stats.get("videoCount", 0)),
            uploads_playlist=item.get("contentDetails", {}).get("relatedPlaylists", {}).get("uploads"),
        )

    def upload_ids(self, uploads_playlist: str) -> list[str]:
        """The ids of every upload (the uploads playlist, every page)."""
        items = self.data_api.pages(lambda token: self.data_api.service.playlistItems().list(
            part="contentDetails", playlistId=uploads_playlist, maxResults=50, pageToken=token),
            "listing the channel's videos")
        return [str(i["contentDetails"]["videoId"]) for i in items if "contentDetails" in i]

    def titles(self, ids: list[str]) -> dict[str, tuple[str, dt.datetime | None]]:
        """Title and publication of each of ``ids`` that still exists (videos.list, 50 at a time)."""
        found: dict[str, tuple[str, dt.datetime | None]] = {}
        for at in range(0, len(ids), IDS_PER_CALL):
            answer = self.data_api.call(self.data_api.service.videos().list(
                part="snippet", id=",".join(ids[at : at + IDS_PER_CALL]), maxResults=IDS_PER_CALL),
                "reading the videos' titles")
            for item in answer.get("items", []):
                snippet = item.get("snippet", {})
                title = str(snippet.get("title", ""))[:200]
                found[str(item["id"])] = (title, moment(snippet.get("publishedAt")))
        return found

    def playlists(self) -> dict[str, str]:
        """The channel's playlists: id → title."""
        items = self.data_api.pages(lambda token: self.data_api.service.playlists().list(
            part="snippet", mine=True, maxResults=50, pageToken=token), "listing the channel's playlists")
        return {str(p["id"]): str(p.get("snippet", {}).get("title", ""))[:200] for p in items}

    # -- the Analytics API ----------------------------------------------------------------------

    def _report(self, start: dt.date, end: dt.date, **extra: Any) -> list[list[Any]]:
        request = self.analytics_api.service.reports().query(
            ids="channel==MINE", startDate=start.isoformat(), endDate=end.isoformat(), metrics=METRICS,
            **extra)
        try:
            answer = self.analytics_api.call(request, f"reading the statistics from {start} to {end}")
        except YouTubeRefused as err:
            raise StatsError(f"YouTube Analytics refused the report from {start} to {end} ({err.status}"
                             f" {err.reason}) — run `mlprod stats sync` again later: the days already"
                             " stored are kept") from err
        names = [str(h.get("name")) for h in answer.get("columnHeaders", [])]
        expected = [*(["day"] if extra.get("dimensions") == "day" else ["video"] if extra.get("dimensions")
                      else []), *METRICS.split(",")]
        if answer.get("rows") and names != expected:
            raise StatsError(f"YouTube Analytics answered columns {names}, expected {expected} —"
                             " update mlprod")
        return list(answer.get("rows") or [])

    def daily_figures(self, start: dt.date, end: dt.date) -> dict[dt.date, Figures]:
        """The channel's figures for each day the API delivers between ``start`` and ``end``."""
        rows = self._report(start, end, dimensions="day", sort="day")
        return {dt.date.fromisoformat(str(r[0])): Figures(*(int(v) for v in r[1:5])) for r in rows}

    def video_figures(self, day: dt.date) -> dict[str, Figures]:
        """Each video's figures on ``day`` (every page)."""
        figures: dict[str, Figures] = {}
        index = 1
        while True:
            rows = self._report(day, day, dimensions="video", sort="-views", maxResults=VIDEO_PAGE,
                                startIndex=index)
            for row in rows:
                figures[str(row[0])] = Figures(*(int(v) for v in row[1:5]))
            if len(rows) < VIDEO_PAGE:
                return figures
            index += VIDEO_PAGE
