"""Growth figures from rows: pure functions, no database, no dates read from the clock.

:func:`compute_figures` turns :class:`ReportData` (what :mod:`mlprod.jobs.report` read) into
:class:`ReportFigures`, which the templates, the charts and the CSV writer only display.

Counting subscribers: the exact count at the end of a day is every gain minus every loss since the
channel's creation (the first Analytics day), plus the subscribers the sync had to deduce when those
figures do not explain YouTube's count (0 for a complete history). YouTube's public count is rounded
down to three significant figures, so it is never used here (the sync uses it only as a check).
A day after ``synced_through`` has not been delivered by the API yet: its figures are ``None`` and
shown as "pas encore disponible", never as zero.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

TOP_COUNT = 10


class Kind(StrEnum):
    TUTORIAL = "tutorial"
    JOB_OFFER = "job_offer"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {"tutorial": "Tutoriel", "job_offer": "Offre d'emploi", "other": "Autre vidéo"}[self.value]


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of the same length just before this one."""
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


# -- rows in ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DayRow:
    day: date
    views: int
    minutes: int
    gained: int
    lost: int


@dataclass(frozen=True)
class VideoTotals:
    youtube_id: str
    views: int = 0
    minutes: int = 0
    gained: int = 0
    lost: int = 0


@dataclass(frozen=True)
class VideoInfo:
    youtube_id: str
    title: str
    kind: Kind
    published_on: date | None = None
    theme: str | None = None
    """The tutorial's theme: staff's, its playlist's title, or the one its title suggests."""
    offer_closes: date | None = None
    expired: bool = False
    """Unlisted by `mlprod expire`."""
    ours: bool = False
    """Published by mlprod (its offer's closing date is known)."""


@dataclass(frozen=True)
class ReportData:
    """Everything the report needs, as read from the database."""

    channel_title: str
    first_day: date
    """The first day of the channel's Analytics figures."""
    synced_through: date
    subscribers_before_rows: int
    """Exact count at the end of the day before ``rows[0]`` (or before ``first_day`` when empty)."""
    rows: Sequence[DayRow]
    """Consecutive delivered days from max(previous period start, first_day) to the report's end."""
    video_period: Sequence[VideoTotals]
    """Per-video sums over the report's period."""
    video_lifetime_views: dict[str, int]
    videos: dict[str, VideoInfo]
    subscribers_deduced: int = 0
    """Subscribers the Analytics figures do not explain (their history is incomplete), deduced by
    the sync from YouTube's rounded count and counted before ``first_day``; 0 when they go back to
    the channel's creation."""
    subscriber_margin: int = 0
    """How far the deduced subscribers may be too low."""


# -- figures out ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Growth:
    start_count: int
    end_count: int

    @property
    def net(self) -> int:
        return self.end_count - self.start_count

    @property
    def rate(self) -> float | None:
        """Growth in percent of the starting count (None when the channel started from zero)."""
        return self.net * 100 / self.start_count if self.start_count else None


@dataclass(frozen=True)
class DailyLine:
    day: date
    figures: DayRow | None
    """None: not delivered by the API yet."""
    subscribers: int | None


@dataclass(frozen=True)
class WeekLine:
    first: date
    last: date
    views: int | None
    minutes: int | None
    delivered_days: int

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def partial(self) -> bool:
        return 0 < self.delivered_days < self.days


@dataclass(frozen=True)
class VideoLine:
    info: VideoInfo
    period: VideoTotals
    lifetime_views: int = 0

    @property
    def net_subscribers(self) -> int:
        return self.period.gained - self.period.lost


@dataclass(frozen=True)
class VideoGroup:
    name: str
    lines: list[VideoLine]

    @property
    def views(self) -> int:
        return sum(line.period.views for line in self.lines)

    @property
    def gained(self) -> int:
        return sum(line.period.gained for line in self.lines)

    @property
    def minutes(self) -> int:
        return sum(line.period.minutes for line in self.lines)


