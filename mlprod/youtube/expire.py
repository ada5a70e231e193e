"""``mlprod expire``: job offers whose offer has closed leave the public eye.

Each published job-offer video whose ``offer.closes`` is before today (Paris time) becomes unlisted
(``videos.update`` with the whole snippet and status parts, read first so nothing else changes),
says on its first line that the offer is filled or closed, and leaves its playlist. Done once:
``Video.expired_at`` records it; a run interrupted halfway is finished by the next one without
writing the notice twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from mlprod.clock import paris_today
from mlprod.config import Settings
from mlprod.errors import MlprodError
from mlprod.recipe import load_recipe
from mlprod.store import Database
from mlprod.store.models import Video, utcnow
from mlprod.youtube.api import Channel, YouTubeRefused
from mlprod.youtube.metadata import mark_expired, metadata_for
from mlprod.youtube.playlists import remove_from_playlist
from mlprod.youtube.records import watch_url, workspace_path

WRITABLE_SNIPPET = ("title", "description", "tags", "categoryId", "defaultLanguage", "defaultAudioLanguage")
WRITABLE_STATUS = ("privacyStatus", "embeddable", "license", "publicStatsViewable",
                   "selfDeclaredMadeForKids", "containsSyntheticMedia")


@dataclass
class ExpiredOffer:
    recipe: str
    youtube_id: str
    title: str
    closes: dt.date
    done: bool = False
    note: str = ""

    @property
    def url(self) -> str:
        return watch_url(self.youtube_id)

    def to_json(self) -> dict[str, Any]:
        return {"recipe": self.recipe, "youtube_id": self.youtube_id, "url": self.url, "title": self.title,
                "closes": self.closes.isoformat(), "done": self.done, "note": self.note}


def closed_offers(db: Database, today: dt.date) -> list[ExpiredOffer]:
    """Published job offers whose offer closed before ``today`` and that are not expired yet."""
    with db.transaction() as s:
        rows = s.scalars(select(Video).where(
            Video.kind == "job_offer", Video.offer_closes.is_not(None), Video.offer_closes < today,
            Video.expired_at.is_(None)).order_by(Video.offer_closes, Video.id))
        return [ExpiredOffer(r.recipe, r.youtube_id, r.title, r.offer_closes) for r in rows
                if r.offer_closes is not None]


def expire_offers(settings: Settings, db: Database, *, dry_run: bool = False,
                  now: dt.datetime | None = None, channel: Channel | None = None) -> list[ExpiredOffer]:
    """Unlist every closed offer (or, with ``dry_run``, only list them)."""
    offers = closed_offers(db, paris_today(now))
    if dry_run or not offers:
        return offers
    if channel is None:
        from mlprod.youtube.auth import youtube

        channel = Channel(youtube(settings), db)
    for offer in offers:
        _expire(settings, db, channel, offer)
    return offers


def _writable(part: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {name: part[name] for name in names if name in part}


def _expire(settings: Settings, db: Database, channel: Channel, offer: ExpiredOffer) -> None:
    answer = channel.call(channel.service.videos().list(part="snippet,status", id=offer.youtube_id),
                          f"reading the video of {offer.recipe}")
    items = answer.get("items") or []
    if items:
        video = items[0]
        snippet = _writable(video.get("snippet", {}), WRITABLE_SNIPPET)
        snippet["description"] = mark_expired(str(snippet.get("description", "")), offer.closes)
        status = _writable(video.get("status", {}), WRITABLE_STATUS)
        status["privacyStatus"] = "unlisted"  # and no publishAt: a closed offer is never scheduled
        body = {"id": offer.youtube_id, "snippet": snippet, "status": status}
        channel.call(channel.service.videos().update(part="snippet,status", body=body),
                     f"unlisting the video of {offer.recipe}")
    else:
        offer.note = "the video is no longer on YouTube; marked expired here"
    with db.transaction() as s:
        row = s.scalar(select(Video).where(Video.youtube_id == offer.youtube_id))
        playlist_id = row.playlist_id if row else None
    if items and playlist_id:
        try:
            remove_from_playlist(channel, playlist_id, offer.youtube_id)
        except YouTubeRefused as err:
            if err.status != 404:  # the playlist itself was deleted: nothing to leave
                raise
    with db.transaction() as s:
        row = s.scalar(select(Video).where(Video.youtube_id == offer.youtube_id))
        if row is not None:
            row.expired_at = utcnow()
            row.privacy = "unlisted"
            row.publish_at = None
            row.metadata_hash = _expired_fingerprint(settings, row.recipe, offer.closes)
    offer.done = True


def _expired_fingerprint(settings: Settings, recipe: str, closes: dt.date) -> str | None:
    """What ``publish --update`` will compare with, so it does not undo the expiry."""
    path = workspace_path(settings, recipe)
    try:
        return metadata_for(load_recipe(path), closed_on=closes).fingerprint() if path else None
    except MlprodError:
        return None
