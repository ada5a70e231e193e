"""``mlprod expire``: job offers whose offer has closed leave the public eye, on every platform.

Each publication of a job offer whose ``offer.closes`` is before today (Paris time) is taken down
by its platform (YouTube: unlisted, the notice that the offer is filled or closed on the first
line of its description, out of its playlist) — or, where the platform's API cannot, listed for
staff to remove by hand. Done once: ``Publication.expired_at`` records it; a run interrupted
halfway is finished by the next one without writing the notice twice. A platform that fails (a
lost sign-in, a deleted webhook) does not stop the others: its offer carries the problem.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from mlprod.clock import paris_today
from mlprod.config import Settings
from mlprod.errors import MlprodError
from mlprod.jobs.platforms import open_platform
from mlprod.jobs.records import publication_row, view_of, workspace_path
from mlprod.publishing import Platform, PlatformOptions, PublicationView
from mlprod.publishing.markers import marker_for
from mlprod.recipe import load_recipe
from mlprod.states import PlatformName, Privacy, PublicationState, Step, VideoKind
from mlprod.store import Database
from mlprod.store.models import Publication, utcnow


@dataclass
class ExpiredOffer:
    recipe: str
    platform: PlatformName
    remote_id: str
    url: str | None
    title: str
    closes: dt.date
    done: bool = False
    note: str = ""
    by_hand: str | None = None
    """What staff must do where the platform's API cannot take the publication down."""
    problem: str | None = None
    """Why it could not be taken down this time (the next run tries again)."""

    @property
    def youtube_id(self) -> str | None:
        return self.remote_id if self.platform is PlatformName.youtube else None

    def to_json(self) -> dict[str, Any]:
        return {"recipe": self.recipe, "platform": self.platform.value, "youtube_id": self.youtube_id,
                "remote_id": self.remote_id, "url": self.url, "title": self.title,
                "closes": self.closes.isoformat(), "done": self.done, "note": self.note,
                "by_hand": self.by_hand, "problem": self.problem}


def _closed(db: Database, today: dt.date, only: PlatformName | None = None) -> list[PublicationView]:
    with db.transaction() as s:
        query = select(Publication).where(
            Publication.kind == VideoKind.job_offer, Publication.offer_closes.is_not(None),
            Publication.offer_closes < today, Publication.expired_at.is_(None),  # by hand: listed again
        )
        if only is not None:
            query = query.where(Publication.platform == only)
        rows = s.scalars(query.order_by(Publication.offer_closes, Publication.recipe, Publication.id))
        return [view_of(r) for r in rows]


def _offer(publication: PublicationView) -> ExpiredOffer:
    assert publication.offer_closes is not None
    return ExpiredOffer(publication.recipe, publication.platform, publication.remote_id, publication.url,
                        publication.title, publication.offer_closes)


def closed_offers(db: Database, today: dt.date) -> list[ExpiredOffer]:
    """Published job offers whose offer closed before ``today`` and that are not taken down yet."""
    return [_offer(p) for p in _closed(db, today)]


def expire_offers(settings: Settings, db: Database, *, dry_run: bool = False,
                  now: dt.datetime | None = None,
                  platforms: dict[PlatformName, Platform] | None = None,
                  only: PlatformName | None = None) -> list[ExpiredOffer]:
    """Take every closed offer down (or, with ``dry_run``, only list them); ``only``: on that
    platform only. One platform failing does not stop the others (``ExpiredOffer.problem``)."""
    closed = _closed(db, paris_today(now), only)
    offers = [_offer(p) for p in closed]
    if dry_run:
        return offers
    opened = dict(platforms or {})
    for publication, offer in zip(closed, offers, strict=True):
        name = publication.platform
        try:
            if name not in opened:
                opened[name] = open_platform(name, settings, db, PlatformOptions())
            _expire(settings, db, opened[name], publication, offer)
        except MlprodError as err:
            offer.problem = str(err)
    return offers


def _expire(settings: Settings, db: Database, platform: Platform, publication: PublicationView,
            offer: ExpiredOffer) -> None:
    taken = platform.take_down(publication, offer.closes)
    offer.note, offer.by_hand = taken.note, taken.by_hand
    with db.transaction() as s:
        row = publication_row(s, publication.id)
        if taken.done:
            row.expired_at = utcnow()
            row.state = PublicationState.expired
            row.missing = [m for m in row.missing if m != Step.release]  # never shown again
            row.privacy = Privacy.unlisted
            row.publish_at = None
            row.metadata_hash = _expired_fingerprint(settings, platform, row.recipe, offer.closes)
        elif taken.by_hand:
            row.state = PublicationState.remove_by_hand
        row.updated_at = utcnow()
    offer.done = taken.done


def _expired_fingerprint(settings: Settings, platform: Platform, recipe: str, closes: dt.date) -> str | None:
    """What ``publish --update`` will compare with, so it does not undo the expiry."""
    try:
        loaded = load_recipe(workspace_path(settings, recipe))
    except MlprodError:
        return None
    return platform.post_for(loaded, marker_for(platform.name, recipe), closed_on=closes).fingerprint()
