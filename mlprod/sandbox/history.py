"""A channel's past, made up but deterministic (``--history START:COUNT,END:COUNT``).

Pure functions: :func:`channel_history` is the ground truth the sandbox's Analytics reports and
``channels.list`` are read from, and what tests of the growth report compare against.

Conventions: the channel is created :data:`PRE_HISTORY_DAYS` days before ``start`` (``created``,
its ``channels.list`` publication date) with 0 subscribers, like a real channel whose Analytics go
back to its creation. The quieter days ``created``..``start - 1`` (the pre-history, with a few
older videos) bring it to exactly ``start_count`` subscribers when ``start`` begins; the daily gains
and losses of the days ``start``..``end`` (inclusive) make up the difference to exactly ``end_count``
when ``end`` ends. After ``end`` nothing happens. Every day's channel figures are the sums of its
videos' figures.

The pre-history is drawn from its own random stream, and its videos have figures only before
``start``: the figures from ``start`` on (channel and videos) depend on the spec alone and are the
same as before the pre-history existed.
"""

from __future__ import annotations

import math
import random
from array import array
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from mlprod.sandbox.errors import SandboxSpecError

PRE_HISTORY_DAYS = 180
"""The channel is created this many days before the history's start, with no subscriber."""
_EXAMPLE = "e.g. 2020-03-16:600,2020-05-16:2300"
_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_WEEKDAY_FACTOR = (1.0, 1.05, 1.05, 1.0, 0.95, 0.8, 0.75)  # Monday first
_TOPICS = (
    "Préparer son entretien",
    "Rédiger son CV",
    "Offre d'emploi",
    "Atelier numérique",
    "Témoignage",
    "Trouver une formation",
    "Le contrat d'apprentissage",
    "Aides à la mobilité",
)
_EARLY_TOPICS = (
    "Bienvenue sur la chaîne",
    "Qui sommes-nous ?",
    "Nos services en deux minutes",
    "S'inscrire en ligne",
    "Les ateliers du mois",
    "Questions fréquentes",
)


@dataclass(frozen=True)
class HistorySpec:
    start: date
    start_count: int
    end: date
    end_count: int

    def __str__(self) -> str:
        return f"{self.start}:{self.start_count},{self.end}:{self.end_count}"


def parse_history(spec: str) -> HistorySpec:
    """Parse ``START:COUNT,END:COUNT``; raise :class:`SandboxSpecError` with the fix."""
    items = [item.strip() for item in spec.split(",") if item.strip()]
    if len(items) != 2:
        raise SandboxSpecError(
            f'--history: "{spec}": write START:COUNT,END:COUNT (two dates), {_EXAMPLE}'
        )
    (start, start_count), (end, end_count) = (_parse_point(item) for item in items)
    if end <= start:
        raise SandboxSpecError(
            f"--history: the end date ({end}) must come after the start date ({start}), {_EXAMPLE}"
        )
    return HistorySpec(start, start_count, end, end_count)


def _parse_point(item: str) -> tuple[date, int]:
    day_text, colon, count_text = item.rpartition(":")
    if not colon or not day_text:
        raise SandboxSpecError(f'--history: "{item}": write DATE:COUNT, {_EXAMPLE}')
    try:
        day = date.fromisoformat(day_text.strip())
    except ValueError:
        raise SandboxSpecError(
            f'--history: "{item}": {day_text} is not a date — write YYYY-MM-DD, {_EXAMPLE}'
        ) from None
    count_text = count_text.strip()
    if not count_text.isdigit():
        raise SandboxSpecError(
            f'--history: "{item}": COUNT must be a whole number of subscribers, {_EXAMPLE}'
        )
    return day, int(count_text)


@dataclass(frozen=True)
class DayStats:
    day: date
    views: int
    estimated_minutes_watched: int
    subscribers_gained: int
    subscribers_lost: int
    subscribers: int
    """Exact subscriber count at the end of the day."""


@dataclass(frozen=True)
class PastVideo:
    id: str
    title: str
    published: date
    duration_seconds: int


@dataclass(frozen=True)
class VideoFigures:
    """A video's figures over a day or a period."""

    video_id: str
    views: int
    estimated_minutes_watched: int
    subscribers_gained: int
    subscribers_lost: int


