"""`mlprod stats sync`: the channel's figures from the Data API and the Analytics API into the database.

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
  subscribers then); the rounded public count only checks them (see :func:`anchor_from_snapshots`,
  which also deduces the count before the first day when the figures miss part of the channel's
  life).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from functools import partial
from typing import Any, cast

from sqlalchemy import Table, delete, insert, select
from sqlalchemy.orm import Session

from mlprod.config import Settings
from mlprod.errors import ReportError
from mlprod.store import Database
from mlprod.store.models import (
    ChannelPlaylist,
    ChannelSnapshot,
    ChannelVideo,
    DailyMetric,
    SyncState,
    Video,
    VideoMetric,
    utcnow,
)
from mlprod.youtube.api import Channel, YouTubeRefused
from mlprod.youtube.auth import load_credentials
from mlprod.youtube.client import build_analytics, build_youtube
from mlprod.youtube.quota import quota_day

CHUNK_DAYS = 31
REVISION_DAYS = 3
"""The last days already stored are read again: YouTube completes fresh figures late."""
VIDEO_PAGE = 200
"""The most rows a ``dimensions=video`` report returns at once."""
IDS_PER_CALL = 50
METRICS = "views,estimatedMinutesWatched,subscribersGained,subscribersLost"

Progress = Callable[[float, float], None]
DAILY_TABLE = cast(Table, DailyMetric.__table__)
VIDEO_TABLE = cast(Table, VideoMetric.__table__)


class StatsError(ReportError):
    """The statistics cannot be pulled (another channel, an answer we cannot read)."""


@dataclass(frozen=True)
class Figures:
    views: int
    minutes: int
    gained: int
    lost: int

    @property
    def active(self) -> bool:
        return bool(self.views or self.minutes or self.gained or self.lost)


@dataclass(frozen=True)
class ChannelInfo:
    channel_id: str
    title: str
    started: dt.date
    subscribers: int | None
    """YouTube's public count, rounded down to three significant figures; None when hidden."""
    views: int
    videos: int
    uploads_playlist: str | None


@dataclass(frozen=True)
class Anchor:
    subscribers_before: int
    margin: int
    warning: str | None = None


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
    data_api = Channel(build_youtube(credentials, settings.youtube_url), db)
    analytics_api = Channel(build_analytics(credentials, settings.youtube_url), db)
    return StatsSync(data_api, analytics_api, db, progress).run(full=full)


def chunks(first: dt.date, last: dt.date, size: int = CHUNK_DAYS) -> Iterator[tuple[dt.date, dt.date]]:
    while first <= last:
        end = min(first + dt.timedelta(days=size - 1), last)
        yield first, end
        first = end + dt.timedelta(days=1)


def days_between(first: dt.date, last: dt.date) -> Iterator[dt.date]:
    for offset in range((last - first).days + 1):
        yield first + dt.timedelta(days=offset)


def rounding_step(shown: int) -> int:
    """How far above YouTube's rounded-down count the exact one may be (2340 → up to 2349)."""
    return 1 if shown < 1000 else 10 ** (len(str(shown)) - 3)


def anchor_from_snapshots(snapshots: Iterable[tuple[dt.date, int]], net_through: Callable[[dt.date], int],
                          synced_through: dt.date) -> Anchor:
    """The channel's count before its first Analytics day: 0, unless YouTube's rounded counts show
    that the Analytics figures miss part of the channel's life.

    The sync reads the Analytics from the channel's creation, when it had no subscriber: the exact
    count at the end of a day is the sum of the gains minus the losses through that day, and each
    count YouTube showed (``shown``, rounded down) only checks it. A snapshot taken on ``day`` (at
    some moment of it: the count then is the one at the end of the day before or of ``day``, for
    all we know) must lie in ``shown .. shown + step - 1``. Snapshots of days the API has not
    delivered yet are not compared: the figures of the days up to them are unknown (the next sync
    compares them).

    * The figures fit every snapshot: ``before`` is 0.
    * They explain fewer subscribers than YouTube shows (a channel whose Analytics do not go back to
      its creation): ``before`` is deduced, the lowest value the snapshots' intervals allow, with the
      interval's width as the margin — the fallback the report warns about.
    * They explain more (YouTube removed spam subscribers without counting them as lost, or revised
      days read long ago): the figures are kept, with a warning.
    """
    bounds = []
    for day, shown in snapshots:
        if day > synced_through:
            continue
        nets = (net_through(day - dt.timedelta(days=1)), net_through(day))
        bounds.append((shown - max(nets), shown + rounding_step(shown) - 1 - min(nets)))
    if not bounds:
        return Anchor(0, 0)
    low, high = max(b[0] for b in bounds), min(b[1] for b in bounds)
    if low > high:
        low, high = bounds[-1]
        warning = ("YouTube's rounded subscriber counts disagree with the Analytics gains and losses"
                   " (YouTube may have removed spam subscribers); the latest count was used")
        return Anchor(max(low, 0), max(high - max(low, 0), 0), warning)
    if low <= 0 <= high:
        return Anchor(0, 0)
    if high < 0:
        return Anchor(0, 0, f"the Analytics figures count {-high} more subscribers than YouTube shows"
                            " (YouTube may have removed spam subscribers, or revised older days) — run"
                            " `mlprod stats sync --full` to read the whole history again")
    return Anchor(low, high - low)


