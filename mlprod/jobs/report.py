"""`mlprod report`: read the statistics from the database, compute the figures, write the file.

The workflow around :mod:`mlprod.report`, which only computes and draws from plain data: here are
the handful of queries (sums done by SQL), the sync state that bounds the period, and the file
written whole or not at all.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mlprod.clock import PARIS, paris_today
from mlprod.config import Settings
from mlprod.errors import ReportError
from mlprod.files import write_atomic
from mlprod.report import (
    Classified,
    Kind,
    Label,
    Period,
    Published,
    ReportData,
    ReportFigures,
    VideoTotals,
    classify,
    compute_figures,
    note_start,
    render_report,
    report_format,
    resolve_period,
)
from mlprod.report.figures import DayRow
from mlprod.report.period import NO_DATA, NOTHING_DELIVERED
from mlprod.states import PlatformName, VideoKind
from mlprod.store import Database
from mlprod.store.models import (
    ChannelPlaylist,
    ChannelVideo,
    DailyMetric,
    Publication,
    SyncState,
    VideoLabel,
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


def build_figures(db: Database, start: dt.date | None, end: dt.date | None,
                  today: dt.date | None = None) -> ReportFigures:
    """The figures of the report for the period asked (what every format displays)."""
    today = today or paris_today()
    state = sync_state(db)
    if state is None:
        raise ReportError(NO_DATA)
    if state.synced_through is None:
        raise ReportError(NOTHING_DELIVERED)
    period = resolve_period(state.channel_started, state.synced_through, start, end, today)
    figures = compute_figures(load_report_data(db, state, period), period, today)
    return note_start(figures, start)


def write_report(settings: Settings, db: Database, output: Path, start: dt.date | None, end: dt.date | None,
                 *, today: dt.date | None = None) -> Path:
    """Write the growth report to ``output`` (.html, .pdf or .csv; a folder, or a path without
    extension, gets ``rapport-START_END.html`` in it). ``output`` relative: to the workspace.

    The file appears whole or not at all: it is written under a temporary name, then renamed.
    """
    output = output if output.is_absolute() else settings.root / output
    figures: ReportFigures | None = None
    if output.is_dir() or not output.suffix:
        figures = build_figures(db, start, end, today)
        output = output / f"rapport-{figures.period.start}_{figures.period.end}.html"
    kind = report_format(output)
    figures = figures or build_figures(db, start, end, today)
    content = render_report(figures, kind)
    try:
        write_atomic(output, content)
    except OSError as err:
        raise ReportError(f"{output}: cannot write the report ({err.strerror}) — choose another -o"
                          " path") from err
    return output


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
        videos = {vid: found.info for vid, found in known_videos(session).items()}
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


def known_videos(session: Session) -> dict[str, Classified]:
    """Every video we know, classified: the channel's (titles from YouTube), ours (kind, playlist,
    offer) and those staff labelled — see :mod:`mlprod.report.classify` for who wins."""
    playlists = {p.playlist_id: p.title for p in session.scalars(select(ChannelPlaylist))}
    seen = {v.youtube_id: (v.title or v.youtube_id, local_date(v.published_at))
            for v in session.scalars(select(ChannelVideo))}
    ours: dict[str, tuple[str, dt.date | None, Published]] = {}
    for video in session.scalars(select(Publication).where(Publication.platform == PlatformName.youtube)):
        _, published = seen.get(video.remote_id, (video.title, None))
        published = published or local_date(video.publish_at or video.published_at)
        playlist = video.playlist_id and (playlists.get(video.playlist_id) or "Playlist " + video.playlist_id)
        kind = Kind.JOB_OFFER if video.kind is VideoKind.job_offer else Kind.TUTORIAL
        ours[video.remote_id] = (video.title, published, Published(
            kind, playlist or None, video.offer_closes, video.expired_at is not None))
    labels = {row.youtube_id: Label(Kind(row.kind.value) if row.kind else None, row.theme)
              for row in session.scalars(select(VideoLabel))}
    found: dict[str, Classified] = {}
    for youtube_id in {*seen, *ours, *labels}:
        record: Published | None = None
        if youtube_id in ours:
            title, published, record = ours[youtube_id]
        else:
            title, published = seen.get(youtube_id, (youtube_id, None))
        found[youtube_id] = classify(youtube_id, title, published, ours=record, label=labels.get(youtube_id))
    return found