@dataclass
class _VideoSeries:
    offset: int  # index of the publication day
    views: array[int]
    minutes: array[int]
    gained: array[int]
    lost: array[int]


class ChannelHistory:
    """Daily channel figures and per-video figures from the channel's creation to the spec's end.

    ``days`` holds one :class:`DayStats` per day from ``created`` (index 0) to ``spec.end``: the
    pre-history (``created``..``spec.start - 1``) then the spec's days. ``videos`` are in
    publication order, the pre-history's first.
    """

    def __init__(
        self,
        spec: HistorySpec,
        created: date,
        days: list[DayStats],
        videos: list[PastVideo],
        series: dict[str, _VideoSeries],
    ) -> None:
        self.spec = spec
        self.created = created
        self.days = tuple(days)
        self.videos = tuple(videos)
        self._series = series

    def _index(self, day: date) -> int:
        return (day - self.created).days

    def day(self, day: date) -> DayStats | None:
        """The day's figures (None before the channel's creation or after ``spec.end``)."""
        index = self._index(day)
        return self.days[index] if 0 <= index < len(self.days) else None

    def days_between(self, start: date, end: date) -> list[DayStats]:
        """The days of the history within ``start``..``end`` (inclusive)."""
        first = max(self._index(start), 0)
        last = min(self._index(end), len(self.days) - 1)
        return list(self.days[first : last + 1]) if first <= last else []

    def subscribers_at_end_of(self, day: date) -> int:
        """Exact count at the end of ``day`` (0 before the creation, the end count after the end)."""
        if day < self.created:
            return 0
        if day >= self.spec.end:
            return self.spec.end_count
        return self.days[self._index(day)].subscribers

    def views_through(self, day: date) -> int:
        """The channel's views from its creation through ``day``."""
        return sum(d.views for d in self.days_between(self.created, day))

    def videos_published_by(self, day: date) -> list[PastVideo]:
        return [v for v in self.videos if v.published <= day]

    def video_day(self, video_id: str, day: date) -> VideoFigures:
        """One video's figures on one day (zeros outside its life or the history)."""
        series = self._series[video_id]
        k = self._index(day) - series.offset
        if not 0 <= k < len(series.views):
            return VideoFigures(video_id, 0, 0, 0, 0)
        return VideoFigures(
            video_id, series.views[k], series.minutes[k], series.gained[k], series.lost[k]
        )

    def video_totals(self, start: date, end: date) -> list[VideoFigures]:
        """Each video's sums over ``start``..``end``, in publication order, zero rows left out."""
        totals = []
        for video in self.videos:
            series = self._series[video.id]
            first = max(self._index(start) - series.offset, 0)
            last = min(self._index(end) - series.offset, len(series.views) - 1)
            if first > last:
                continue
            window = slice(first, last + 1)
            figures = VideoFigures(
                video.id,
                sum(series.views[window]),
                sum(series.minutes[window]),
                sum(series.gained[window]),
                sum(series.lost[window]),
            )
            if figures.views or figures.subscribers_gained or figures.subscribers_lost:
                totals.append(figures)
        return totals


@lru_cache(maxsize=8)
def channel_history(spec: HistorySpec) -> ChannelHistory:
    """The deterministic history for ``spec`` (same spec, same figures, on every machine)."""
    created = spec.start - timedelta(days=PRE_HISTORY_DAYS)
    days, videos, series = _spec_days(spec, offset=PRE_HISTORY_DAYS)
    early_days, early_videos, early_series = _pre_history(spec, created, {v.id for v in videos})
    return ChannelHistory(
        spec, created, early_days + days, early_videos + videos, {**early_series, **series}
    )


