"""`mlprod report`: read the statistics from the database, compute the figures, write the file.

The workflow around :mod:`mlprod.report`, which only computes and draws from plain data: here are
the handful of queries (sums done by SQL), the sync state that bounds the period, and the file
written whole or not at all.

`mlprod report --network` (:func:`write_network_report`) is the one reader of every site: it is
given the database over every site, read-only, and reads each site through that site's own
read-only view with the same code as a site's report.
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
from mlprod.french import fr_date
from mlprod.jobs.report_platforms import platform_lines
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
from mlprod.report.network import NO_STATISTICS, NOT_IN_PERIOD, SiteFigures, network_figures, render_network
from mlprod.report.period import NO_DATA, NOTHING_DELIVERED
from mlprod.report.platforms import PlatformLine
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
    return _write(output, render_report(figures, kind, compare(db, figures)))


def _target(settings: Settings, output: Path, name: str) -> Path:
    """``output`` made absolute (relative: to the workspace); a folder or a path without extension
    gets ``name`` in it."""
    output = output if output.is_absolute() else settings.root / output
    return output / name if output.is_dir() or not output.suffix else output


def _write(output: Path, content: bytes) -> Path:
    try:
        write_atomic(output, content)
    except OSError as err:
        raise ReportError(f"{output}: cannot write the report ({err.strerror}) — choose another -o"
                          " path") from err
    return output


def write_network_report(settings: Settings, db: Database, output: Path, start: dt.date | None,
                         end: dt.date | None, *, today: dt.date | None = None) -> Path:
    """Write the regional report (every site side by side) to ``output`` (.html, .pdf or .csv; a
    folder, or a path without extension, gets ``reseau-START_END.html``).

    ``db`` is the database over every site, read-only (``open_database(url, every_site=True)``).
    The period is the one asked, else every day that all the sites with statistics have delivered.
    """
    today = today or paris_today()
    sites = _network_sites(settings, db)
    states = {site: sync_state(db.for_site(site)) for site in sites}
    held = [s for s in states.values() if s is not None and s.synced_through is not None]
    if not held:
        raise ReportError("no site holds channel statistics yet — run `mlprod --site NAME stats sync` for"
                          " each site (its figures come from its own channel), then `mlprod report"
                          " --network` again")
    first = max(s.channel_started for s in held)
    through = min(s.synced_through for s in held if s.synced_through is not None)
    if start is None and end is None and first > through:
        raise ReportError(f"the sites' statistics have no day in common (one site's start on {first}, another"
                          f" site's stop on {through}) — choose the period with --from and --to")
    period = resolve_period(min(s.channel_started for s in held),
                            max(s.synced_through for s in held if s.synced_through is not None),
                            start or first, end or through, today)
    lines = [_site_figures(settings, db, site, states[site], period, today) for site in sites]
    figures = network_figures(period, lines, today)
    output = _target(settings, output, f"reseau-{period.start}_{period.end}.html")
    return _write(output, render_network(figures, report_format(output)))


def _network_sites(settings: Settings, db: Database) -> list[str]:
    """The declared sites in mlprod.toml's order, then any other site that holds statistics."""
    declared = [info.name for info in settings.sites]
    others = [site for site in db.sites() if site not in declared
              and sync_state(db.for_site(site)) is not None]
    return declared + others if declared or others else [settings.site]


def _site_figures(settings: Settings, db: Database, site: str, state: SyncState | None, period: Period,
                  today: dt.date) -> SiteFigures:
    title = settings.site_info(site).title
    if state is None or state.synced_through is None:
        return SiteFigures(site, title, problem=NO_STATISTICS.format(site=site))
    try:
        figures = build_figures(db.for_site(site), period.start, period.end, today)
    except ReportError:
        held = f"{fr_date(state.channel_started)} au {fr_date(state.synced_through)}"
        return SiteFigures(site, title, problem=f"{NOT_IN_PERIOD} (elles vont du {held})")
    return SiteFigures(site, title, figures)


def compare(db: Database, figures: ReportFigures) -> tuple[PlatformLine, ...]:
    """The report's comparison of the platforms mlprod publishes on (YouTube's line alone when
    it publishes nowhere else)."""
    with db.transaction() as session:
        videos = {vid: found.info for vid, found in known_videos(session).items()}
    return platform_lines(db, figures, videos)


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
