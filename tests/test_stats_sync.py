"""`mlprod stats sync` against the sandbox: stored figures equal the sandbox's history (ground truth)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select
from stats_helpers import SEED, SignedIn, pacific_clock, signed_in

from mlprod.errors import AuthError
from mlprod.jobs.stats import sync_stats
from mlprod.store import Database
from mlprod.store.models import ChannelSnapshot, ChannelVideo, DailyMetric, QuotaSpend, SyncState, VideoMetric
from mlprod.youtube.subscribers import anchor_from_snapshots, rounding_step

START, END = dt.date(2020, 3, 16), dt.date(2020, 5, 16)
CREATED = dt.date(2019, 9, 18)  # the sandbox creates the channel 180 days before the history's start


def stored_days(db: Database) -> dict[dt.date, tuple[int, int, int, int]]:
    with db.transaction() as session:
        return {m.day: (m.views, m.minutes_watched, m.subscribers_gained, m.subscribers_lost)
                for m in session.scalars(select(DailyMetric))}


def stored_video_totals(db: Database, first: dt.date, last: dt.date) -> dict[str, tuple[int, int, int, int]]:
    with db.transaction() as session:
        rows = session.execute(
            select(VideoMetric.youtube_id, func.sum(VideoMetric.views), func.sum(VideoMetric.minutes_watched),
                   func.sum(VideoMetric.subscribers_gained), func.sum(VideoMetric.subscribers_lost))
            .where(VideoMetric.day.between(first, last)).group_by(VideoMetric.youtube_id))
        return {vid: (int(a), int(b), int(c), int(d)) for vid, a, b, c, d in rows}


def assert_matches_history(channel: SignedIn, db: Database, through: dt.date) -> None:
    days = stored_days(db)
    truth = channel.history.days_between(CREATED, through)
    assert [(d.views, d.estimated_minutes_watched, d.subscribers_gained, d.subscribers_lost) for d in truth] \
        == [days[d.day] for d in truth]
    videos = {v.video_id: (v.views, v.estimated_minutes_watched, v.subscribers_gained, v.subscribers_lost)
              for v in channel.history.video_totals(CREATED, through)}
    assert stored_video_totals(db, CREATED, through) == videos
    running = 0  # from the creation (0 subscribers), gains minus losses are the exact count
    for day in sorted(d for d in days if d <= through):
        running += days[day][2] - days[day][3]
        assert running == channel.history.subscribers_at_end_of(day)


def no_duplicates(db: Database) -> None:
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(DailyMetric)) == \
            session.scalar(select(func.count(func.distinct(DailyMetric.day))))
        pairs = select(VideoMetric.youtube_id, VideoMetric.day).distinct().subquery()
        assert session.scalar(select(func.count()).select_from(VideoMetric)) == \
            session.scalar(select(func.count()).select_from(pairs))


@pytest.fixture
def seed(tmp_path: Path, database_url: str) -> Iterator[SignedIn]:
    with signed_in(tmp_path / "ws", SEED, pacific_clock(dt.date(2020, 6, 1)), database_url) as channel:
        yield channel


def test_first_sync_reads_the_whole_history(seed: SignedIn) -> None:
    result = seed.cli("stats", "sync")
    assert result.exit_code == 0, result.output
    assert "Stored 255 days (2019-09-18 to 2020-05-29)" in result.output  # from the channel's creation
    assert "Subscribers at the end of 2020-05-29: 2,300; YouTube shows 2,300 (rounded)." in result.output
    assert "Note:" not in result.output  # nothing deduced, nothing to warn about
    with seed.database() as db:
        assert_matches_history(seed, db, END)
        days = stored_days(db)
        assert min(days) == CREATED and max(days) == dt.date(2020, 5, 29)  # the sandbox's today minus 3
        assert all(days[START + dt.timedelta(days=k)] == (0, 0, 0, 0) for k in range(62, 75))
        assert sum(g - lost for _, _, g, lost in days.values()) == 2300
        with db.transaction() as session:
            state = session.scalars(select(SyncState)).one()
            assert state.synced_through == dt.date(2020, 5, 29)
            assert state.channel_started == CREATED
            # the Analytics go back to the creation: nothing to deduce from the rounded count
            assert (state.subscribers_before, state.subscribers_before_margin) == (0, 0)
            titles = {v.youtube_id: v.title for v in session.scalars(select(ChannelVideo))}
            assert titles == {v.id: v.title for v in seed.history.videos}
            assert session.scalar(select(func.count()).select_from(ChannelSnapshot)) == 1
            spent = dict(session.execute(select(QuotaSpend.method, func.sum(QuotaSpend.units))
                                         .group_by(QuotaSpend.method)).all())
    assert spent["youtube.channels.list"] == 1
    assert spent["youtube.videos.list"] == 1
    assert seed.sandbox.state()["quota_used"] == sum(spent.values())


def test_sync_twice_stores_each_day_once(seed: SignedIn) -> None:
    assert seed.cli("stats", "sync").exit_code == 0
    with seed.database() as db:
        before = stored_days(db)
        videos_before = stored_video_totals(db, START, END)
    again = seed.cli("stats", "sync", "--json")
    assert again.exit_code == 0, again.output
    answer = json.loads(again.stdout)
    assert answer["first_day"] == "2020-05-27"  # the last days are read again, YouTube revises them
    assert answer["synced_through"] == "2020-05-29"
    assert answer["subscribers"] == 2300
    with seed.database() as db:
        assert stored_days(db) == before
        assert stored_video_totals(db, START, END) == videos_before
        no_duplicates(db)
        with db.transaction() as session:  # one snapshot a day, the second sync of the day replaces it
            assert session.scalar(select(func.count()).select_from(ChannelSnapshot)) == 1


def test_late_days_are_completed_by_the_next_sync(tmp_path: Path) -> None:
    clock = pacific_clock(dt.date(2020, 4, 20))
    with signed_in(tmp_path / "ws", SEED, clock) as channel:
        assert channel.cli("stats", "sync").exit_code == 0
        with channel.database() as db:
            assert max(stored_days(db)) == dt.date(2020, 4, 17)  # the API's last days are not ready
            assert_matches_history(channel, db, dt.date(2020, 4, 17))
        clock.advance(days=40)
        result = channel.cli("stats", "sync")
        assert result.exit_code == 0, result.output
        with channel.database() as db:
            assert max(stored_days(db)) == dt.date(2020, 5, 27)
            assert_matches_history(channel, db, END)
            no_duplicates(db)
            with db.transaction() as session:
                state = session.scalars(select(SyncState)).one()
                assert (state.subscribers_before, state.subscribers_before_margin) == (0, 0)


def test_an_interrupted_sync_is_completed_without_counting_twice(tmp_path: Path) -> None:
    with signed_in(tmp_path / "ws", SEED, pacific_clock(dt.date(2020, 6, 1))) as channel:
        seen: list[float] = []

        def stop_half_way(done: float, total: float) -> None:
            seen.append(done)
            if done >= 40:
                raise KeyboardInterrupt

        with channel.database() as db:
            with pytest.raises(KeyboardInterrupt):
                sync_stats(channel.settings, db, progress=stop_half_way)
            kept = stored_days(db)
            assert max(kept) == dt.date(2019, 10, 18)  # the first chunk (31 days) was committed whole
            with db.transaction() as session:
                assert session.scalar(select(SyncState.synced_through)) == dt.date(2019, 10, 18)
        result = channel.cli("stats", "sync")
        assert result.exit_code == 0, result.output
        with channel.database() as db:
            assert_matches_history(channel, db, END)
            no_duplicates(db)


def add_snapshot(db: Database, day: dt.date, shown: int) -> None:
    """What channels.list showed on ``day`` (the sync dates its own snapshots by the real clock)."""
    with db.transaction() as session:
        session.add(ChannelSnapshot(day=day, subscriber_count=shown, subscriber_count_hidden=False))


def test_a_count_youtube_rounds_is_exact_from_the_analytics(tmp_path: Path) -> None:
    spec = "2020-03-16:600,2020-05-16:2345"
    with signed_in(tmp_path / "ws", spec, pacific_clock(dt.date(2020, 6, 1))) as channel:
        [item] = channel.youtube().channels().list(part="statistics", mine=True).execute()["items"]
        assert item["statistics"]["subscriberCount"] == "2340"  # rounded down to 3 significant figures
        result = channel.cli("stats", "sync", "--json")
        assert result.exit_code == 0, result.output
        answer = json.loads(result.stdout)
        assert (answer["subscribers"], answer["subscribers_margin"]) == (2345, 0)
        assert answer["youtube_count"] == 2340
        assert answer["first_day"] == "2019-09-18" and answer["warnings"] == []
        with channel.database() as db:
            assert_matches_history(channel, db, dt.date(2020, 5, 29))
            add_snapshot(db, dt.date(2020, 5, 20), 2340)  # delivered days: the check compares them
            add_snapshot(db, dt.date(2020, 3, 15), 600)
        again = json.loads(channel.cli("stats", "sync", "--json").stdout)
        assert (again["subscribers"], again["subscribers_margin"], again["warnings"]) == (2345, 0, [])


def test_an_incomplete_history_falls_back_on_the_rounded_count(tmp_path: Path) -> None:
    """Figures that miss the channel's first months: deduced from YouTube's count, with a note."""
    with signed_in(tmp_path / "ws", SEED, pacific_clock(dt.date(2020, 6, 1))) as channel:
        assert channel.cli("stats", "sync").exit_code == 0
        with channel.database() as db:
            with db.transaction() as session:  # as if the Analytics went back to the start only
                session.execute(delete(DailyMetric).where(DailyMetric.day < START))
                session.execute(delete(VideoMetric).where(VideoMetric.day < START))
            add_snapshot(db, dt.date(2020, 5, 20), 2300)
        answer = json.loads(channel.cli("stats", "sync", "--json").stdout)
        assert answer["subscribers"] == 2300 and answer["subscribers_margin"] == 9
        [note] = answer["warnings"]
        assert "explains 1,700 subscribers" in note and "--full" in note and "600 missing" in note
        with channel.database() as db, db.transaction() as session:
            state = session.scalars(select(SyncState)).one()
            assert (state.subscribers_before, state.subscribers_before_margin) == (600, 9)
        full = json.loads(channel.cli("stats", "sync", "--full", "--json").stdout)
        assert (full["subscribers"], full["subscribers_margin"], full["warnings"]) == (2300, 0, [])
        with channel.database() as db, db.transaction() as session:
            assert session.scalars(select(SyncState)).one().subscribers_before == 0


def test_sync_without_signing_in_says_what_to_run(tmp_path: Path) -> None:
    with signed_in(tmp_path / "ws", SEED) as channel:
        channel.settings.token_file.unlink()
        result = channel.cli("stats", "sync")
        assert result.exit_code != 0
        assert "mlprod auth login" in result.output
        with channel.database() as db, pytest.raises(AuthError):
            sync_stats(channel.settings, db)


def nets_by_day(known: dict[dt.date, int]) -> Callable[[dt.date], int]:
    """Gains minus losses through a day, from the last known day at or before it (0 before them)."""
    return lambda day: known[max(d for d in known if d <= day)] if any(d <= day for d in known) else 0


def test_anchor_is_zero_when_the_analytics_cover_the_whole_life() -> None:
    day = dt.date(2024, 1, 10)
    anchor = anchor_from_snapshots([(day, 2340)], lambda _: 2345, day)
    assert (anchor.subscribers_before, anchor.margin, anchor.warning) == (0, 0, None)


def test_a_snapshot_of_a_day_not_delivered_yet_is_not_compared() -> None:
    """2,338 at the end of the last delivered day, 2,341 (shown 2,340) three days later: no deduction."""
    today = dt.date(2024, 1, 10)
    anchor = anchor_from_snapshots([(today, 2340)], lambda _: 2338, today - dt.timedelta(days=3))
    assert (anchor.subscribers_before, anchor.margin, anchor.warning) == (0, 0, None)


def test_a_snapshot_taken_during_the_day_may_show_the_day_before() -> None:
    day = dt.date(2024, 1, 10)
    nets = nets_by_day({day - dt.timedelta(days=1): 2345, day: 2351})  # 2,340 shown in the morning
    anchor = anchor_from_snapshots([(day, 2340)], nets, day)
    assert (anchor.subscribers_before, anchor.margin, anchor.warning) == (0, 0, None)


def test_anchor_deduces_the_subscribers_before_the_first_day_within_the_rounding() -> None:
    first, second = dt.date(2020, 4, 1), dt.date(2020, 5, 1)
    nets = nets_by_day({first - dt.timedelta(days=1): 1000, second - dt.timedelta(days=1): 1694})
    anchor = anchor_from_snapshots([(first, 1600)], nets, second)
    assert (anchor.subscribers_before, anchor.margin) == (600, 9)
    # a second snapshot narrows the interval: 600..609 and 596..605 leave 600..605
    narrowed = anchor_from_snapshots([(first, 1600), (second, 2290)], nets, second)
    assert (narrowed.subscribers_before, narrowed.margin) == (600, 5)


def test_anchor_warns_when_youtube_and_analytics_disagree() -> None:
    first, second = dt.date(2020, 4, 1), dt.date(2020, 5, 1)
    anchor = anchor_from_snapshots([(first, 1600), (second, 5000)], nets_by_day({first: 1000, second: 1100}),
                                   second)
    assert anchor.warning and "disagree" in anchor.warning


def test_anchor_warns_when_the_analytics_count_more_than_youtube() -> None:
    day = dt.date(2020, 4, 1)
    anchor = anchor_from_snapshots([(day, 2300)], lambda _: 2320, day)
    assert (anchor.subscribers_before, anchor.margin) == (0, 0)
    assert anchor.warning and "11 more subscribers" in anchor.warning


@pytest.mark.parametrize(("shown", "step"), [(999, 1), (2340, 10), (12300, 100), (1230000, 10000)])
def test_rounding_step(shown: int, step: int) -> None:
    assert rounding_step(shown) == step