@dataclass(frozen=True)
class OfferLine:
    video: VideoLine
    is_open: bool | None
    """None for an offer mlprod did not publish: its closing date is not known."""


@dataclass(frozen=True)
class ReportFigures:
    channel_title: str
    period: Period
    generated_on: date
    synced_through: date
    first_day: date
    subscribers_start: int
    growth: Growth | None
    """None when the period's last day is not delivered yet."""
    latest_known: tuple[date, int]
    """The last delivered day of the period and the count at its end."""
    previous: Growth | None
    """The previous period of the same length, when the statistics cover it whole."""
    views: int
    minutes: int
    pending_days: int
    daily: list[DailyLine]
    weeks: list[WeekLine]
    top_by_subscribers: list[VideoLine]
    top_by_views: list[VideoLine]
    themes: list[VideoGroup]
    offers: list[OfferLine]
    others: VideoGroup
    published: list[VideoInfo]
    subscribers_deduced: int = 0
    subscriber_margin: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.pending_days == 0


def compute_figures(data: ReportData, period: Period, today: date) -> ReportFigures:
    """The report's figures for ``period`` (its days after ``synced_through`` are pending)."""
    counts = _end_of_day_counts(data.subscribers_before_rows, data.rows)
    by_day = {row.day: row for row in data.rows}
    start_count = _count_before(period.start, data, counts)
    delivered_end = min(period.end, data.synced_through)
    end_count = counts.get(delivered_end, start_count)
    growth = Growth(start_count, end_count) if period.end <= data.synced_through else None
    previous = _previous_growth(period, data, counts)
    daily = _daily_lines(period, data, by_day, start_count)
    delivered = [line.figures for line in daily if line.figures is not None]
    lines = _video_lines(data)
    return ReportFigures(
        channel_title=data.channel_title,
        period=period,
        generated_on=today,
        synced_through=data.synced_through,
        first_day=data.first_day,
        subscribers_start=start_count,
        growth=growth,
        latest_known=(delivered_end, end_count),
        previous=previous,
        views=sum(row.views for row in delivered),
        minutes=sum(row.minutes for row in delivered),
        pending_days=max((period.end - max(data.synced_through, period.start - timedelta(days=1))).days, 0),
        daily=daily,
        weeks=weekly(daily),
        top_by_subscribers=_top(lines, key=lambda v: (v.period.gained, v.period.views)),
        top_by_views=_top(lines, key=lambda v: (v.period.views, v.period.gained)),
        themes=_themes(lines, period),
        offers=_offers(lines, period, today),
        others=_others(lines),
        published=sorted((v for v in data.videos.values() if v.published_on in period),
                         key=lambda v: (v.published_on or period.start, v.title)),
        subscribers_deduced=data.subscribers_deduced,
        subscriber_margin=data.subscriber_margin,
    )


def _days(first: date, last: date) -> Iterable[date]:
    for offset in range((last - first).days + 1):
        yield first + timedelta(days=offset)


def _daily_lines(period: Period, data: ReportData, by_day: dict[date, DayRow],
                 start_count: int) -> list[DailyLine]:
    """One line per day of the period; delivered days without a row had no activity at all."""
    lines = []
    running = start_count
    for day in _days(period.start, period.end):
        if day > data.synced_through:
            lines.append(DailyLine(day, None, None))
            continue
        row = by_day.get(day) or DayRow(day, 0, 0, 0, 0)
        running += row.gained - row.lost
        lines.append(DailyLine(day, row, running))
    return lines


def _end_of_day_counts(before: int, rows: Sequence[DayRow]) -> dict[date, int]:
    counts: dict[date, int] = {}
    running = before
    for row in rows:
        running += row.gained - row.lost
        counts[row.day] = running
    return counts


