"""Analytics v2 ``reports.query``: day, month, video and total reports from the channel history.

Like the real service, the reports cover the channel's whole life, from its creation (the history's
``created``, before its start), and the last days are not ready: no rows after ``today - 3``
(Pacific time). Days after the history's end (and uploads made in the sandbox) have zero figures.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from mlprod.sandbox.context import Context, Registry
from mlprod.sandbox.errors import ApiError, bad_request
from mlprod.sandbox.history import ChannelHistory, VideoFigures
from mlprod.sandbox.replies import Reply, json_reply

DAYS_NOT_READY = 2
"""Yesterday and the day before have no data yet (nor today)."""
METRICS = (
    "views",
    "estimatedMinutesWatched",
    "averageViewDuration",
    "subscribersGained",
    "subscribersLost",
)
DIMENSIONS = ("day", "month", "video")
MAX_VIDEO_ROWS = 200
_UNSUPPORTED = (
    "The query is not supported. Check the documentation at "
    "https://developers.google.com/youtube/analytics/v2/available_reports for a list of "
    "supported queries."
)


@dataclass(frozen=True)
class ReportQuery:
    start: date
    end: date
    metrics: list[str]
    dimension: str | None
    videos: list[str] | None
    sort: list[str]
    max_results: int | None
    start_index: int


def _metric_values(figures: VideoFigures, metrics: list[str]) -> list[int]:
    values = {
        "views": figures.views,
        "estimatedMinutesWatched": figures.estimated_minutes_watched,
        "averageViewDuration": round(figures.estimated_minutes_watched * 60 / figures.views)
        if figures.views
        else 0,
        "subscribersGained": figures.subscribers_gained,
        "subscribersLost": figures.subscribers_lost,
    }
    return [values[m] for m in metrics]


def _sum(figures: list[VideoFigures], key: str = "") -> VideoFigures:
    return VideoFigures(
        key,
        sum(f.views for f in figures),
        sum(f.estimated_minutes_watched for f in figures),
        sum(f.subscribers_gained for f in figures),
        sum(f.subscribers_lost for f in figures),
    )


def _parse_date(ctx: Context, name: str) -> date:
    value = ctx.call.one(name) or ""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise bad_request(
            "invalid", f"Invalid value at '{name}': {value!r} is not YYYY-MM-DD.", name
        ) from None


def parse_query(ctx: Context) -> ReportQuery:
    ids = ctx.call.one("ids")
    if ids not in ("channel==MINE", f"channel=={ctx.channel.channel_id}"):
        raise ApiError(403, "forbidden", "Forbidden")
    start, end = _parse_date(ctx, "startDate"), _parse_date(ctx, "endDate")
    if start > end:
        raise bad_request("badRequest", "The start date must be on or before the end date.")
    metrics = ctx.call.many("metrics")
    for metric in metrics:
        if metric not in METRICS:
            raise bad_request(
                "badRequest", f"Unknown identifier ({metric}) given in field parameters.metrics."
            )
    dimensions = ctx.call.many("dimensions")
    if len(dimensions) > 1 or (dimensions and dimensions[0] not in DIMENSIONS):
        raise bad_request("badRequest", _UNSUPPORTED)
    videos = None
    for condition in filter(None, (ctx.call.one("filters") or "").split(";")):
        name, _, value = condition.partition("==")
        if name != "video" or not value:
            raise bad_request("badRequest", _UNSUPPORTED)
        videos = [v for v in value.split(",") if v]
    sort = ctx.call.many("sort")
    columns = set(dimensions) | set(metrics)
    for key in sort:
        if key.lstrip("-") not in columns:
            raise bad_request("badRequest", f"Unknown identifier ({key}) given in field parameters.sort.")
    max_results = ctx.call.one("maxResults")
    dimension = dimensions[0] if dimensions else None
    if dimension == "video" and (
        not sort
        or not all(k.startswith("-") and k[1:] in METRICS for k in sort)
        or max_results is None
        or int(max_results) > MAX_VIDEO_ROWS
    ):
        raise bad_request("badRequest", _UNSUPPORTED)
    return ReportQuery(
        start,
        end,
        metrics,
        dimension,
        videos,
        sort,
        int(max_results) if max_results else None,
        ctx.call.integer("startIndex", 1),
    )


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _day_figures(history: ChannelHistory | None, query: ReportQuery) -> Callable[[date], VideoFigures]:
    def figures(day: date) -> VideoFigures:
        if history is None or history.day(day) is None:
            return VideoFigures("", 0, 0, 0, 0)
        if query.videos is not None:
            known = {v.id for v in history.videos}
            return _sum([history.video_day(v, day) for v in query.videos if v in known])
        d = history.day(day)
        assert d is not None
        return VideoFigures(
            "", d.views, d.estimated_minutes_watched, d.subscribers_gained, d.subscribers_lost
        )

    return figures


def report_rows(ctx: Context, query: ReportQuery) -> list[list[Any]]:
    channel = ctx.channel
    first = max(query.start, channel.channel_created_on)
    last = min(query.end, channel.today() - timedelta(days=DAYS_NOT_READY + 1))
    if first > last:
        return []
    if query.dimension == "video":
        totals = channel.history.video_totals(first, last) if channel.history else []
        if query.videos is not None:
            totals = [t for t in totals if t.video_id in query.videos]
        return [[t.video_id, *_metric_values(t, query.metrics)] for t in totals]
    figures = _day_figures(channel.history, query)
    daily = [(day, figures(day)) for day in _days(first, last)]
    if query.dimension == "day":
        return [[day.isoformat(), *_metric_values(f, query.metrics)] for day, f in daily]
    if query.dimension == "month":
        months: dict[str, list[VideoFigures]] = {}
        for day, f in daily:
            months.setdefault(day.strftime("%Y-%m"), []).append(f)
        return [[m, *_metric_values(_sum(fs), query.metrics)] for m, fs in months.items()]
    return [_metric_values(_sum([f for _, f in daily]), query.metrics)]


def _sorted(rows: list[list[Any]], query: ReportQuery) -> list[list[Any]]:
    columns = ([query.dimension] if query.dimension else []) + query.metrics
    for key in reversed(query.sort):
        index = columns.index(key.lstrip("-"))
        rows = sorted(rows, key=lambda row, i=index: row[i], reverse=key.startswith("-"))  # type: ignore[misc]
    first = max(query.start_index, 1) - 1
    return rows[first : first + query.max_results] if query.max_results else rows[first:]


def reports_query(ctx: Context) -> Reply:
    query = parse_query(ctx)
    ctx.charge()
    headers = []
    if query.dimension:
        headers.append({"name": query.dimension, "columnType": "DIMENSION", "dataType": "STRING"})
    headers += [{"name": m, "columnType": "METRIC", "dataType": "INTEGER"} for m in query.metrics]
    answer: dict[str, Any] = {"kind": "youtubeAnalytics#resultTable", "columnHeaders": headers}
    rows = _sorted(report_rows(ctx, query), query)
    if rows:
        answer["rows"] = rows
    return json_reply(answer)


def register(registry: Registry) -> None:
    registry.handlers["youtubeAnalytics.reports.query"] = reports_query
