"""A Short and its long video link to each other, in both descriptions (the ``link`` step).

Whichever of the two is published second links both: its own description gets the line to the
other (when the other was online at planning time it is there from the upload), and the other's
description gets the line back. The first one's ``link`` step finds no partner yet and does
nothing: the second one's does it. Each description is read first and changed only when the line is
missing (``videos.update`` replaces the whole snippet, so every writable field is sent back as
read), so running it again changes nothing.
"""

from __future__ import annotations

from typing import Any

from mlprod.publishing import StepOutcome
from mlprod.publishing.links import publications_of
from mlprod.recipe.youtube_rules import DESCRIPTION_MAX_BYTES
from mlprod.states import PlatformName
from mlprod.store import Database
from mlprod.youtube.api import Channel
from mlprod.youtube.metadata import link_line, with_link

PARTNER = {PlatformName.youtube: PlatformName.youtube_short,
           PlatformName.youtube_short: PlatformName.youtube}
WRITABLE_SNIPPET = ("title", "description", "tags", "categoryId", "defaultLanguage", "defaultAudioLanguage")


def link_pair(channel: Channel, db: Database, recipe: str, me: PlatformName, video_id: str,
              url: str) -> StepOutcome:
    """Link ``video_id`` (on ``me``: youtube or youtube_short) and its partner both ways."""
    partner = publications_of(db, recipe, [PARTNER[me]]).get(PARTNER[me])
    if partner is None or not partner.url:
        return StepOutcome()  # the partner's own link step links both, once it is online
    answer = channel.call(channel.service.videos().list(part="snippet", id=f"{video_id},{partner.remote_id}"),
                          "reading the descriptions of the video and its Short")
    found = {str(v["id"]): v for v in answer.get("items", [])}
    warnings = []
    for target, line in ((video_id, link_line(me is PlatformName.youtube, partner.url)),
                         (partner.remote_id, link_line(me is PlatformName.youtube_short, url))):
        video = found.get(target)
        if video is None:
            warnings.append(f"video {target} is no longer on YouTube: not linked")
            continue
        warning = _add_line(channel, target, video, line)
        if warning:
            warnings.append(warning)
    return StepOutcome(warning="; ".join(warnings) or None)


def _add_line(channel: Channel, video_id: str, video: dict[str, Any], line: str) -> str | None:
    snippet = {k: v for k, v in video.get("snippet", {}).items() if k in WRITABLE_SNIPPET}
    description = str(snippet.get("description", ""))
    linked = with_link(description, line)
    if linked == description:
        return None
    if len(linked.encode("utf-8")) > DESCRIPTION_MAX_BYTES:
        return (f"the description of video {video_id} has no room left for the line \"{line}\":"
                " shorten publish.description, then `mlprod publish --update`")
    snippet["description"] = linked
    channel.call(channel.service.videos().update(part="snippet", body={"id": video_id, "snippet": snippet}),
                 "linking the video and its Short in their descriptions")
    return None
