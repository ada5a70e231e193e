"""What a Facebook or Instagram post says, made from the recipe: a caption in French with mlprod's
marker on its last line, and the schedule the recipe asks for.

A Reel has no title field: its caption (Facebook's ``description``, Instagram's ``caption``) is
the title, then the recipe's ``publish.description`` (a job offer: the offer's card), then the
recipe's tags as hashtags, then ``réf. mlprod-…``: the marker by which mlprod finds the post again
when its database lacks the record (:mod:`mlprod.publishing.markers`). Pages and Instagram
accounts are public, so a post is public (or scheduled, on Facebook); a recipe asking ``private``
or ``unlisted`` is refused by each platform's check, with the fix.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass

from mlprod.recipe import LoadedRecipe
from mlprod.recipe.schema import JobOffer
from mlprod.states import Privacy

MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
          "octobre", "novembre", "décembre")
CONTRACTS = {"CDI": "CDI", "CDD": "CDD", "alternance": "Alternance", "interim": "Intérim",
             "stage": "Stage", "saisonnier": "Contrat saisonnier"}
MARKER_LINE = "réf. {}"
HASHTAG = re.compile(r"(?<![\w&])#(\w+)")
MENTION = re.compile(r"(?<![\w.])@([\w.]+)")


def french_date(day: dt.date) -> str:
    return f"{'1er' if day.day == 1 else day.day} {MONTHS[day.month - 1]} {day.year}"


def offer_card(recipe: JobOffer) -> str:
    """The offer in a few lines, in French: what a post about a job offer says."""
    offer = recipe.offer
    contract = CONTRACTS.get(offer.contract.value, offer.contract.value)
    lines = [f"{recipe.employer.name} recrute : {offer.position} ({contract}) à {offer.location}.",
             f"Début : à partir du {french_date(offer.start)}"]
    if offer.hours:
        lines.append(f"Horaires : {offer.hours}")
    if offer.apply:
        lines.append(f"Pour postuler : {offer.apply}")
    lines.append(f"Contact : {offer.contact}")
    if offer.closes:
        lines.append(f"Offre ouverte jusqu'au {french_date(offer.closes)}.")
    return "\n".join(lines)


def hashtag(tag: str) -> str:
    """``mission locale`` → ``#missionlocale`` (letters and digits only, accents kept)."""
    return "#" + "".join(ch for ch in tag if ch.isalnum() or ch == "_")


def closed_notice(closed_on: dt.date) -> str:
    return f"Cette offre est pourvue ou close depuis le {french_date(closed_on)}."


@dataclass(frozen=True)
class MetaPost:
    """One Facebook or Instagram post as mlprod makes it (it satisfies ``publishing.Post``)."""

    title: str
    text: str
    """The caption without the marker line."""
    marker: str
    privacy_asked: str
    scheduled_for: dt.datetime | None = None
    reel: bool = True
    """Facebook: the vertical cut as a Reel (counted in the Page's 30 a day), else a Page video."""

    @property
    def caption(self) -> str:
        """What is sent: the text, then the marker on its own line."""
        line = MARKER_LINE.format(self.marker)
        return f"{self.text}\n\n{line}" if self.text else line

    @property
    def privacy(self) -> Privacy:
        return Privacy(self.privacy_asked)

    @property
    def publish_at(self) -> dt.datetime | None:
        return self.scheduled_for

    @property
    def playlist(self) -> str | None:
        return None

    def fingerprint(self) -> str:
        fields = {"title": self.title, "text": self.text, "privacy": self.privacy_asked,
                  "publish_at": self.scheduled_for.isoformat() if self.scheduled_for else None}
        return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()

    def settled(self, now: dt.datetime) -> MetaPost:
        if self.scheduled_for is not None and self.scheduled_for <= now:
            return dataclasses.replace(self, scheduled_for=None)
        return self

    def hashtags(self) -> list[str]:
        return HASHTAG.findall(self.caption)

    def mentions(self) -> list[str]:
        return MENTION.findall(self.caption)


def post_for(loaded: LoadedRecipe, marker: str, *, closed_on: dt.date | None = None,
             reel: bool = True) -> MetaPost:
    """The post for ``loaded``; ``closed_on`` puts the closed-offer notice first."""
    recipe = loaded.recipe
    publish = recipe.publish
    parts = [recipe.youtube_title]
    if isinstance(recipe, JobOffer) and not (publish and publish.description.strip()):
        parts.append(offer_card(recipe))
    if publish and publish.description.strip():
        parts.append(publish.description.strip())
    tags = [hashtag(tag) for tag in (publish.tags if publish else []) if hashtag(tag) != "#"]
    if tags:
        parts.append(" ".join(dict.fromkeys(tags)))
    if closed_on is not None:
        parts.insert(0, closed_notice(closed_on))
    when = publish.publish_at if publish else None
    if when is not None and when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return MetaPost(title=recipe.youtube_title, text="\n\n".join(parts), marker=marker,
                    privacy_asked=(publish.privacy.value if publish else "public"), scheduled_for=when,
                    reel=reel)