def _spec_days(
    spec: HistorySpec, offset: int
) -> tuple[list[DayStats], list[PastVideo], dict[str, _VideoSeries]]:
    """The days ``start``..``end``: from ``start_count`` to ``end_count`` subscribers.

    ``offset`` is the index of ``start`` in the whole history (the series' publication indexes).
    """
    rng = random.Random(f"mlprod-history/{spec}")  # noqa: S311 — made-up figures, seeded on purpose
    n_days = (spec.end - spec.start).days + 1
    videos, publish_index, weight, minutes_per_view = _past_videos(rng, spec, n_days)
    boost = _publication_boost(publish_index, n_days)
    gained, lost = _subscriber_moves(rng, spec, n_days, boost)

    series = {
        v.id: _VideoSeries(offset + publish_index[i], array("q"), array("q"), array("q"), array("q"))
        for i, v in enumerate(videos)
    }
    days: list[DayStats] = []
    subscribers = spec.start_count
    for i in range(n_days):
        day = spec.start + timedelta(days=i)
        factor = _WEEKDAY_FACTOR[day.weekday()] * math.sqrt(boost[i]) * rng.uniform(0.8, 1.2)
        views = max(1, round((subscribers * 0.06 + 15) * factor))
        minutes = _split_day(
            series, videos, publish_index, weight, minutes_per_view, i, views, gained[i], lost[i]
        )
        subscribers += gained[i] - lost[i]
        days.append(DayStats(day, views, minutes, gained[i], lost[i], subscribers))
    return days, videos, series


def _pre_history(
    spec: HistorySpec, created: date, taken_ids: set[str]
) -> tuple[list[DayStats], list[PastVideo], dict[str, _VideoSeries]]:
    """The days ``created``..``start - 1``: from 0 to ``start_count`` subscribers, quieter.

    Its own random stream, so that the days from ``start`` on do not depend on it.
    """
    rng = random.Random(f"mlprod-history-before/{spec}")  # noqa: S311 — made-up, seeded on purpose
    n_days = PRE_HISTORY_DAYS
    count = max(1, round(n_days / 30))
    indexes = sorted([0] + [rng.randrange(n_days) for _ in range(count - 1)])
    videos, weights, minutes_per_view = [], [], []
    for number, index in enumerate(indexes, start=1):
        duration = rng.randint(30, 240)
        video_id = _video_id(rng)
        while video_id in taken_ids:
            video_id = _video_id(rng)
        taken_ids.add(video_id)
        topic = _EARLY_TOPICS[(number - 1) % len(_EARLY_TOPICS)]
        round_number = (number - 1) // len(_EARLY_TOPICS) + 1
        title = topic if round_number == 1 else f"{topic} ({round_number})"
        videos.append(PastVideo(video_id, title, created + timedelta(days=index), duration))
        weights.append(rng.uniform(0.5, 2.0))
        minutes_per_view.append(duration * rng.uniform(0.35, 0.65) / 60)
    boost = _publication_boost(indexes, n_days)
    gained, lost = _first_subscribers(rng, spec.start_count, created, n_days, boost)

    series = {
        v.id: _VideoSeries(indexes[i], array("q"), array("q"), array("q"), array("q"))
        for i, v in enumerate(videos)
    }
    days: list[DayStats] = []
    subscribers = 0
    for i in range(n_days):
        day = created + timedelta(days=i)
        factor = _WEEKDAY_FACTOR[day.weekday()] * math.sqrt(boost[i]) * rng.uniform(0.8, 1.2)
        views = max(0, round((subscribers * 0.05 + 2 + 6 * i / n_days) * factor))
        minutes = _split_day(
            series, videos, indexes, weights, minutes_per_view, i, views, gained[i], lost[i]
        )
        subscribers += gained[i] - lost[i]
        days.append(DayStats(day, views, minutes, gained[i], lost[i], subscribers))
    assert subscribers == spec.start_count
    return days, videos, series


def _split_day(
    series: dict[str, _VideoSeries],
    videos: list[PastVideo],
    publish_index: list[int],
    weight: list[float],
    minutes_per_view: list[float],
    i: int,
    views: int,
    gained: int,
    lost: int,
) -> int:
    """Share day ``i``'s views, gains and losses among the videos out by then; the day's minutes."""
    active = [k for k in range(len(videos)) if publish_index[k] <= i]
    weights = [weight[k] * (0.2 + math.exp(-(i - publish_index[k]) / 12)) for k in active]
    split_views = _apportion(views, weights)
    split_gained = _apportion(gained, weights)
    split_lost = _apportion(lost, weights)
    minutes = 0
    for j, k in enumerate(active):
        s = series[videos[k].id]
        video_minutes = round(split_views[j] * minutes_per_view[k])
        minutes += video_minutes
        s.views.append(split_views[j])
        s.minutes.append(video_minutes)
        s.gained.append(split_gained[j])
        s.lost.append(split_lost[j])
    return minutes


def _video_id(rng: random.Random) -> str:
    return "".join(rng.choice(_ID_ALPHABET) for _ in range(11))