class StatsSync:
    """One run of the sync: the Data API and Analytics services, the database, a progress callback."""

    def __init__(self, data_api: Channel, analytics_api: Channel, db: Database,
                 progress: Progress | None = None, today: dt.date | None = None) -> None:
        self.data_api = data_api
        self.analytics_api = analytics_api
        self.db = db
        self.progress = progress or (lambda done, total: None)
        self.today = today or quota_day()  # YouTube's day is California's

    def run(self, *, full: bool = False) -> SyncResult:
        info = self.channel()
        state = self._state(info)
        result = SyncResult(info.channel_id, info.title, youtube_count=info.subscribers)
        self._save_snapshot(info)
        result.videos_known = self._sync_catalogue(info)
        first = info.started
        if state.synced_through is not None and not full:
            first = max(first, state.synced_through + dt.timedelta(days=1 - REVISION_DAYS))
        last = self.today
        result.first_day = first if first <= last else None
        seen: set[str] = set()
        total = max((last - first).days + 1, 0)
        done = 0
        self.progress(0, total)
        for start, end in chunks(first, last):
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

    # -- the Data API ---------------------------------------------------------------------------

    def channel(self) -> ChannelInfo:
        answer = self.data_api.call(
            self.data_api.service.channels().list(part="snippet,statistics,contentDetails", mine=True),
            "reading the channel's statistics")
        items = answer.get("items") or []
        if not items:
            raise StatsError("the signed-in account has no YouTube channel — sign in with the channel's"
                             " account (`mlprod auth login`)")
        item = items[0]
        stats = item.get("statistics", {})
        hidden = bool(stats.get("hiddenSubscriberCount")) or "subscriberCount" not in stats
        return ChannelInfo(
            channel_id=str(item["id"]),
            title=str(item.get("snippet", {}).get("title", "")),
            started=_date(item.get("snippet", {}).get("publishedAt")) or self.today,
            subscribers=None if hidden else int(stats["subscriberCount"]),
            views=int(stats.get("viewCount", 0)),
            videos=int(stats.get("videoCount", 0)),
            uploads_playlist=item.get("contentDetails", {}).get("relatedPlaylists", {}).get("uploads"),
        )

    def _sync_catalogue(self, info: ChannelInfo) -> int:
        """Titles and publication dates of every upload, and the playlists' titles."""
        ids: list[str] = []
        if info.uploads_playlist:
            items = self.data_api.pages(lambda token: self.data_api.service.playlistItems().list(
                part="contentDetails", playlistId=info.uploads_playlist, maxResults=50, pageToken=token),
                "listing the channel's videos")
            ids = [str(i["contentDetails"]["videoId"]) for i in items if "contentDetails" in i]
        with self.db.transaction() as session:
            ids += [vid for vid in session.scalars(select(Video.youtube_id)) if vid not in set(ids)]
        self._save_videos(ids)
        playlists = self.data_api.pages(lambda token: self.data_api.service.playlists().list(
            part="snippet", mine=True, maxResults=50, pageToken=token), "listing the channel's playlists")
        with self.db.transaction() as session:
            known = {p.playlist_id: p for p in session.scalars(select(ChannelPlaylist))}
            for playlist in playlists:
                title = str(playlist.get("snippet", {}).get("title", ""))[:200]
                if str(playlist["id"]) not in known:
                    session.add(ChannelPlaylist(playlist_id=str(playlist["id"]), title=title))
                elif known[str(playlist["id"])].title != title:
                    known[str(playlist["id"])].title = title
        return len(ids)

    def _save_videos(self, ids: list[str]) -> int:
        """Title and publication of ``ids`` (videos.list, 50 at a time); only changes are written."""
        found: dict[str, tuple[str, dt.datetime | None]] = {}
        for at in range(0, len(ids), IDS_PER_CALL):
            answer = self.data_api.call(self.data_api.service.videos().list(
                part="snippet", id=",".join(ids[at : at + IDS_PER_CALL]), maxResults=IDS_PER_CALL),
                "reading the videos' titles")
            for item in answer.get("items", []):
                snippet = item.get("snippet", {})
                title = str(snippet.get("title", ""))[:200]
                found[str(item["id"])] = (title, _moment(snippet.get("publishedAt")))
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

    # -- the Analytics API ----------------------------------------------------------------------

    def _report(self, start: dt.date, end: dt.date, **extra: Any) -> list[list[Any]]:
        request = self.analytics_api.service.reports().query(
            ids="channel==MINE", startDate=start.isoformat(), endDate=end.isoformat(), metrics=METRICS,
            **extra)
        try:
            answer = self.analytics_api.call(request, f"reading the statistics from {start} to {end}")
        except YouTubeRefused as err:
            raise StatsError(f"YouTube Analytics refused the report from {start} to {end} ({err.status}"
                             f" {err.reason}) — run `mlprod stats sync` again later: the days already"
                             " stored are kept") from err
        names = [str(h.get("name")) for h in answer.get("columnHeaders", [])]
        expected = [*(["day"] if extra.get("dimensions") == "day" else ["video"] if extra.get("dimensions")
                      else []), *METRICS.split(",")]
        if answer.get("rows") and names != expected:
            raise StatsError(f"YouTube Analytics answered columns {names}, expected {expected} —"
                             " update mlprod")
        return list(answer.get("rows") or [])

    def daily_figures(self, start: dt.date, end: dt.date) -> dict[dt.date, Figures]:
        rows = self._report(start, end, dimensions="day", sort="day")
        return {dt.date.fromisoformat(str(r[0])): Figures(*(int(v) for v in r[1:5])) for r in rows}

    def video_figures(self, day: dt.date) -> dict[str, Figures]:
        figures: dict[str, Figures] = {}
        index = 1
        while True:
            rows = self._report(day, day, dimensions="video", sort="-views", maxResults=VIDEO_PAGE,
                                startIndex=index)
            for row in rows:
                figures[str(row[0])] = Figures(*(int(v) for v in row[1:5]))
            if len(rows) < VIDEO_PAGE:
                return figures
            index += VIDEO_PAGE

    def _video_rows(self, day: dt.date, seen: set[str]) -> list[dict[str, Any]]:
        rows = []
        for youtube_id, video in self.video_figures(day).items():
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
        daily = self.daily_figures(start, end)
        if not daily:
            return None, 0
        through = max(daily)
        day_rows, video_rows = [], []
        for number, day in enumerate(days_between(start, through), start=1):
            figures = daily.get(day, Figures(0, 0, 0, 0))  # a delivered day without a row had nothing
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

    def _state(self, info: ChannelInfo) -> SyncState:
        with self.db.transaction() as session:
            state = session.scalars(select(SyncState)).first()
            if state is None:
                state = SyncState(channel_id=info.channel_id, channel_title=info.title,
                                  channel_started=info.started, subscribers_before=0,
                                  subscribers_before_margin=0)
                session.add(state)
            elif state.channel_id != info.channel_id:
                raise StatsError(
                    f"this workspace holds the statistics of the channel {state.channel_title!r}"
                    f" ({state.channel_id}), but you are signed in to {info.title!r} ({info.channel_id}) —"
                    " sign in with the right account (`mlprod auth login`), or use another workspace")
            state.channel_title = info.title
            state.channel_started = min(state.channel_started, info.started)
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
                                           lambda day: _net_through(nets, day), state.synced_through)
            state.subscribers_before = anchor.subscribers_before
            state.subscribers_before_margin = anchor.margin
            explained = _net_through(nets, state.synced_through)
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
        result.quota_units = self.data_api.spent + self.analytics_api.spent


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


def _net_through(cumulative: list[tuple[dt.date, int]], day: dt.date) -> int:
    """Gains minus losses from the first day through ``day`` (binary search)."""
    low, high = 0, len(cumulative)
    while low < high:
        mid = (low + high) // 2
        if cumulative[mid][0] <= day:
            low = mid + 1
        else:
            high = mid
    return cumulative[low - 1][1] if low else 0


def _moment(text: object) -> dt.datetime | None:
    if not text:
        return None
    try:
        return dt.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None


def _naive(moment: dt.datetime | None) -> dt.datetime | None:
    """UTC without tzinfo: SQLite gives stored moments back naive."""
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def _date(text: object) -> dt.date | None:
    moment = _moment(text)
    return moment.date() if moment else None


__all__ = ["StatsError", "SyncResult", "anchor_from_snapshots", "sync_stats"]
