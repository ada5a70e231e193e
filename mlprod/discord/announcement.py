"""What a Discord announcement says, made from the recipe (pure: no network, no database).

The message's text (``content``) is what people read in the channel and what screen readers say:
the title, and for a job offer its card (position, contract, place, start, hours, profile, how to
apply, contact, closing date); then the link to the video, between ``<…>`` so that Discord does
not add its own preview beside ours. One embed is the preview: the title linking to the video,
a few lines of its description, the thumbnail as its image, and mlprod's marker in the footer.

Discord's limits are checked here before anything is sent (:func:`check_message`): at most 2,000
characters of text, 10 embeds, 256 characters of embed title, 4,096 of description, 6,000 in all.
A card too long for the text names the offer's fields to shorten.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from mlprod.errors import PublishError
from mlprod.french import fr_date
from mlprod.recipe import LoadedRecipe
from mlprod.recipe.schema import JobOffer
from mlprod.states import PlatformName, Privacy, VideoKind

CONTENT_MAX = 2000
EMBEDS_MAX = 10
EMBED_TITLE_MAX = 256
EMBED_DESCRIPTION_MAX = 4096
EMBED_TOTAL_MAX = 6000
FOOTER_MAX = 2048
PREVIEW_MAX = 600
"""The embed shows the start of the description only: the whole text is on the video's page."""
COLOUR = 0xE6007E  # the brand's magenta
SIGNATURE = "Mission Locale du Pays Salonais"
LONGEST_LINK = "https://www.facebook.com/reel/" + "9" * 70
"""What the checks before the upload count for a link not known yet (the longest we make)."""


def _preview(text: str) -> str:
    """The description's first paragraphs, cut at a word under :data:`PREVIEW_MAX` characters."""
    text = text.strip()
    if len(text) <= PREVIEW_MAX:
        return text
    cut = text[:PREVIEW_MAX - 1].rsplit(None, 1)[0].rstrip(" ,;:")
    return cut + "…"


def offer_card(recipe: JobOffer) -> tuple[str, ...]:
    """The offer's card in text, one line per field, in French."""
    offer = recipe.offer
    lines = [f"{recipe.employer.name} recrute à {offer.location}.",
             f"**Poste :** {offer.position}", f"**Contrat :** {offer.contract.label}",
             f"**Lieu :** {offer.location}", f"**Début :** à partir du {fr_date(offer.start)}"]
    if offer.hours:
        lines.append(f"**Horaires :** {offer.hours}")
    if offer.requirements:
        lines.append(f"**Profil recherché :** {offer.requirements}")
    lines.append(f"**Pour postuler :** {offer.apply or offer.contact}")
    if offer.apply:
        lines.append(f"**Contact :** {offer.contact}")
    if offer.closes:
        lines.append(f"Offre ouverte jusqu'au {fr_date(offer.closes)}.")
    return tuple(lines)


@dataclass(frozen=True)
class DiscordPost:
    """An announcement, before its link is known (the link is the video's, found at sending time)."""

    title: str
    kind: VideoKind
    subject: str
    """The first line, in bold: "Offre d'emploi : … (CDD)", "Nouvelle vidéo : …"."""
    icon: str = "🎬"
    card: tuple[str, ...] = ()
    preview: str = ""
    marker: str | None = None
    closed_on: dt.date | None = None
    """Set for a job offer that closed: the announcement then says it is filled."""
    video_on: tuple[PlatformName, ...] = ()
    """Where the recipe's video is published, by preference: the announcement links to the first."""
    fields_to_shorten: str = "title"
    """The recipe's fields that make the text, for the message when it is too long."""
    privacy: Privacy = Privacy.public
    publish_at: dt.datetime | None = None
    playlist: str | None = None

    def message(self, link: str, image: str | None) -> dict[str, Any]:
        """The webhook payload: text, and one embed whose image is ``image`` (a URL or
        ``attachment://NAME``)."""
        if self.closed_on is not None:
            return self.filled(self.closed_on)
        content = "\n".join([f"{self.icon} **{self.subject}**", *self.card, f"▶️ La vidéo : <{link}>"])
        embed: dict[str, Any] = {"title": self.title[:EMBED_TITLE_MAX], "url": link, "color": COLOUR,
                                 "footer": {"text": self._footer()}}
        if self.preview:
            embed["description"] = self.preview
        if image:
            embed["image"] = {"url": image}
        return {"content": content, "embeds": [embed], "allowed_mentions": {"parse": []}}

    def filled(self, closed_on: dt.date) -> dict[str, Any]:
        """The announcement once the offer closed: struck through, no link, no preview, no image."""
        return {"content": f"~~{self.subject}~~\n**Cette offre est pourvue ou close depuis le"
                           f" {fr_date(closed_on)}.** Merci à toutes et à tous ! Les offres en cours sont à"
                           f" la {SIGNATURE}.",
                "embeds": [], "attachments": [], "allowed_mentions": {"parse": []}}

    def _footer(self) -> str:
        return f"{SIGNATURE} · réf. {self.marker}" if self.marker else SIGNATURE

    def fingerprint(self) -> str:
        data = {"title": self.title, "subject": self.subject, "card": self.card, "preview": self.preview,
                "closed_on": self.closed_on.isoformat() if self.closed_on else None}
        return hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True).encode()).hexdigest()

    def settled(self, now: dt.datetime) -> DiscordPost:
        return self

    def expired(self, closed_on: dt.date) -> DiscordPost:
        return dataclasses.replace(self, closed_on=closed_on)


