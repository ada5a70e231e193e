"""Analytics reports from the sandbox, checked against the history's ground truth."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from googleapiclient.errors import HttpError

from mlprod.sandbox import channel_history, parse_history
from mlprod.sandbox.testing import FakeClock, sign_in
from mlprod.youtube.client import build_analytics

SPEC = "2020-03-16:600,2020-05-16:2300"
METRICS = "views,estimatedMinutesWatched,subscribersGained,subscribersLost"

pytest_plugins = ["sandbox_fixtures"]


@pytest.fixture
def history_analytics(sandbox_factory: Any) -> Any:
    sandbox = sandbox_factory(history=parse_history(SPEC))
    return build_analytics(sign_in(sandbox), sandbox.url)


def test_day_report_is_the_history(history_analytics: Any) -> None:
    truth = channel_history(parse_history(SPEC))

    report = history_analytics.reports().query(
        ids="channel==MINE", startDate="2020-03-01", endDate="2020-06-30", metrics=METRICS,
        dimensions="day", sort="day",
    ).execute()

    assert report["kind"] == "youtubeAnalytics#resultTable"
    assert [h["name"] for h in report["columnHeaders"]] == ["day", *METRICS.split(",")]
    assert report["columnHeaders"][0] == {"name": "day", "columnType": "DIMENSION", "dataType": "STRING"}
    assert report["columnHeaders"][1]["columnType"] == "METRIC"
    rows_by_day = {row[0]: row[1:] for row in report["rows"]}
    for day in truth.days:
        assert rows_by_day[day.day.isoformat()] == [
            day.views, day.estimated_minutes_watched, day.subscribers_gained, day.subscribers_lost
        ]
    assert report["rows"][0][0] == "2020-03-16"  # nothing before the channel started
    in_history = [r for r in report["rows"] if r[0] <= "2020-05-16"]
    assert sum(r[3] - r[4] for r in in_history) == 2300 - 600


def test_video_report_sums_to_the_channel(history_analytics: Any) -> None:
    truth = channel_history(parse_history(SPEC))

    report = history_analytics.reports().query(
        ids="channel==MINE", startDate="2020-03-16", endDate="2020-05-16", metrics="views,subscribersGained",
        dimensions="video", sort="-views", maxResults=200,
    ).execute()

    totals = truth.video_totals(truth.spec.start, truth.spec.end)
    expected = sorted(([t.video_id, t.views, t.subscribers_gained] for t in totals), key=lambda row: -row[1])
    assert report["rows"] == expected
    assert sum(row[1] for row in report["rows"]) == sum(d.views for d in truth.days)
    one = expected[0][0]
    filtered = history_analytics.reports().query(
        ids="channel==MINE", startDate="2020-03-16", endDate="2020-05-16", metrics="views",
        dimensions="day", filters=f"video=={one}",
    ).execute()
    assert sum(row[1] for row in filtered["rows"]) == expected[0][1]


def test_the_last_days_are_not_ready(sandbox_factory: Any) -> None:
    clock = FakeClock(datetime(2026, 6, 20, 18, 0, tzinfo=UTC))  # 11:00 in California
    today = date(2026, 6, 20)
    spec = parse_history(f"{today - timedelta(days=30)}:100,{today + timedelta(days=10)}:400")
    sandbox = sandbox_factory(history=spec, clock=clock)
    analytics = build_analytics(sign_in(sandbox), sandbox.url)

    def days(start: date, end: date) -> list[str]:
        report = analytics.reports().query(
            ids="channel==MINE", startDate=str(start), endDate=str(end), metrics="views", dimensions="day"
        ).execute()
        return [row[0] for row in report.get("rows", [])]

    assert days(today - timedelta(days=10), today)[-1] == str(today - timedelta(days=3))
    assert days(today - timedelta(days=2), today) == []  # no "rows" at all


def test_unsupported_queries_are_refused(history_analytics: Any) -> None:
    with pytest.raises(HttpError) as unknown:
        history_analytics.reports().query(
            ids="channel==MINE", startDate="2020-03-16", endDate="2020-05-16", metrics="views,likez"
        ).execute()
    assert unknown.value.status_code == 400
    assert "likez" in unknown.value.error_details[0]["message"]
    with pytest.raises(HttpError) as no_sort:
        history_analytics.reports().query(
            ids="channel==MINE", startDate="2020-03-16", endDate="2020-05-16", metrics="views",
            dimensions="video",
        ).execute()
    assert no_sort.value.status_code == 400


def test_history_is_deterministic_and_exact() -> None:
    spec = parse_history("2019-01-01:5000,2019-12-31:4200")  # a channel can shrink too
    a, b = channel_history(spec), channel_history(parse_history(str(spec)))
    assert a.days == b.days and [v.id for v in a.videos] == [v.id for v in b.videos]
    assert a.days[-1].subscribers == 4200
    assert a.spec.start_count + sum(d.subscribers_gained - d.subscribers_lost for d in a.days) == 4200
    for day in a.days[::37]:
        per_video = [a.video_day(v.id, day.day) for v in a.videos]
        assert sum(f.views for f in per_video) == day.views
        assert sum(f.estimated_minutes_watched for f in per_video) == day.estimated_minutes_watched
        assert sum(f.subscribers_gained for f in per_video) == day.subscribers_gained
