"""The report's comparison of platforms (`mlprod report`): followers at the start and the end, gain,
views and the posts that brought the most, per platform; on the seed's channel synced from the
sandbox, with the other platforms' figures as `mlprod stats sync` records them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from stats_helpers import SignedIn, parse_html, seeded, spec_videos

from mlprod.report.figures import Period
from mlprod.report.platforms import PlatformRows, Post, compare_platforms
from mlprod.states import PlatformName, PublicationState, VideoKind
from mlprod.store.models import (
    DailyMetric,
    PlatformFollowers,
    Publication,
    PublicationViews,
    VideoMetric,
)

START, END = dt.date(2020, 3, 16), dt.date(2020, 5, 16)
D = dt.date


def publication(platform: PlatformName, remote_id: str, title: str, day: dt.date) -> Publication:
    """A row as `mlprod publish` writes it."""
    return Publication(recipe=f"recipes/{title}.yaml", platform=platform, remote_id=remote_id,
                       kind=VideoKind.tutorial, title=title, state=PublicationState.published,
                       privacy="public", url=f"https://example.org/{platform.value}/{remote_id}",
                       published_at=dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC))


@pytest.fixture(scope="module")
def channel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SignedIn]:
    with seeded(tmp_path_factory.mktemp("platforms") / "ws") as seed:
        videos = spec_videos(seed.history)
        with seed.database() as db, db.transaction() as s:
            s.add(publication(PlatformName.youtube_short, videos[3].id, "Short", D(2020, 4, 2)))
            s.add_all([publication(PlatformName.facebook, "fb1", "Reel ancien", D(2020, 3, 1)),
                       publication(PlatformName.facebook, "fb2", "Reel du printemps", D(2020, 4, 20)),
                       publication(PlatformName.instagram, "ig1", "Reel Instagram", D(2020, 5, 1)),
                       publication(PlatformName.discord, "m1", "Annonce", D(2020, 4, 2))])
            # as `mlprod stats sync` records them: followers per day, each post's lifetime views per day
            s.add_all([PlatformFollowers(platform=PlatformName.facebook, day=D(2020, 3, 10), followers=500),
                       PlatformFollowers(platform=PlatformName.facebook, day=D(2020, 5, 16), followers=800),
                       PlatformFollowers(platform=PlatformName.facebook, day=D(2020, 6, 1), followers=900),
                       PlatformFollowers(platform=PlatformName.instagram, day=D(2020, 4, 1), followers=40),
                       PlatformFollowers(platform=PlatformName.instagram, day=D(2020, 5, 10), followers=70)])
            s.add_all([PublicationViews(platform=PlatformName.facebook, remote_id="fb1", day=D(2020, 3, 15),
                                        views=100),
                       PublicationViews(platform=PlatformName.facebook, remote_id="fb1", day=D(2020, 5, 16),
                                        views=160),
                       PublicationViews(platform=PlatformName.facebook, remote_id="fb2", day=D(2020, 5, 16),
                                        views=290),
                       PublicationViews(platform=PlatformName.facebook, remote_id="fb2", day=D(2020, 6, 1),
                                        views=999),
                       PublicationViews(platform=PlatformName.instagram, remote_id="ig1", day=D(2020, 5, 10),
                                        views=90)])
        yield seed


def test_the_report_compares_the_platforms(channel: SignedIn, tmp_path: Path) -> None:
    short_id = spec_videos(channel.history)[3].id
    with channel.database() as db, db.transaction() as s:
        channel_views = s.scalar(select(func.sum(DailyMetric.views))
                                 .where(DailyMetric.day.between(START, END)))
        short_views = s.scalar(select(func.sum(VideoMetric.views)).where(
            VideoMetric.youtube_id == short_id, VideoMetric.day.between(START, END)))
    assert short_views > 0
    path = tmp_path / "rapport.html"
    result = channel.cli("report", "--from", str(START), "--to", str(END), "-o", str(path))
    assert result.exit_code == 0, result.output
    page = parse_html(path.read_text(encoding="utf-8"))

    rows = {r.attrs["data-platform"]: r.attrs for r in page.find(id="platforms").find_all("tr")
            if "data-platform" in r.attrs}
    assert list(rows) == ["youtube", "youtube_short", "facebook", "instagram", "discord"]
    assert (rows["youtube"]["data-followers-start"], rows["youtube"]["data-followers-end"],
            rows["youtube"]["data-gain"]) == ("600", "2300", "1700")
    assert int(rows["youtube"]["data-views"]) == channel_views - short_views
    assert rows["youtube_short"]["data-views"] == str(short_views)
    assert rows["youtube_short"]["data-followers-start"] == ""  # the channel's, counted once
    assert (rows["facebook"]["data-followers-start"], rows["facebook"]["data-followers-end"],
            rows["facebook"]["data-gain"], rows["facebook"]["data-views"]) == ("500", "800", "300", "350")
    assert rows["facebook"]["data-published"] == "1"  # fb1 came before the period
    assert (rows["instagram"]["data-followers-start"], rows["instagram"]["data-gain"],
            rows["instagram"]["data-views"]) == ("40", "30", "90")
    assert (rows["discord"]["data-views"], rows["discord"]["data-published"]) == ("", "1")
    text = page.find(id="plateformes").all_text
    assert "premier relevé des abonnés le 1er avril 2020" in text
    assert "Discord ne donne ni membres ni vues" in text
    tops = {d.attrs["data-platform"]: [li.all_text for li in d.find_all("li")]
            for d in page.find_all("div", **{"class": "platform-top"})}
    assert [t.split(" — ")[0] for t in tops["facebook"]] == ["Reel du printemps", "Reel ancien"]
    assert len(tops["youtube"]) == 3 and "discord" not in tops


def test_only_youtube_shows_no_comparison(tmp_path: Path) -> None:
    with seeded(tmp_path / "ws") as seed:
        path = tmp_path / "rapport.html"
        assert seed.cli("report", "--from", str(START), "--to", str(END), "-o", str(path)).exit_code == 0
        assert 'id="plateformes"' not in path.read_text(encoding="utf-8")


def test_a_post_views_in_the_period_are_the_difference_of_its_totals() -> None:
    posts = [Post(PlatformName.facebook, "a", "A", None, D(2020, 1, 1)),
             Post(PlatformName.facebook, "b", "B", None, D(2020, 2, 10))]
    rows = PlatformRows(posts=posts, followers={}, youtube_views={}, youtube_start=10, youtube_end=None,
                        channel_views=0, post_totals={
                            (PlatformName.facebook, "a"): [(D(2020, 1, 5), 50), (D(2020, 1, 31), 70),
                                                           (D(2020, 2, 20), 95)],
                            (PlatformName.facebook, "b"): [(D(2020, 2, 11), 5), (D(2020, 3, 2), 40)]})

    youtube, facebook = compare_platforms(rows, Period(D(2020, 2, 1), D(2020, 2, 29)))

    assert (youtube.followers_start, youtube.followers_end, youtube.gain) == (10, None, None)
    assert facebook.views == 25 + 5 and facebook.published == 1
    assert facebook.followers_start is None and "pas encore de relevé" in facebook.note
    assert [(p.title, p.views) for p in facebook.top] == [("A", 25), ("B", 5)]
