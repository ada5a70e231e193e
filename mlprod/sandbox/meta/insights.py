"""Insights answers: the Pacific days a ``since``/``until`` range covers, and Graph's series shape
``{"name", "period", "values": [{"value", "end_time"}], "title", "description", "id"}``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from mlprod.sandbox.meta.context import GraphContext
from mlprod.sandbox.meta.errors import GraphError, bad_parameter
from mlprod.sandbox.meta.rules import INSIGHTS_MAX_DAYS, INSIGHTS_TIMEZONE


def pacific_day(timestamp: float) -> date:
    return datetime.fromtimestamp(timestamp, INSIGHTS_TIMEZONE).date()


def metrics(ctx: GraphContext, known: dict[str, str]) -> list[str]:
    """The ``metric`` list asked for; 100 for one this object does not have."""
    asked = [m.strip() for m in ctx.required("metric").split(",") if m.strip()]
    for metric in asked:
        if metric not in known:
            raise GraphError(
                100,
                f"(#100) metric[{asked.index(metric)}] must be one of the following values: "
                + ", ".join(known),
            )
    return asked


def insight_days(ctx: GraphContext, max_days: int = INSIGHTS_MAX_DAYS) -> list[date]:
    """The Pacific days from ``since`` to the day before ``until`` (default: the last two days);
    today, not over yet, is never among them."""
    today = pacific_day(ctx.now)
    first = _day(ctx.param("since"), today - timedelta(days=2))
    last = _day(ctx.param("until"), today) - timedelta(days=1)
    if (last - first).days + 1 > max_days:
        raise bad_parameter(f"There cannot be more than {max_days} days between since and until")
    last = min(last, today - timedelta(days=1))
    return [first + timedelta(days=i) for i in range(max(0, (last - first).days + 1))]


def _day(raw: str | None, default: date) -> date:
    if raw is None:
        return default
    try:
        return pacific_day(float(raw)) if raw.replace(".", "", 1).isdigit() else date.fromisoformat(raw)
    except ValueError:
        raise bad_parameter(f"since/until {raw!r} is not a date or a Unix time") from None


def daily_series(
    object_id: str, metric: str, description: str, values: list[tuple[date, int]]
) -> dict[str, Any]:
    """One value per day, each ``end_time`` the next Pacific midnight (08:00 UTC)."""
    return _series(
        object_id,
        metric,
        description,
        "day",
        [{"value": v, "end_time": f"{d + timedelta(days=1)}T08:00:00+0000"} for d, v in values],
    )


def lifetime_series(
    object_id: str, metric: str, description: str, value: int, edge: str = "insights"
) -> dict[str, Any]:
    return _series(object_id, metric, description, "lifetime", [{"value": value}], edge)


def _series(
    object_id: str,
    metric: str,
    description: str,
    period: str,
    values: list[dict[str, Any]],
    edge: str = "insights",
) -> dict[str, Any]:
    return {
        "name": metric,
        "period": period,
        "values": values,
        "title": metric.replace("_", " ").capitalize(),
        "description": description,
        "id": f"{object_id}/{edge}/{metric}/{period}",
    }
