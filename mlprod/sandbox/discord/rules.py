"""Discord's limits on a webhook message, as the sandbox checks them (from Discord's "Webhook
Resource", "Message Resource" and "Channel: Embed Limits" pages), and the check itself: every
problem found, in the ``errors`` tree of a 50035 "Invalid Form Body" answer.
"""

from __future__ import annotations

from typing import Any

CONTENT_MAX = 2000
EMBEDS_MAX = 10
EMBED_TOTAL_MAX = 6000
TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELDS_MAX = 25
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FOOTER_MAX = 2048
AUTHOR_MAX = 256
USERNAME_MAX = 80
FILES_MAX = 10
UPLOAD_MAX = 10 * 1024 * 1024
"""Attachments of one message together (a server without boosts): more is 413, code 40005."""
REQUEST_MAX = 25 * 1024 * 1024
"""A bigger request is refused before it is read."""


def _error(code: str, message: str) -> dict[str, Any]:
    return {"_errors": [{"code": code, "message": message}]}


def _too_long(limit: int) -> dict[str, Any]:
    return _error("BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")


def _is_url(value: Any, attachments: set[str]) -> bool:
    if not isinstance(value, str):
        return False
    if value.startswith("attachment://"):
        return value.removeprefix("attachment://") in attachments
    return value.startswith(("http://", "https://")) and len(value) > len("https://")


def _text(errors: dict[str, Any], name: str, value: Any, limit: int) -> int:
    """Check a text field; its length (for the embed total)."""
    if value is None:
        return 0
    if not isinstance(value, str):
        errors[name] = _error("BASE_TYPE_STRING", "Must be a string.")
        return 0
    if len(value) > limit:
        errors[name] = _too_long(limit)
    return len(value)


def _embed(embed: Any, attachments: set[str]) -> tuple[dict[str, Any], int]:
    if not isinstance(embed, dict):
        return _error("MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType"), 0
    errors: dict[str, Any] = {}
    size = _text(errors, "title", embed.get("title"), TITLE_MAX)
    size += _text(errors, "description", embed.get("description"), DESCRIPTION_MAX)
    if "url" in embed and not _is_url(embed["url"], attachments):
        errors["url"] = _error("URL_TYPE_INVALID_URL", "Not a well formed URL.")
    for part in ("image", "thumbnail"):
        value = embed.get(part)
        if value is not None and not (isinstance(value, dict) and _is_url(value.get("url"), attachments)):
            errors[part] = {"url": _error("URL_TYPE_INVALID_URL", "Not a well formed URL.")}
    fields = embed.get("fields") or []
    if not isinstance(fields, list) or len(fields) > FIELDS_MAX:
        errors["fields"] = _too_long(FIELDS_MAX)
    else:
        for index, field in enumerate(fields):
            field_errors: dict[str, Any] = {}
            if not isinstance(field, dict) or "name" not in field or "value" not in field:
                errors.setdefault("fields", {})[str(index)] = _error(
                    "BASE_TYPE_REQUIRED", "This field is required"
                )
                continue
            size += _text(field_errors, "name", field["name"], FIELD_NAME_MAX)
            size += _text(field_errors, "value", field["value"], FIELD_VALUE_MAX)
            if field_errors:
                errors.setdefault("fields", {})[str(index)] = field_errors
    for part, key, limit in (("footer", "text", FOOTER_MAX), ("author", "name", AUTHOR_MAX)):
        value = embed.get(part)
        if isinstance(value, dict):
            part_errors: dict[str, Any] = {}
            size += _text(part_errors, key, value.get(key), limit)
            if part_errors:
                errors[part] = part_errors
    return errors, size


def payload_errors(payload: dict[str, Any], attachments: set[str]) -> dict[str, Any]:
    """Every problem of a webhook message (an empty dict when it may be sent)."""
    errors: dict[str, Any] = {}
    _text(errors, "content", payload.get("content"), CONTENT_MAX)
    _text(errors, "username", payload.get("username"), USERNAME_MAX)
    if payload.get("avatar_url") is not None and not _is_url(payload["avatar_url"], set()):
        errors["avatar_url"] = _error("URL_TYPE_INVALID_URL", "Not a well formed URL.")
    embeds = payload.get("embeds")
    if embeds is None:
        return errors
    if not isinstance(embeds, list):
        errors["embeds"] = _error("BASE_TYPE_ARRAY", "Must be an array.")
    elif len(embeds) > EMBEDS_MAX:
        errors["embeds"] = _too_long(EMBEDS_MAX)
    else:
        total = 0
        for index, embed in enumerate(embeds):
            embed_errors, size = _embed(embed, attachments)
            total += size
            if embed_errors:
                errors.setdefault("embeds", {})[str(index)] = embed_errors
        if total > EMBED_TOTAL_MAX and "embeds" not in errors:
            errors["embeds"] = _error(
                "MAX_EMBED_SIZE_EXCEEDED", f"Embed size exceeds maximum size of {EMBED_TOTAL_MAX}"
            )
    return errors
