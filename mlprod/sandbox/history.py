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

from mlprod.sandbox.history_growth import (
    WEEKDAY_FACTOR,
    apportion,
    first_subscribers,
    publication_boost,
    subscriber_moves,
)
from mlprod.sandbox.history_spec import HistorySpec

PRE_HISTORY_DAYS = 180
"""The channel is created this many days before the history's start, with no subscriber."""
_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
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
    boost = publication_boost(publish_index, n_days)
    gained, lost = subscriber_moves(rng, spec, n_days, boost)

    series = {
        v.id: _VideoSeries(offset + publish_index[i], array("q"), array("q"), array("q"), array("q"))
        for i, v in enumerate(videos)
    }
    days: list[DayStats] = []
    subscribers = spec.start_count
    for i in range(n_days):
        day = spec.start + timedelta(days=i)
        factor = WEEKDAY_FACTOR[day.weekday()] * math.sqrt(boost[i]) * rng.uniform(0.8, 1.2)
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
    boost = publication_boost(indexes, n_days)
    gained, lost = first_subscribers(rng, spec.start_count, created, n_days, boost)

    series = {
        v.id: _VideoSeries(indexes[i], array("q"), array("q"), array("q"), array("q"))
        for i, v in enumerate(videos)
    }
    days: list[DayStats] = []
    subscribers = 0
    for i in range(n_days):
        day = created + timedelta(days=i)
        factor = WEEKDAY_FACTOR[day.weekday()] * math.sqrt(boost[i]) * rng.uniform(0.8, 1.2)
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
    split_views = apportion(views, weights)
    split_gained = apportion(gained, weights)
    split_lost = apportion(lost, weights)
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
