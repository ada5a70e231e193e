"""The report's comparison of platforms, from rows it is given (pure: no database, no clock).

One line per platform mlprod published on (YouTube always: it is the channel): its followers at
the start and at the end of the period and the gain, the views the period brought, what was
published then, and the posts that brought the most views.

Where each figure comes from:

* YouTube: the channel's exact subscriber counts and daily views (YouTube Analytics), the Shorts'
  views taken out of them and shown on their own line. A Short's followers are the channel's: its
  line shows none, so that nobody is counted twice.
* Facebook, Instagram: ``mlprod stats sync`` records the followers once a day and each post's
  views so far (a lifetime total). Followers at the start: the last reading on or before the
  first day (else the first reading in the period, said in a note); at the end: the last reading on
  or before the last day. A post's views in the period: its total at the end minus its total
  before the period (nothing before: it was posted in the period).
* Discord: a webhook reads neither members nor views; its line counts the announcements only.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from mlprod.french import fr_date
from mlprod.report.figures import Period
from mlprod.states import PlatformName

TOP_POSTS = 3
ORDER = tuple(PlatformName)
T = TypeVar("T")


@dataclass(frozen=True)
class Post:
    """One publication of mlprod's, as the comparison reads it."""

    platform: PlatformName
    remote_id: str
    title: str
    url: str | None
    published_on: dt.date | None


@dataclass(frozen=True)
class PlatformRows:
    """What :mod:`mlprod.jobs.report_platforms` read for the comparison."""

    posts: Sequence[Post]
    followers: Mapping[PlatformName, Sequence[tuple[dt.date, int | None]]]
    """Facebook's and Instagram's daily followers, by day."""
    post_totals: Mapping[tuple[PlatformName, str], Sequence[tuple[dt.date, int]]]
    """Each Facebook or Instagram post's lifetime views, by day."""
    youtube_views: Mapping[str, int]
    """Each YouTube video's views in the period (Shorts included), from YouTube Analytics."""
    youtube_start: int
    youtube_end: int | None
    """The channel's subscribers at the end of the period; None when not delivered yet."""
    channel_views: int


@dataclass(frozen=True)
class PostLine:
    title: str
    url: str | None
    views: int


@dataclass(frozen=True)
class PlatformLine:
    platform: PlatformName
    followers_start: int | None
    followers_end: int | None
    views: int | None
    """None where the platform gives no views (Discord)."""
    published: int
    """Publications made during the period."""
    top: tuple[PostLine, ...] = ()
    note: str = ""

    @property
    def label(self) -> str:
        return self.platform.label

    @property
    def gain(self) -> int | None:
        if self.followers_start is None or self.followers_end is None:
            return None
        return self.followers_end - self.followers_start


def _reading(rows: Sequence[tuple[dt.date, T]], day: dt.date) -> tuple[dt.date, T] | None:
    """The last reading on or before ``day`` (``rows`` by day)."""
    at = bisect.bisect_right([d for d, _ in rows], day)
    return rows[at - 1] if at else None


def _followers(rows: Sequence[tuple[dt.date, int | None]],
               period: Period) -> tuple[int | None, int | None, str]:
    if not rows:
        return None, None, "pas encore de relevé des abonnés (« mlprod stats sync »)"
    start = _reading(rows, period.start)
    note = ""
    if start is None:
        first = next(((d, n) for d, n in rows if d in period), None)
        if first is not None:
            note = f"premier relevé des abonnés le {fr_date(first[0])}"
        start = first
    end = _reading(rows, period.end)
    return (start[1] if start else None), (end[1] if end else None), note


def _post_views(totals: Sequence[tuple[dt.date, int]], period: Period) -> int:
    """Views in the period: the lifetime total at its end minus the one before it began."""
    end = _reading(totals, period.end)
    before = _reading(totals, period.start - dt.timedelta(days=1))
    return max((end[1] if end else 0) - (before[1] if before else 0), 0)


def _top(lines: list[tuple[Post, int]]) -> tuple[PostLine, ...]:
    ranked = sorted((pair for pair in lines if pair[1] > 0), key=lambda pair: (-pair[1], pair[0].title))
    return tuple(PostLine(post.title, post.url, views) for post, views in ranked[:TOP_POSTS])


def compare_platforms(rows: PlatformRows, period: Period) -> tuple[PlatformLine, ...]:
    """One line per platform with publications (YouTube always), in the usual order."""
    by_platform: dict[PlatformName, list[Post]] = {PlatformName.youtube: []}
    for post in rows.posts:
        by_platform.setdefault(post.platform, []).append(post)
    for name in rows.followers:
        by_platform.setdefault(name, [])
    lines = []
    shorts = by_platform.get(PlatformName.youtube_short, [])
    shorts_views = sum(rows.youtube_views.get(p.remote_id, 0) for p in shorts)
    for name in sorted(by_platform, key=ORDER.index):
        posts = by_platform[name]
        published = sum(1 for p in posts if p.published_on in period)
        if name in (PlatformName.youtube, PlatformName.youtube_short):
            views = [(p, rows.youtube_views.get(p.remote_id, 0)) for p in posts]
            if name is PlatformName.youtube:
                lines.append(PlatformLine(name, rows.youtube_start, rows.youtube_end,
                                          rows.channel_views - shorts_views, published, _top(views)))
            else:
                lines.append(PlatformLine(name, None, None, shorts_views, published, _top(views),
                                          "abonnés : ceux de la chaîne YouTube"))
        elif name is PlatformName.discord:
            lines.append(PlatformLine(name, None, None, None, published,
                                      note="Discord ne donne ni membres ni vues : annonces seules"))
        else:
            start, end, note = _followers(rows.followers.get(name, ()), period)
            views = [(p, _post_views(rows.post_totals.get((name, p.remote_id), ()), period)) for p in posts]
            total = sum(v for _, v in views)
            lines.append(PlatformLine(name, start, end, total, published, _top(views), note))
    return tuple(lines)
