"""A recipe's YouTube metadata: the snippet and status sent with the upload (and with updates).

Job offers get a title and a description in French made from the offer when the recipe does not
write them. Everything is checked against YouTube's rules (:mod:`mlprod.recipe.youtube_rules`) before any
upload: a refused upload still costs quota. ``videos.update`` replaces whole parts, so
:meth:`VideoMetadata.body` always carries every property we manage — mlprod's marker tag included
(:mod:`mlprod.publishing.markers`: how a video is found again without the database).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from mlprod.errors import PublishError
from mlprod.french import fr_date
from mlprod.recipe import LoadedRecipe
from mlprod.recipe.schema import JobOffer, Offer, Publish
from mlprod.recipe.youtube_rules import DESCRIPTION_MAX_BYTES, MARKER_TAG_CHARS, check_metadata
from mlprod.states import Privacy

JOB_OFFERS_PLAYLIST = "Offres d'emploi"
LANGUAGE = "fr"
CAPTIONS_NAME = "Français"
SIGNATURE = "Une offre relayée par la Mission Locale du Pays Salonais."
WATCH_URL = "https://www.youtube.com/watch?v={}"
SHORTS_URL = "https://www.youtube.com/shorts/{}"
TO_SHORT = "La version courte (Short) : "
TO_LONG = "La vidéo complète : "
LONGEST_LINK = TO_SHORT + SHORTS_URL.format("x" * 11)
"""What the checks count for a link line whose video is not online yet."""


def watch_url(youtube_id: str) -> str:
    return WATCH_URL.format(youtube_id)


def shorts_url(youtube_id: str) -> str:
    return SHORTS_URL.format(youtube_id)


def link_line(to_short: bool, url: str) -> str:
    """The line that links a long video to its Short (``to_short``), or a Short to its long video."""
    return (TO_SHORT if to_short else TO_LONG) + url


def with_link(description: str, line: str | None) -> str:
    """``description`` with ``line`` last (after a blank line), once."""
    if not line or line in description:
        return description
    return f"{description.rstrip()}\n\n{line}".strip()


def expired_notice(closed_on: dt.date) -> str:
    return f"Cette offre est pourvue ou close depuis le {fr_date(closed_on)}."


def offer_description(recipe: JobOffer) -> str:
    """The description of a job offer video, in French, made from the offer."""
    offer: Offer = recipe.offer
    contract = offer.contract.label
    lines = [f"{recipe.employer.name} recrute : {offer.position} ({contract}) à {offer.location}.", "",
             f"Poste : {offer.position}", f"Contrat : {contract}", f"Lieu : {offer.location}",
             f"Début : à partir du {fr_date(offer.start)}"]
    if offer.hours:
        lines.append(f"Horaires : {offer.hours}")
    if offer.requirements:
        lines.append(f"Profil recherché : {offer.requirements}")
    if offer.apply:
        lines.append(f"Pour postuler : {offer.apply}")
    lines.append(f"Contact : {offer.contact}")
    if offer.closes:
        lines += ["", f"Offre ouverte jusqu'au {fr_date(offer.closes)}."]
    lines += ["", SIGNATURE]
    return "\n".join(lines)


def offer_tags(recipe: JobOffer) -> list[str]:
    offer = recipe.offer
    return ["offre d'emploi", "recrutement", offer.contract.value, offer.location, offer.position,
            "mission locale"]


@dataclass(frozen=True)
class VideoMetadata:
    """Everything mlprod sets on a video; ``body()`` is the resource for insert and update."""

    title: str
    description: str
    tags: list[str] = field(default_factory=list)
    category_id: str = "27"
    privacy: Privacy = Privacy.public
    publish_at: dt.datetime | None = None
    playlist: str | None = None
    title_field: str = field(default="title", compare=False)
    """Where the title comes from in the recipe, for messages: title or publish.title."""
    marker: str | None = field(default=None, compare=False)
    """mlprod's marker, sent as the last tag (never shown on the watch page)."""
    link: str | None = field(default=None, compare=False)
    """The line linking to the Short (or, on a Short, to its long video), last in the description."""
    paired: bool = field(default=False, compare=False)
    """The recipe publishes both the long video and its Short: room is kept for the link line."""

    def snippet(self, *, with_marker: bool = True) -> dict[str, Any]:
        """The snippet sent; ``with_marker`` False leaves out what mlprod adds (marker, link)."""
        description = with_link(self.description, self.link) if with_marker else self.description
        snippet: dict[str, Any] = {"title": self.title, "description": description,
                                   "categoryId": self.category_id, "defaultLanguage": LANGUAGE,
                                   "defaultAudioLanguage": LANGUAGE}
        tags = [*self.tags, self.marker] if with_marker and self.marker else list(self.tags)
        if tags:
            snippet["tags"] = tags
        return snippet

    def status(self) -> dict[str, Any]:
        status: dict[str, Any] = {"privacyStatus": self.privacy, "selfDeclaredMadeForKids": False,
                                  "embeddable": True, "license": "youtube", "publicStatsViewable": True}
        if self.publish_at is not None:
            status["publishAt"] = self.publish_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return status

    def body(self, video_id: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"snippet": self.snippet(), "status": self.status()}
        if video_id:
            body["id"] = video_id
        return body

    def settled(self, now: dt.datetime) -> VideoMetadata:
        """A schedule that has passed: YouTube made the video public then; do not send it again."""
        if self.publish_at is not None and self.publish_at <= now:
            privacy = Privacy.public if self.privacy is Privacy.private else self.privacy
            return dataclasses.replace(self, publish_at=None, privacy=privacy)
        return self

    def fingerprint(self) -> str:
        """A hash of what we set, to tell whether ``--update`` has anything to push (the marker
        left out: adding it to a video published before markers is no reason to push)."""
        data = {"snippet": self.snippet(with_marker=False), "status": self.status(),
                "playlist": self.playlist}
        return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _privacy(publish: Publish) -> Privacy:
    """``publish_at`` makes a video private until then, unless the recipe chose a privacy itself
    (then the rules say publish_at needs private)."""
    if publish.publish_at is not None and "privacy" not in publish.model_fields_set:
        return Privacy.private
    return publish.privacy


