"""Reading what the report needs from the database: a handful of queries, sums done by SQL.

The rows go to :func:`mlprod.report.figures.compute_figures`; nothing here computes a figure.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mlprod.clock import PARIS
from mlprod.report.figures import DayRow, Kind, Period, ReportData, VideoInfo, VideoTotals
from mlprod.states import PlatformName
from mlprod.store import Database
from mlprod.store.models import (
    ChannelPlaylist,
    ChannelVideo,
    DailyMetric,
    Publication,
    SyncState,
    VideoMetric,
)


def local_date(moment: dt.datetime | None) -> dt.date | None:
    """The date in France of a stored moment (SQLite gives naive UTC datetimes back)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(PARIS).date()


def sync_state(db: Database) -> SyncState | None:
    """The channel's sync state, or None when `mlprod stats sync` never stored a day."""
    with db.transaction() as session:
        return session.scalars(select(SyncState).order_by(SyncState.id)).first()


def load_report_data(db: Database, state: SyncState, period: Period) -> ReportData:
    """The rows for ``period`` and its previous period of the same length."""
    assert state.synced_through is not None
    first_day = state.channel_started
    load_from = max(period.previous().start, first_day)
    load_to = min(period.end, state.synced_through)
    with db.transaction() as session:
        before = session.scalar(
            select(func.coalesce(func.sum(DailyMetric.subscribers_gained - DailyMetric.subscribers_lost), 0))
            .where(DailyMetric.day < load_from))
        metrics = session.scalars(select(DailyMetric).where(DailyMetric.day.between(load_from, load_to))
                                  .order_by(DailyMetric.day))
        rows = [DayRow(m.day, m.views, m.minutes_watched, m.subscribers_gained, m.subscribers_lost)
                for m in metrics]
        totals = _video_totals(session, period.start, load_to)
        videos = _videos(session)
        offers = [v.youtube_id for v in videos.values() if v.kind is Kind.JOB_OFFER]
        lifetime = _lifetime_views(session, offers, state.synced_through)
    return ReportData(
        channel_title=state.channel_title,
        first_day=first_day,
        synced_through=state.synced_through,
        subscribers_before_rows=state.subscribers_before + int(before or 0),
        rows=rows,
        video_period=totals,
        video_lifetime_views=lifetime,
        videos=videos,
        subscribers_deduced=state.subscribers_before,
        subscriber_margin=state.subscribers_before_margin,
    )


def _video_totals(session: Session, first: dt.date, last: dt.date) -> list[VideoTotals]:
    if last < first:
        return []
    query = (select(VideoMetric.youtube_id, func.sum(VideoMetric.views),
                    func.sum(VideoMetric.minutes_watched), func.sum(VideoMetric.subscribers_gained),
                    func.sum(VideoMetric.subscribers_lost))
             .where(VideoMetric.day.between(first, last)).group_by(VideoMetric.youtube_id))
    return [VideoTotals(str(vid), int(views or 0), int(minutes or 0), int(gained or 0), int(lost or 0))
            for vid, views, minutes, gained, lost in session.execute(query)]


def _lifetime_views(session: Session, ids: list[str], through: dt.date) -> dict[str, int]:
    if not ids:
        return {}
    query = (select(VideoMetric.youtube_id, func.sum(VideoMetric.views))
             .where(VideoMetric.youtube_id.in_(ids), VideoMetric.day <= through)
             .group_by(VideoMetric.youtube_id))
    return {str(vid): int(views or 0) for vid, views in session.execute(query)}


def _videos(session: Session) -> dict[str, VideoInfo]:
    """Every video we know: the channel's (titles from YouTube) and ours (kind, theme, offer)."""
    themes = {p.playlist_id: p.title for p in session.scalars(select(ChannelPlaylist))}
    videos = {
        v.youtube_id: VideoInfo(v.youtube_id, v.title or v.youtube_id, Kind.OTHER, local_date(v.published_at))
        for v in session.scalars(select(ChannelVideo))
    }
    for ours in session.scalars(select(Publication).where(Publication.platform == PlatformName.youtube)):
        seen = videos.get(ours.remote_id)
        published = seen.published_on if seen and seen.published_on else local_date(
            ours.publish_at or ours.published_at)
        kind = Kind.JOB_OFFER if ours.kind == Kind.JOB_OFFER.value else Kind.TUTORIAL
        theme = themes.get(ours.playlist_id or "") or (ours.playlist_id and "Playlist " + ours.playlist_id)
        videos[ours.remote_id] = VideoInfo(
            ours.remote_id, ours.title, kind, published, theme or None, ours.offer_closes,
            ours.expired_at is not None)
    return videos
