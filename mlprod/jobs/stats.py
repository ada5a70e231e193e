"""`mlprod stats sync`: the channel's figures (:mod:`mlprod.youtube.analytics` reads them) into the database.

What is pulled, and how it stays right when run again or stopped half-way:

* ``channels.list`` gives a dated snapshot (YouTube's *rounded* subscriber count, views, videos) and
  the channel's creation date; the uploads playlist and ``videos.list`` give every video's title and
  publication; ``playlists.list`` the tutorial themes.
* The Analytics API gives, per day, views, minutes watched, subscribers gained and lost for the
  channel (one request per chunk of days), and the same per video (``dimensions=video`` for each
  active day, paged with ``startIndex``). The first run reads the channel's whole life.
* Each chunk of days is written in one transaction that also advances ``synced_through``: an
  interrupted sync keeps whole days only, and the next run starts after them. A day's rows are
  replaced, never added to, so nothing is counted twice. The API delivers a day two or three days
  late: the days after the last one it answered stay pending, and the last few days are read again
  on the next run (YouTube revises fresh figures).
* Exact subscriber counts are the gains minus the losses since the channel's creation (0
  subscribers then); the rounded public count only checks them (see
  :func:`mlprod.youtube.subscribers.anchor_from_snapshots`, which also deduces the count before the
  first day when the figures miss part of the channel's life).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import partial
from typing import Any, cast

from sqlalchemy import Table, delete, insert, select
from sqlalchemy.orm import Session

from mlprod.config import Settings
from mlprod.states import PlatformName
from mlprod.store import Database
from mlprod.store.models import (
    ChannelPlaylist,
    ChannelSnapshot,
    ChannelVideo,
    DailyMetric,
    Publication,
    SyncState,
    VideoMetric,
    utcnow,
)
from mlprod.youtube.analytics import NO_FIGURES, ChannelFigures, ChannelInfo, StatsError
from mlprod.youtube.api import Channel
from mlprod.youtube.auth import load_credentials
from mlprod.youtube.client import build_analytics, build_youtube
from mlprod.youtube.quota import quota_day
from mlprod.youtube.subscribers import anchor_from_snapshots, chunks, days_between, net_through

CHUNK_DAYS = 31
REVISION_DAYS = 3
"""The last days already stored are read again: YouTube completes fresh figures late."""

Progress = Callable[[float, float], None]
DAILY_TABLE = cast(Table, DailyMetric.__table__)
VIDEO_TABLE = cast(Table, VideoMetric.__table__)


@dataclass
class SyncResult:
    channel_id: str
    channel_title: str
    first_day: dt.date | None = None
    """The first day read by this run (None: nothing to read)."""
    synced_through: dt.date | None = None
    """The last day delivered by the API and stored."""
    days_stored: int = 0
    video_rows: int = 0
    videos_known: int = 0
    subscribers: int | None = None
    """Exact count at the end of ``synced_through``."""
    subscribers_margin: int = 0
    youtube_count: int | None = None
    quota_units: int = 0
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in data.items()}


def sync_stats(settings: Settings, db: Database, progress: Progress | None = None, *,
               full: bool = False) -> SyncResult:
    """Pull the channel's statistics since the last sync (``full``: since the channel's creation)."""
    credentials = load_credentials(settings)
    figures = ChannelFigures(Channel(build_youtube(credentials, settings.youtube_url), db),
                             Channel(build_analytics(credentials, settings.youtube_url), db))
    return StatsSync(figures, db, progress).run(full=full)


class StatsSync:
    """One run of the sync: the channel's figures, the database, a progress callback."""

    def __init__(self, figures: ChannelFigures, db: Database, progress: Progress | None = None,
                 today: dt.date | None = None) -> None:
        self.figures = figures
        self.db = db
        self.progress = progress or (lambda done, total: None)
        self.today = today or quota_day()  # YouTube's day is California's

    def run(self, *, full: bool = False) -> SyncResult:
        info = self.figures.channel()
        started = info.started or self.today
        state = self._state(info, started)
        result = SyncResult(info.channel_id, info.title, youtube_count=info.subscribers)
        self._save_snapshot(info)
        result.videos_known = self._sync_catalogue(info)
        first = started
        if state.synced_through is not None and not full:
            first = max(first, state.synced_through + dt.timedelta(days=1 - REVISION_DAYS))
        last = self.today
        result.first_day = first if first <= last else None
        seen: set[str] = set()
        total = max((last - first).days + 1, 0)
        done = 0
        self.progress(0, total)
        for start, end in chunks(first, last, CHUNK_DAYS):
            through, video_rows = self._sync_chunk(start, end, seen, partial(self._step, done, total))
            result.days_stored += (through - start).days + 1 if through else 0
            result.video_rows += video_rows
            done += (end - start).days + 1
            self.progress(done, total)
            if through is not None and through < end:
                break  # the API's frontier: it delivers no later day yet
        self.progress(total, total)
        result.videos_known += self._add_missing_videos(seen)
        self._finish(result)
        return result

    def _step(self, before: int, total: int, done_in_chunk: int) -> None:
        self.progress(before + done_in_chunk, total)

    # -- the catalogue: titles, publication dates, playlists ------------------------------------

    def _sync_catalogue(self, info: ChannelInfo) -> int:
        """Titles and publication dates of every upload (and of our publications), the playlists' titles."""
        ids = self.figures.upload_ids(info.uploads_playlist) if info.uploads_playlist else []
        with self.db.transaction() as session:
            ours = session.scalars(select(Publication.remote_id)
                                   .where(Publication.platform == PlatformName.youtube))
            ids += [vid for vid in ours if vid not in set(ids)]
        self._save_videos(ids)
        playlists = self.figures.playlists()
        with self.db.transaction() as session:
            known = {p.playlist_id: p for p in session.scalars(select(ChannelPlaylist))}
            for playlist_id, title in playlists.items():
                if playlist_id not in known:
                    session.add(ChannelPlaylist(playlist_id=playlist_id, title=title))
                elif known[playlist_id].title != title:
                    known[playlist_id].title = title
        return len(ids)

    def _save_videos(self, ids: list[str]) -> int:
        """Title and publication of ``ids``; only changes are written."""
        found = self.figures.titles(ids)
        with self.db.transaction() as session:
            known = {v.youtube_id: v for v in session.scalars(select(ChannelVideo))}
            for youtube_id, (title, published) in found.items():
                video = known.get(youtube_id)
                if video is None:
                    session.add(ChannelVideo(youtube_id=youtube_id, title=title, published_at=published))
                elif video.title != title or _naive(video.published_at) != _naive(published):
                    video.title, video.published_at = title, published
        return len(found)

    def _add_missing_videos(self, seen: set[str]) -> int:
        """Videos met in the figures but not among the uploads (deleted ones are not found)."""
        with self.db.transaction() as session:
            known = set(session.scalars(select(ChannelVideo.youtube_id)))
        return self._save_videos(sorted(seen - known))

    # -- the Analytics figures, stored by chunks of days -----------------------------------

    def _video_rows(self, day: dt.date, seen: set[str]) -> list[dict[str, Any]]:
        rows = []
        for youtube_id, video in self.figures.video_figures(day).items():
            if video.active:
                seen.add(youtube_id)
                rows.append({"youtube_id": youtube_id, "day": day, "views": video.views,
                             "minutes_watched": video.minutes, "subscribers_gained": video.gained,
                             "subscribers_lost": video.lost})
        return rows

    def _sync_chunk(self, start: dt.date, end: dt.date, seen: set[str],
                    step: Callable[[int], None]) -> tuple[dt.date | None, int]:
        """Read and store ``start``..``end`` up to the last day delivered, in one transaction;
        that day (None: none delivered) and the number of video rows stored."""
        daily = self.figures.daily_figures(start, end)
        if not daily:
            return None, 0
        through = max(daily)
        day_rows, video_rows = [], []
        for number, day in enumerate(days_between(start, through), start=1):
            figures = daily.get(day, NO_FIGURES)  # a delivered day without a row had nothing
            day_rows.append({"day": day, "views": figures.views, "minutes_watched": figures.minutes,
                             "subscribers_gained": figures.gained, "subscribers_lost": figures.lost})
            if figures.active:
                video_rows += self._video_rows(day, seen)
            step(number)
        with self.db.transaction() as session:
            session.execute(delete(DailyMetric).where(DailyMetric.day.between(start, through)))
            session.execute(delete(VideoMetric).where(VideoMetric.day.between(start, through)))
            # Core inserts (executemany): the ORM's bulk path costs more than the database here
            session.execute(insert(DAILY_TABLE), day_rows)
            if video_rows:
                session.execute(insert(VIDEO_TABLE), video_rows)
            state = _the_state(session)
            if state.synced_through is None or state.synced_through < through:
                state.synced_through = through
        return through, len(video_rows)

    # -- the database ---------------------------------------------------------------------------

    def _state(self, info: ChannelInfo, started: dt.date) -> SyncState:
        with self.db.transaction() as session:
            state = session.scalars(select(SyncState)).first()
            if state is None:
                state = SyncState(channel_id=info.channel_id, channel_title=info.title,
                                  channel_started=started, subscribers_before=0,
                                  subscribers_before_margin=0)
                session.add(state)
            elif state.channel_id != info.channel_id:
                raise StatsError(
                    f"this workspace holds the statistics of the channel {state.channel_title!r}"
                    f" ({state.channel_id}), but you are signed in to {info.title!r} ({info.channel_id}) —"
                    " sign in with the right account (`mlprod auth login`), or use another workspace")
            state.channel_title = info.title
            state.channel_started = min(state.channel_started, started)
            return state

    def _save_snapshot(self, info: ChannelInfo) -> None:
        """Today's snapshot (one per day: a second sync the same day replaces it)."""
        with self.db.transaction() as session:
            session.execute(delete(ChannelSnapshot).where(ChannelSnapshot.day == self.today))
            session.add(ChannelSnapshot(day=self.today, subscriber_count=info.subscribers,
                                        subscriber_count_hidden=info.subscribers is None,
                                        view_count=info.views, video_count=info.videos))

    def _finish(self, result: SyncResult) -> None:
        """The exact count from the gains and losses, checked against the snapshots; record the run."""
        with self.db.transaction() as session:
            state = _the_state(session)
            state.last_sync_at = utcnow()
            result.synced_through = state.synced_through
            if state.synced_through is None:
                return
            nets = _cumulative_nets(session)
            snapshots = [(s.day, s.subscriber_count) for s in session.scalars(
                select(ChannelSnapshot).where(ChannelSnapshot.subscriber_count.is_not(None))
                .order_by(ChannelSnapshot.day))]
            anchor = anchor_from_snapshots([(d, int(c)) for d, c in snapshots if c is not None],
                                           lambda day: net_through(nets, day), state.synced_through)
            state.subscribers_before = anchor.subscribers_before
            state.subscribers_before_margin = anchor.margin
            explained = net_through(nets, state.synced_through)
            result.subscribers = anchor.subscribers_before + explained
            result.subscribers_margin = anchor.margin
            if anchor.warning:
                result.warnings.append(anchor.warning)
            if anchor.subscribers_before:
                first_stored = nets[0][0] if nets else state.synced_through
                incomplete = (f"the statistics stored start on {first_stored}, after the channel's creation"
                              f" ({state.channel_started}) — run `mlprod stats sync --full`"
                              if first_stored > state.channel_started
                              else "YouTube Analytics misses part of the channel's life")
                within = f" (exact to within {anchor.margin})" if anchor.margin else ""
                result.warnings.append(
                    f"YouTube Analytics explains {explained:,} subscribers, fewer than YouTube's rounded"
                    f" count: {incomplete}; the {anchor.subscribers_before:,} missing were deduced from"
                    f" that count{within} and counted before {first_stored}")
        result.quota_units = self.figures.spent


def _the_state(session: Session) -> SyncState:
    state = session.scalars(select(SyncState)).first()
    assert state is not None, "the sync state is created before any chunk"
    return state


def _cumulative_nets(session: Session) -> list[tuple[dt.date, int]]:
    running = 0
    out = []
    for day, net in session.execute(select(DailyMetric.day, DailyMetric.subscribers_gained
                                           - DailyMetric.subscribers_lost).order_by(DailyMetric.day)):
        running += int(net)
        out.append((day, running))
    return out


def _naive(moment: dt.datetime | None) -> dt.datetime | None:
    """UTC without tzinfo: SQLite gives stored moments back naive."""
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


__all__ = ["StatsError", "StatsSync", "SyncResult", "sync_stats"]
