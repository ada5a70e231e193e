"""Made-up but deterministic figures: followers per day from a ``START:COUNT,END:COUNT`` spec, and
views of a post from its id and age. Pure functions (the same spec and times give the same numbers
on every machine), like YouTube's ``--history``.

Followers: ``START_COUNT`` on and before the start date, daily follows and unfollows that add up
exactly to ``END_COUNT`` at the end of the end date, flat afterwards.
"""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from mlprod.sandbox.history_growth import subscriber_moves
from mlprod.sandbox.history_spec import HistorySpec, parse_history

FACEBOOK_SHARE = 1.4
"""Without a spec of their own, the Page has this many followers per YouTube subscriber…"""
INSTAGRAM_SHARE = 0.9
"""…and the Instagram account this many."""


@dataclass(frozen=True)
class FollowerDay:
    day: date
    followers: int
    """At the end of the day."""
    follows: int
    unfollows: int


class Followers:
    """Followers of one account, day by day (from a spec, or none at all)."""

    def __init__(self, spec: HistorySpec | None) -> None:
        self.spec = spec
        self._days: tuple[FollowerDay, ...] = _days(spec) if spec else ()

    def on(self, day: date) -> FollowerDay:
        if self.spec is None:
            return FollowerDay(day, 0, 0, 0)
        if day < self.spec.start:
            return FollowerDay(day, self.spec.start_count, 0, 0)
        if day > self.spec.end:
            return FollowerDay(day, self.spec.end_count, 0, 0)
        return self._days[(day - self.spec.start).days]

    def count(self, day: date) -> int:
        return self.on(day).followers


@lru_cache(maxsize=32)
def followers(spec_text: str | None) -> Followers:
    return Followers(parse_history(spec_text) if spec_text else None)


def scaled_spec(spec: HistorySpec | None, share: float) -> str | None:
    """A Page's or account's spec drawn from the YouTube ``--history``: same dates, counts scaled."""
    if spec is None:
        return None
    scaled = HistorySpec(spec.start, round(spec.start_count * share), spec.end, round(spec.end_count * share))
    return str(scaled)


def _days(spec: HistorySpec) -> tuple[FollowerDay, ...]:
    rng = random.Random(f"mlprod-followers/{spec}")  # noqa: S311 — made-up figures, seeded on purpose
    n_days = (spec.end - spec.start).days + 1
    gained, lost = subscriber_moves(rng, spec, n_days, [1.0] * n_days)
    days, count = [], spec.start_count
    for i in range(n_days):
        count += gained[i] - lost[i]
        days.append(FollowerDay(spec.start + timedelta(days=i), count, gained[i], lost[i]))
    return tuple(days)


def post_views(post_id: str, published_at: float | None, now: float, audience: int, *, reel: bool) -> int:
    """Views of a post so far: nothing before it is out, then a curve that flattens in a few days."""
    if published_at is None or now <= published_at:
        return 0
    seed = int.from_bytes(hashlib.sha256(post_id.encode()).digest()[:8], "big")
    share = 0.2 + (seed % 1000) / 1000 * 0.6
    peak = (25 + audience * share) * (2.0 if reel else 1.0)
    hours = (now - published_at) / 3600
    return round(peak * (1 - math.exp(-hours / 30)))


def post_reach(views: int) -> int:
    return round(views * 0.7)