def _count_before(day: date, data: ReportData, counts: dict[date, int]) -> int:
    """Exact count at the start of ``day`` (the end of the day before)."""
    yesterday = day - timedelta(days=1)
    if yesterday in counts:
        return counts[yesterday]
    earlier = [d for d in counts if d <= yesterday]
    return counts[max(earlier)] if earlier else data.subscribers_before_rows


def _previous_growth(period: Period, data: ReportData, counts: dict[date, int]) -> Growth | None:
    previous = period.previous()
    if previous.start < data.first_day:
        return None
    return Growth(_count_before(previous.start, data, counts), _count_before(period.start, data, counts))


def weekly(daily: Sequence[DailyLine]) -> list[WeekLine]:
    """Monday-to-Sunday weeks, cut to the period; a week with no delivered day has None figures."""
    weeks: list[WeekLine] = []
    current: list[DailyLine] = []
    for line in daily:
        if current and line.day.weekday() == 0:
            weeks.append(_week(current))
            current = []
        current.append(line)
    if current:
        weeks.append(_week(current))
    return weeks


def _week(lines: list[DailyLine]) -> WeekLine:
    delivered = [line.figures for line in lines if line.figures is not None]
    if not delivered:
        return WeekLine(lines[0].day, lines[-1].day, None, None, 0)
    return WeekLine(lines[0].day, lines[-1].day, sum(f.views for f in delivered),
                    sum(f.minutes for f in delivered), len(delivered))


def _video_lines(data: ReportData) -> list[VideoLine]:
    totals = {t.youtube_id: t for t in data.video_period}
    ids = set(totals) | set(data.videos)
    lines = []
    for youtube_id in ids:
        info = data.videos.get(youtube_id) or VideoInfo(youtube_id, youtube_id, Kind.OTHER)
        lines.append(VideoLine(info, totals.get(youtube_id, VideoTotals(youtube_id)),
                               data.video_lifetime_views.get(youtube_id, 0)))
    return sorted(lines, key=lambda v: (v.info.title, v.info.youtube_id))


def _top(lines: list[VideoLine], key: Callable[[VideoLine], tuple[int, int]]) -> list[VideoLine]:
    active = [v for v in lines if v.period.views or v.period.gained]
    ranked = sorted(active, key=lambda v: (*key(v), v.info.youtube_id), reverse=True)
    return ranked[:TOP_COUNT]


def _visible_in(line: VideoLine, period: Period) -> bool:
    """Published by the end of the period (or with figures in it)."""
    published = line.info.published_on
    return bool(line.period.views or line.period.gained or line.period.lost) or (
        published is not None and published <= period.end)


def _themes(lines: list[VideoLine], period: Period) -> list[VideoGroup]:
    groups: dict[str, list[VideoLine]] = {}
    for line in lines:
        if line.info.kind is Kind.TUTORIAL and _visible_in(line, period):
            groups.setdefault(line.info.theme or "Sans playlist", []).append(line)
    return sorted(
        (VideoGroup(name, sorted(group, key=lambda v: -v.period.views)) for name, group in groups.items()),
        key=lambda g: (-g.views, g.name),
    )


def _offers(lines: list[VideoLine], period: Period, today: date) -> list[OfferLine]:
    offers = []
    for line in lines:
        if line.info.kind is Kind.JOB_OFFER and _visible_in(line, period):
            closes, is_open = line.info.offer_closes, None
            if line.info.ours:
                is_open = not line.info.expired and (closes is None or closes >= today)
            offers.append(OfferLine(line, is_open))
    order = {True: 0, None: 1, False: 2}
    return sorted(offers, key=lambda o: (order[o.is_open], -o.video.period.views, o.video.info.title))


def _others(lines: list[VideoLine]) -> VideoGroup:
    others = [v for v in lines if v.info.kind is Kind.OTHER and (v.period.views or v.period.gained)]
    return VideoGroup("Autres vidéos", sorted(others, key=lambda v: (-v.period.views, v.info.youtube_id)))
