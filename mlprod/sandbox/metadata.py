"""YouTube's rules for a video's snippet and status, checked before an upload is accepted."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from mlprod.sandbox.errors import bad_request

CATEGORIES = frozenset(
    {"1", "2", "10", "15", "17", "19", "20", "22", "23", "24", "25", "26", "27", "28", "29"}
)
DEFAULT_CATEGORY = "22"
PRIVACY = ("public", "unlisted", "private")
MAX_TITLE = 100
MAX_DESCRIPTION_BYTES = 5000
MAX_TAGS = 500


def tags_length(tags: list[str]) -> int:
    """YouTube's count: characters, commas between tags, two quotes around a tag with a space."""
    return sum(len(t) + (2 if " " in t else 0) for t in tags) + max(len(tags) - 1, 0)


def check_snippet(snippet: Any, *, updating: bool) -> dict[str, Any]:
    """The writable snippet fields, validated; 400 invalidTitle/Description/Tags/CategoryId."""
    if not isinstance(snippet, dict):
        raise bad_request("invalidTitle", "The request metadata must include a snippet with a title.")
    title = snippet.get("title")
    if not isinstance(title, str) or not title.strip():
        raise bad_request("invalidTitle", "The request metadata specifies an empty video title.")
    if len(title) > MAX_TITLE:
        raise bad_request(
            "invalidTitle",
            f"The request metadata specifies an invalid video title: {len(title)} characters, "
            f"at most {MAX_TITLE}.",
        )
    if "<" in title or ">" in title:
        raise bad_request("invalidTitle", "The video title must not contain < or >.")
    description = snippet.get("description", "")
    if not isinstance(description, str):
        raise bad_request("invalidDescription", "The video description must be a string.")
    size = len(description.encode("utf-8"))
    if size > MAX_DESCRIPTION_BYTES:
        raise bad_request(
            "invalidDescription",
            f"The request metadata specifies an invalid video description: {size} bytes, "
            f"at most {MAX_DESCRIPTION_BYTES}.",
        )
    if "<" in description or ">" in description:
        raise bad_request("invalidDescription", "The video description must not contain < or >.")
    tags = snippet.get("tags")
    if tags is not None:
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            raise bad_request("invalidTags", "snippet.tags must be a list of strings.")
        if tags_length(tags) > MAX_TAGS:
            raise bad_request(
                "invalidTags",
                f"The request metadata specifies invalid video keywords: {tags_length(tags)} "
                f"characters counted, at most {MAX_TAGS}.",
            )
    category = snippet.get("categoryId")
    if category is None and not updating:
        category = DEFAULT_CATEGORY
    if str(category) not in CATEGORIES:
        raise bad_request(
            "invalidCategoryId",
            f"The snippet.categoryId property specifies an invalid category ID: {category!r}.",
        )
    kept: dict[str, Any] = {"title": title, "description": description, "categoryId": str(category)}
    if tags:
        kept["tags"] = list(tags)
    for key in ("defaultLanguage", "defaultAudioLanguage"):
        if isinstance(snippet.get(key), str):
            kept[key] = snippet[key]
    return kept


def check_status(status: Any, now: datetime | None) -> dict[str, Any]:
    """The writable status fields, validated, with YouTube's defaults; 400 invalidPublishAt.

    ``now`` None skips the "publishAt in the future" rule (an upload checked when it started).
    """
    status = status if isinstance(status, dict) else {}
    privacy = status.get("privacyStatus", "public")
    if privacy not in PRIVACY:
        raise bad_request(
            "invalidVideoMetadata",
            f"status.privacyStatus must be public, unlisted or private, not {privacy!r}.",
        )
    kept: dict[str, Any] = {
        "privacyStatus": privacy,
        "license": status.get("license", "youtube"),
        "embeddable": bool(status.get("embeddable", True)),
        "publicStatsViewable": bool(status.get("publicStatsViewable", True)),
    }
    if "selfDeclaredMadeForKids" in status:
        kept["selfDeclaredMadeForKids"] = bool(status["selfDeclaredMadeForKids"])
    if status.get("publishAt") is not None:
        kept["publishAt"] = _check_publish_at(status["publishAt"], privacy, now)
    return kept


def _check_publish_at(value: Any, privacy: str, now: datetime | None) -> str:
    try:
        when = datetime.fromisoformat(str(value))
    except ValueError:
        raise bad_request(
            "invalidPublishAt", f"status.publishAt {value!r} is not an RFC 3339 date-time."
        ) from None
    if when.tzinfo is None:
        raise bad_request(
            "invalidPublishAt", f"status.publishAt {value!r} must give a time zone (Z or +02:00)."
        )
    if privacy != "private":
        raise bad_request(
            "invalidPublishAt",
            "The request metadata specifies an invalid scheduled publishing time: publishAt "
            f"needs privacyStatus private, not {privacy}.",
        )
    if now is not None and when <= now:
        raise bad_request(
            "invalidPublishAt",
            f"The request metadata specifies a scheduled publishing time in the past: {value}.",
        )
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def publish_if_due(status: dict[str, Any], now: datetime) -> bool:
    """A private video whose publishAt has passed becomes public; True if it changed."""
    publish_at = status.get("publishAt")
    if not publish_at or status.get("privacyStatus") != "private":
        return False
    if datetime.fromisoformat(publish_at) > now:
        return False
    status["privacyStatus"] = "public"
    del status["publishAt"]
    return True