def _past_videos(
    rng: random.Random, spec: HistorySpec, n_days: int
) -> tuple[list[PastVideo], list[int], list[float], list[float]]:
    count = max(1, round(n_days / 10))
    indexes = sorted([0] + [rng.randrange(n_days) for _ in range(count - 1)])
    videos, weights, minutes_per_view = [], [], []
    for number, index in enumerate(indexes, start=1):
        duration = rng.randint(45, 420)
        video_id = _video_id(rng)
        topic = _TOPICS[(number - 1) % len(_TOPICS)]
        published = spec.start + timedelta(days=index)
        videos.append(PastVideo(video_id, f"{topic} — épisode {number}", published, duration))
        weights.append(rng.uniform(0.5, 2.0))
        minutes_per_view.append(duration * rng.uniform(0.35, 0.65) / 60)
    return videos, indexes, weights, minutes_per_view


def _publication_boost(publish_index: list[int], n_days: int) -> list[float]:
    """Attention is higher for a few days after each publication."""
    boost = [1.0] * n_days
    for index in publish_index:
        for k in range(10):
            if index + k < n_days:
                boost[index + k] += 1.5 * math.exp(-k / 2.5)
    return boost


def _subscriber_moves(
    rng: random.Random, spec: HistorySpec, n_days: int, boost: list[float]
) -> tuple[list[int], list[int]]:
    """Daily gains and losses whose difference sums exactly to ``end_count - start_count``."""
    net = spec.end_count - spec.start_count
    churn = round(0.1 * abs(net) + 0.0005 * n_days * (spec.start_count + spec.end_count) / 2)
    lost_total = churn + max(0, -net)
    gained_total = lost_total + net
    gain_weights = [
        (0.6 + 0.8 * i / max(1, n_days - 1))
        * boost[i]
        * _WEEKDAY_FACTOR[(spec.start + timedelta(days=i)).weekday()]
        * rng.uniform(0.7, 1.3)
        for i in range(n_days)
    ]
    loss_weights = [rng.uniform(0.5, 1.5) for _ in range(n_days)]
    return _apportion(gained_total, gain_weights), _apportion(lost_total, loss_weights)


def _first_subscribers(
    rng: random.Random, target: int, created: date, n_days: int, boost: list[float]
) -> tuple[list[int], list[int]]:
    """Daily gains and losses from 0 to exactly ``target``, never below 0 on any day."""
    lost_total = round(0.08 * target)
    gained_total = target + lost_total
    gain_weights = [
        (0.2 + 1.8 * (i / max(1, n_days - 1)) ** 1.5)
        * boost[i]
        * _WEEKDAY_FACTOR[(created + timedelta(days=i)).weekday()]
        * rng.uniform(0.7, 1.3)
        for i in range(n_days)
    ]
    gained = _apportion(gained_total, gain_weights)
    so_far, loss_weights = 0, []
    for day_gained in gained:  # those who leave are among those who came
        so_far += day_gained
        loss_weights.append(so_far * rng.uniform(0.5, 1.5))
    lost = _apportion(lost_total, loss_weights)
    subscribers = carried = 0
    for i in range(n_days):  # no day loses more than the channel has: the rest leaves later
        wanted = lost[i] + carried
        lost[i] = min(wanted, subscribers + gained[i])
        carried = wanted - lost[i]
        subscribers += gained[i] - lost[i]
    # on the last day the channel ends at target >= 0, so nothing is left to carry
    return gained, lost


def _apportion(total: int, weights: list[float]) -> list[int]:
    """Split the integer ``total`` in proportion to ``weights`` (largest remainders)."""
    if not weights:
        return []
    weight_sum = sum(weights)
    if weight_sum <= 0:
        return [total] + [0] * (len(weights) - 1)
    raw = [total * w / weight_sum for w in weights]
    shares = [int(x) for x in raw]
    by_remainder = sorted(range(len(raw)), key=lambda k: raw[k] - shares[k], reverse=True)
    left = total - sum(shares)
    for k in by_remainder[: max(left, 0)]:
        shares[k] += 1
    for k in reversed(by_remainder):  # float rounding can overshoot by one
        if left >= 0:
            break
        if shares[k] > 0:
            shares[k] -= 1
            left += 1
    return shares