def metadata_for(loaded: LoadedRecipe, *, closed_on: dt.date | None = None,
                 marker: str | None = None) -> VideoMetadata:
    """The metadata of ``loaded``; ``closed_on`` gives an expired job offer's (unlisted, marked)."""
    recipe = loaded.recipe
    publish = recipe.publish or Publish()
    title = recipe.youtube_title
    description = publish.description.strip()
    tags = list(publish.tags)
    playlist = publish.playlist
    if isinstance(recipe, JobOffer):
        description = description or offer_description(recipe)
        tags = tags or offer_tags(recipe)
        playlist = playlist or JOB_OFFERS_PLAYLIST
    meta = VideoMetadata(title=title, description=description, tags=tags,
                         category_id=str(publish.category), privacy=_privacy(publish),
                         publish_at=publish.publish_at, playlist=playlist,
                         title_field="publish.title" if publish.title else "title", marker=marker)
    return expired(meta, closed_on) if closed_on else meta


def expired(meta: VideoMetadata, closed_on: dt.date) -> VideoMetadata:
    """The metadata of a filled or closed offer: unlisted, the notice on top of the description,
    out of its playlist."""
    return VideoMetadata(title=meta.title, description=mark_expired(meta.description, closed_on),
                         tags=meta.tags, category_id=meta.category_id, privacy=Privacy.unlisted,
                         publish_at=None, playlist=None, marker=meta.marker, link=meta.link,
                         paired=meta.paired)


def mark_expired(description: str, closed_on: dt.date) -> str:
    """Put the notice first (once), cutting the end if the whole would pass 5000 bytes."""
    notice = expired_notice(closed_on)
    if description.startswith(notice):
        return description
    text = f"{notice}\n\n{description}".rstrip()
    data = text.encode("utf-8")
    if len(data) > DESCRIPTION_MAX_BYTES:  # "…" takes 3 bytes
        text = data[: DESCRIPTION_MAX_BYTES - 3].decode("utf-8", "ignore").rstrip() + "…"
    return text


def check(meta: VideoMetadata, where: str, now: dt.datetime | None = None) -> None:
    """Raise :class:`PublishError` listing every rule ``meta`` breaks (before anything is sent)."""
    description = with_link(meta.description, meta.link or (LONGEST_LINK if meta.paired else None))
    problems = check_metadata(meta.title, description, meta.tags, meta.privacy, meta.publish_at,
                              now, MARKER_TAG_CHARS if meta.marker else 0)
    if problems:
        fields = {"title": meta.title_field}
        lines = "\n".join(f"  {where}: {fields.get(p.field, 'publish.' + p.field)}: {p.message}"
                          for p in problems)
        raise PublishError(f"{where}: YouTube would refuse this video's metadata; nothing was"
                           f" uploaded:\n{lines}")
