"""``mlprod stats sync`` beyond YouTube: each platform's followers per day and its posts' views.

YouTube's figures come from YouTube Analytics (:mod:`mlprod.jobs.stats`). The other platforms
(Facebook, Instagram) are asked through the platform interface (:meth:`Platform.audience`): the
followers now, recorded for today (Paris), and every publication's views so far, recorded for
today too; a second sync the same day replaces that day's figures. One platform failing (a lost
sign-in) does not stop the others: its problem is reported with the fix.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from mlprod.clock import paris_today
from mlprod.config import Settings
from mlprod.errors import MlprodError
from mlprod.jobs.platforms import open_platform
from mlprod.publishing import Platform
from mlprod.states import PlatformName
from mlprod.store import Database
from mlprod.store.models import PlatformFollowers, Publication, PublicationViews, utcnow


@dataclass(frozen=True)
class AudienceResult:
    platform: PlatformName
    day: dt.date
    followers: int | None = None
    posts: int = 0
    views: int = 0
    problem: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"platform": self.platform.value, "day": self.day.isoformat(), "followers": self.followers,
                "posts": self.posts, "views": self.views, "problem": self.problem}


SYNCED_ELSEWHERE = frozenset({PlatformName.youtube, PlatformName.youtube_short, PlatformName.discord})
"""YouTube and its Shorts: YouTube Analytics gives their figures (per video, Shorts included);
Discord: a webhook reads neither members nor views, there is nothing to sync."""


def platforms_with_publications(db: Database) -> list[PlatformName]:
    """Every platform mlprod published on whose figures are read here (Facebook, Instagram)."""
    with db.transaction() as s:
        names = s.scalars(select(Publication.platform).distinct())
        return sorted((n for n in names if n not in SYNCED_ELSEWHERE), key=lambda n: n.value)


def _remote_ids(db: Database, name: PlatformName) -> list[str]:
    with db.transaction() as s:
        return list(s.scalars(select(Publication.remote_id).where(Publication.platform == name)
                              .order_by(Publication.id)))


def sync_audiences(settings: Settings, db: Database, names: Sequence[PlatformName] | None = None, *,
                   now: dt.datetime | None = None,
                   platforms: dict[PlatformName, Platform] | None = None) -> list[AudienceResult]:
    """Record today's followers and views on each of ``names`` (default: where mlprod published)."""
    day = paris_today(now)
    results = []
    for name in names if names is not None else platforms_with_publications(db):
        try:
            platform = (platforms or {}).get(name) or open_platform(name, settings, db)
            figures = platform.audience(_remote_ids(db, name))
        except MlprodError as err:
            results.append(AudienceResult(name, day, problem=str(err)))
            continue
        _record(db, name, day, figures.followers, figures.views)
        results.append(AudienceResult(name, day, figures.followers, len(figures.views),
                                      sum(figures.views.values())))
    return results


def _record(db: Database, name: PlatformName, day: dt.date, followers: int | None,
            views: dict[str, int] | Any) -> None:
    """Today's figures for ``name``, in one transaction (replacing an earlier sync's of the day)."""
    with db.transaction() as s:
        row = s.scalar(select(PlatformFollowers).where(PlatformFollowers.platform == name,
                                                       PlatformFollowers.day == day))
        if row is None:
            s.add(PlatformFollowers(platform=name, day=day, followers=followers))
        else:
            row.followers, row.synced_at = followers, utcnow()
        known = {v.remote_id: v for v in s.scalars(select(PublicationViews).where(
            PublicationViews.platform == name, PublicationViews.day == day))}
        for remote_id, count in views.items():
            if remote_id in known:
                known[remote_id].views, known[remote_id].synced_at = count, utcnow()
            else:
                s.add(PublicationViews(platform=name, remote_id=remote_id, day=day, views=count))
