"""The rows of the report's platform comparison (:mod:`mlprod.report.platforms`), from the database:
mlprod's publications on each platform, the channel's videos and their views in the period (YouTube
Analytics), Facebook's and Instagram's daily followers and their posts' lifetime views (recorded by
`mlprod stats sync`, :mod:`mlprod.jobs.audience`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from mlprod.clock import paris_today
from mlprod.jobs.records import aware
from mlprod.report.figures import Period, ReportFigures, VideoInfo
from mlprod.report.platforms import PlatformLine, PlatformRows, Post, compare_platforms
from mlprod.states import PlatformName
from mlprod.store import Database
from mlprod.store.models import PlatformFollowers, Publication, PublicationViews, VideoMetric

YOUTUBE_WATCH = "https://www.youtube.com/watch?v={}"


def platform_lines(db: Database, figures: ReportFigures,
                   videos: Mapping[str, VideoInfo]) -> tuple[PlatformLine, ...]:
    """The comparison for the report whose YouTube figures are ``figures``; ``videos``: the
    channel's videos as the report knows them (mlprod's or not)."""
    period = figures.period
    with db.transaction() as session:
        rows = _rows(session, figures, period, videos)
    return compare_platforms(rows, period)


def _day(moment: dt.datetime | None) -> dt.date | None:
    return paris_today(aware(moment)) if moment is not None else None


def _rows(session: Session, figures: ReportFigures, period: Period,
          videos: Mapping[str, VideoInfo]) -> PlatformRows:
    posts: list[Post] = []
    shorts: set[str] = set()
    for row in session.scalars(select(Publication).where(Publication.platform != PlatformName.youtube)
                               .order_by(Publication.id)):
        posts.append(Post(row.platform, row.remote_id, row.title, row.url,
                          _day(row.publish_at or row.published_at)))
        if row.platform is PlatformName.youtube_short:
            shorts.add(row.remote_id)
    for video_id, info in videos.items():
        if video_id not in shorts:
            posts.append(Post(PlatformName.youtube, video_id, info.title, YOUTUBE_WATCH.format(video_id),
                              info.published_on))
    last = min(period.end, figures.synced_through)
    views = session.execute(select(VideoMetric.youtube_id, VideoMetric.views)
                            .where(VideoMetric.day.between(period.start, last)))
    youtube_views: dict[str, int] = defaultdict(int)
    for video_id, count in views:
        youtube_views[str(video_id)] += int(count or 0)
    followers: dict[PlatformName, list[tuple[dt.date, int | None]]] = defaultdict(list)
    for reading in session.scalars(select(PlatformFollowers).where(PlatformFollowers.day <= period.end)
                                   .order_by(PlatformFollowers.day)):
        followers[reading.platform].append((reading.day, reading.followers))
    totals: dict[tuple[PlatformName, str], list[tuple[dt.date, int]]] = defaultdict(list)
    for total in session.scalars(select(PublicationViews).where(PublicationViews.day <= period.end)
                                 .order_by(PublicationViews.day)):
        totals[total.platform, total.remote_id].append((total.day, total.views))
    return PlatformRows(posts=posts, followers=dict(followers), post_totals=dict(totals),
                        youtube_views=dict(youtube_views), youtube_start=figures.subscribers_start,
                        youtube_end=figures.growth.end_count if figures.growth else None,
                        channel_views=figures.views)
