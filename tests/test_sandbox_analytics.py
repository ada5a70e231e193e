"""Analytics reports from the sandbox, checked against the history's ground truth."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from googleapiclient.errors import HttpError

from mlprod.sandbox import channel_history, parse_history
from mlprod.sandbox.testing import FakeClock, sign_in
from mlprod.youtube.client import build_analytics, build_youtube

SPEC = "2020-03-16:600,2020-05-16:2300"
METRICS = "views,estimatedMinutesWatched,subscribersGained,subscribersLost"



@pytest.fixture
def history_analytics(sandbox_factory: Any) -> Any:
    sandbox = sandbox_factory(history=parse_history(SPEC))
    return build_analytics(sign_in(sandbox), sandbox.url)


def test_day_report_is_the_history(history_analytics: Any) -> None:
    truth = channel_history(parse_history(SPEC))
    assert truth.created == date(2019, 9, 18)  # PRE_HISTORY_DAYS before the start, with 0 subscribers

    report = history_analytics.reports().query(
        ids="channel==MINE", startDate="2019-09-01", endDate="2020-06-30", metrics=METRICS,
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
    assert report["rows"][0][0] == "2019-09-18"  # nothing before the channel was created
    assert report["rows"][-1][0] == "2020-06-30"  # after the history: days without activity
    assert all(r[1:] == [0, 0, 0, 0] for r in report["rows"] if r[0] > "2020-05-16")
    in_spec = [r for r in report["rows"] if "2020-03-16" <= r[0] <= "2020-05-16"]
    assert sum(r[3] - r[4] for r in in_spec) == 2300 - 600
    # from the creation, gains minus losses are the exact count at the end of every day
    running = 0
    for row in report["rows"]:
        running += row[3] - row[4]
        assert running == truth.subscribers_at_end_of(date.fromisoformat(row[0])) >= 0
        if row[0] == "2020-03-15":
            assert running == 600
    assert running == 2300


def test_the_channel_is_created_before_the_history_starts(sandbox_factory: Any) -> None:
    sandbox = sandbox_factory(history=parse_history(SPEC),
                              clock=FakeClock(datetime(2020, 6, 1, 18, 0, tzinfo=UTC)))
    youtube = build_youtube(sign_in(sandbox), sandbox.url)
    [channel] = youtube.channels().list(part="snippet,statistics", mine=True).execute()["items"]
    assert channel["snippet"]["publishedAt"] == "2019-09-18T09:00:00Z"
    assert channel["statistics"]["subscriberCount"] == "2300"
    truth = channel_history(parse_history(SPEC))
    assert int(channel["statistics"]["viewCount"]) == sum(d.views for d in truth.days)
    assert int(channel["statistics"]["videoCount"]) == len(truth.videos)


def test_the_pre_history_leaves_the_spec_days_as_they_were() -> None:
    """The pre-history has its own random stream: the figures from the start on did not move."""
    truth = channel_history(parse_history(SPEC))
    first, last = truth.day(date(2020, 3, 16)), truth.day(date(2020, 5, 16))
    assert first and (first.views, first.estimated_minutes_watched, first.subscribers_gained,
                      first.subscribers_lost, first.subscribers) == (80, 60, 25, 4, 621)
    assert last and (last.views, last.estimated_minutes_watched, last.subscribers) == (160, 262, 2300)
    days = truth.days_between(truth.spec.start, truth.spec.end)
    assert (sum(d.views for d in days), sum(d.estimated_minutes_watched for d in days),
            sum(d.subscribers_gained for d in days), sum(d.subscribers_lost for d in days)) == \
        (5900, 7565, 1915, 215)
    assert truth.videos[6].id == "yR-N3LD5tfT" and truth.videos[6].published == truth.spec.start
    early = {v.id for v in truth.videos if v.published < truth.spec.start}
    assert len(early) == 6 and truth.videos[0].published == truth.created
    # the older videos' audience ends with the pre-history: the spec's days are their videos' alone
    assert {t.video_id for t in truth.video_totals(truth.spec.start, truth.spec.end)} == \
        {v.id for v in truth.videos} - early


def test_video_report_sums_to_the_channel(history_analytics: Any) -> None:
    truth = channel_history(parse_history(SPEC))

    report = history_analytics.reports().query(
        ids="channel==MINE", startDate="2020-03-16", endDate="2020-05-16", metrics="views,subscribersGained",
        dimensions="video", sort="-views", maxResults=200,
    ).execute()

    totals = truth.video_totals(truth.spec.start, truth.spec.end)
    expected: list[list[Any]] = sorted(([t.video_id, t.views, t.subscribers_gained] for t in totals),
                                       key=lambda row: -row[1])
    assert report["rows"] == expected
    assert sum(row[1] for row in report["rows"]) == sum(
        d.views for d in truth.days_between(truth.spec.start, truth.spec.end))
    before = history_analytics.reports().query(
        ids="channel==MINE", startDate="2019-01-01", endDate="2020-03-15", metrics="views,subscribersGained",
        dimensions="video", sort="-views", maxResults=200,
    ).execute()
    early = truth.video_totals(truth.created, date(2020, 3, 15))
    published = {v.id: v.published for v in truth.videos}
    assert all(published[t.video_id] < truth.spec.start for t in early)

    def by_views(rows: Any) -> list[Any]:
        return sorted(rows, key=lambda row: (-row[1], row[0]))

    assert by_views(before["rows"]) == by_views([t.video_id, t.views, t.subscribers_gained] for t in early)
    assert sum(row[2] for row in before["rows"]) == sum(
        d.subscribers_gained for d in truth.days_between(truth.created, date(2020, 3, 15)))
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
    assert a.days[0].day == a.created == date(2018, 7, 5)  # created 180 days before the start
    assert a.days[-1].subscribers == 4200
    assert sum(d.subscribers_gained - d.subscribers_lost for d in a.days) == 4200  # from 0 at creation
    assert a.subscribers_at_end_of(date(2018, 12, 31)) == 5000  # the start count when the start begins
    assert a.subscribers_at_end_of(date(2018, 7, 4)) == 0
    assert min(d.subscribers for d in a.days) >= 0
    pre = a.days_between(a.created, date(2018, 12, 31))
    assert len(pre) == 180 and sum(d.views for d in pre) < sum(d.views for d in a.days[180:360])  # quieter
    for day in a.days[::37]:
        per_video = [a.video_day(v.id, day.day) for v in a.videos]
        assert sum(f.views for f in per_video) == day.views
        assert sum(f.estimated_minutes_watched for f in per_video) == day.estimated_minutes_watched
        assert sum(f.subscribers_gained for f in per_video) == day.subscribers_gained
