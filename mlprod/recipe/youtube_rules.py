"""YouTube's metadata rules, in one place: the recipe checks (`mlprod validate`) and the publisher.

Pure functions, no I/O. Each ``*_problems`` function returns messages of the form
``"problem — fix"`` (empty list: fine); :func:`check_metadata` returns them with the API's error
reason (``invalidTitle``…), which is what the sandbox answers and what the publisher reports.
See YOUTUBE.md, "Metadata rules".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

TITLE_MAX_CHARS = 100
DESCRIPTION_MAX_BYTES = 5000
TAGS_MAX_CHARS = 500
MARKER_TAG_CHARS = 20
"""What mlprod's own tag takes of those 500: its marker (19 characters, see mlprod.publishing.markers)
and a comma. A recipe's tags get the rest."""
FORBIDDEN_CHARS = "<>"
PRIVACY_STATUSES = ("public", "unlisted", "private")


@dataclass(frozen=True)
class Violation:
    field: str     # title, description, tags, publish_at
    reason: str    # the YouTube Data API error reason
    message: str   # "problem — fix"


def _forbidden(text: str, what: str) -> list[str]:
    found = sorted({c for c in text if c in FORBIDDEN_CHARS})
    if not found:
        return []
    shown = " and ".join(f"'{c}'" for c in found)
    return [f"the {what} contains {shown}, which YouTube refuses — remove them or write « » instead"]


def title_problems(title: str) -> list[str]:
    """Title: 1 to 100 characters, no < or >."""
    if not title.strip():
        return ["the title is empty — write a title (YouTube needs one)"]
    problems = []
    if len(title) > TITLE_MAX_CHARS:
        over = len(title) - TITLE_MAX_CHARS
        problems.append(f"the title is {len(title)} characters long, YouTube allows {TITLE_MAX_CHARS}"
                        f" — shorten it by {over} character{'s' if over > 1 else ''}")
    return problems + _forbidden(title, "title")


def description_problems(description: str) -> list[str]:
    """Description: at most 5000 bytes in UTF-8 (accents count twice), no < or >."""
    size = len(description.encode("utf-8"))
    problems = []
    if size > DESCRIPTION_MAX_BYTES:
        over = size - DESCRIPTION_MAX_BYTES
        problems.append(f"the description is {size} bytes long (UTF-8: an accented letter takes two),"
                        f" YouTube allows {DESCRIPTION_MAX_BYTES}"
                        f" — shorten it by {over} byte{'s' if over > 1 else ''}")
    return problems + _forbidden(description, "description")


def tag_cost(tag: str) -> int:
    """What one tag counts for: its length, plus two quotes if it holds a space."""
    return len(tag) + (2 if " " in tag else 0)


def tags_length(tags: Sequence[str]) -> int:
    """Characters the tags count for YouTube: each tag (quoted if it has a space) and the commas."""
    return sum(tag_cost(t) for t in tags) + max(len(tags) - 1, 0)


def tags_problems(tags: Sequence[str], reserved: int = 0) -> list[str]:
    """Tags: 500 characters in all, counted as :func:`tags_length` does, less what is ``reserved``
    (mlprod's own tag); no empty tag, no < or >."""
    problems = []
    total = tags_length(tags)
    allowed = TAGS_MAX_CHARS - reserved
    if total > allowed:
        beside = " beside mlprod's own tag" if reserved else ""
        problems.append(f"the tags count for {total} characters (commas included, quotes around tags"
                        f" with a space), YouTube allows {allowed}{beside} — remove tags to save"
                        f" {total - allowed} characters")
    if any(not t.strip() for t in tags):
        problems.append("a tag is empty — remove it")
    if any(c in t for t in tags for c in FORBIDDEN_CHARS):
        problems.append("a tag contains '<' or '>', which YouTube refuses — remove them")
    return problems


def publish_at_problems(privacy: str, publish_at: dt.datetime | None) -> list[str]:
    """publish_at: only for private videos (YouTube makes them public then), with a time zone."""
    if publish_at is None:
        return []
    problems = []
    if privacy != "private":
        problems.append(f"publish_at only works with a private video (privacy is {privacy})"
                        " — set privacy: private; the video becomes public at publish_at")
    if publish_at.tzinfo is None or publish_at.utcoffset() is None:
        problems.append("publish_at has no time zone — add one, e.g. 2027-01-04T10:00:00+01:00")
    return problems


def publish_at_timing_problems(publish_at: dt.datetime | None, now: dt.datetime | None = None) -> list[str]:
    """publish_at must be ahead when uploading (a recipe already published keeps its past date)."""
    if publish_at is None or publish_at.tzinfo is None or publish_at.utcoffset() is None:
        return []
    now = now or dt.datetime.now(dt.UTC)
    if publish_at > now:
        return []
    return [f"publish_at ({publish_at.isoformat()}) is in the past"
            " — choose a later date, or remove publish_at to publish at once"]


def check_metadata(title: str, description: str = "", tags: Sequence[str] = (),
                   privacy: str = "public", publish_at: dt.datetime | None = None,
                   now: dt.datetime | None = None, reserved_tags: int = 0) -> list[Violation]:
    """Every rule at once, each violation with the reason YouTube's API gives for it."""
    found = [Violation("title", "invalidTitle", m) for m in title_problems(title)]
    found += [Violation("description", "invalidDescription", m) for m in description_problems(description)]
    found += [Violation("tags", "invalidTags", m) for m in tags_problems(tags, reserved_tags)]
    found += [Violation("publish_at", "invalidPublishAt", m)
              for m in publish_at_problems(privacy, publish_at) + publish_at_timing_problems(publish_at, now)]
    return found