def post_for(loaded: LoadedRecipe, marker: str | None, *, closed_on: dt.date | None = None,
             video_on: tuple[PlatformName, ...] = ()) -> DiscordPost:
    """The announcement of ``loaded``'s video; ``closed_on`` gives a closed offer's."""
    recipe = loaded.recipe
    description = recipe.publish.description if recipe.publish is not None else ""
    title = recipe.youtube_title
    if isinstance(recipe, JobOffer):
        offer = recipe.offer
        subject = f"Offre d'emploi : {offer.position} ({offer.contract.label})"
        post = DiscordPost(title=title, kind=loaded.kind, subject=subject, icon="📢", card=offer_card(recipe),
                           preview=_preview(description), marker=marker, video_on=video_on,
                           fields_to_shorten="offer.requirements, offer.apply or offer.hours")
    else:
        post = DiscordPost(title=title, kind=loaded.kind, subject=f"Nouvelle vidéo : {title}",
                           preview=_preview(description), marker=marker, video_on=video_on)
    return post.expired(closed_on) if closed_on else post


def check_message(post: DiscordPost, payload: dict[str, Any], where: str) -> None:
    """Raise :class:`PublishError` naming the recipe, Discord and the fix when ``payload`` breaks a
    limit Discord would refuse it for (nothing is sent then)."""
    problems: list[str] = []
    content = str(payload.get("content") or "")
    if len(content) > CONTENT_MAX:
        problems.append(f"its text would be {len(content):,} characters and Discord takes at most"
                        f" {CONTENT_MAX:,} — shorten {post.fields_to_shorten}")
    embeds = payload.get("embeds") or []
    if len(embeds) > EMBEDS_MAX:
        problems.append(f"it has {len(embeds)} embeds and Discord takes at most {EMBEDS_MAX}")
    total = 0
    for embed in embeds:
        title, description = str(embed.get("title") or ""), str(embed.get("description") or "")
        footer = str((embed.get("footer") or {}).get("text") or "")
        total += len(title) + len(description) + len(footer)
        if len(title) > EMBED_TITLE_MAX:
            problems.append(f"its preview's title is {len(title)} characters (at most {EMBED_TITLE_MAX})"
                            " — shorten the title")
        if len(description) > EMBED_DESCRIPTION_MAX:
            problems.append(f"its preview's text is {len(description):,} characters (at most"
                            f" {EMBED_DESCRIPTION_MAX:,}) — shorten publish.description")
        if len(footer) > FOOTER_MAX:
            problems.append(f"its preview's footer is {len(footer):,} characters (at most {FOOTER_MAX:,})")
    if total > EMBED_TOTAL_MAX:
        problems.append(f"its preview is {total:,} characters in all (at most {EMBED_TOTAL_MAX:,})")
    if problems:
        lines = "\n".join(f"  {where}: discord: {p}" for p in problems)
        raise PublishError(f"{where}: Discord would refuse this announcement; nothing was sent:\n{lines}")
