"""Pieces every YouTube resource answer is made of: ids, etags, RFC 3339 times, paged and plain
lists, thumbnail URLs.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from datetime import datetime
from typing import Any

from mlprod.sandbox.context import Context
from mlprod.sandbox.errors import bad_request

ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
THUMBNAIL_SIZES = {"default": (120, 90), "medium": (320, 180), "high": (480, 360)}
CUSTOM_THUMBNAIL_SIZES = {"standard": (640, 480), "maxres": (1280, 720)}


def new_id(length: int, prefix: str = "") -> str:
    return prefix + "".join(secrets.choice(ID_ALPHABET) for _ in range(length))


def etag(obj: Any) -> str:
    digest = hashlib.sha1(json.dumps(obj, sort_keys=True).encode(), usedforsecurity=False)
    return base64.urlsafe_b64encode(digest.digest()).decode().rstrip("=")


def rfc3339(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ") if when.utcoffset() is not None else when.isoformat()


def thumbnails(base_url: str, video_id: str, custom: bool) -> dict[str, Any]:
    """A video's thumbnail URLs; a custom thumbnail adds the larger sizes."""
    sizes = dict(THUMBNAIL_SIZES)
    if custom:
        sizes.update(CUSTOM_THUMBNAIL_SIZES)
    return {
        name: {"url": f"{base_url}/vi/{video_id}/{name}.jpg", "width": w, "height": h}
        for name, (w, h) in sizes.items()
    }


def page(ctx: Context, items: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    """A list response with YouTube's paging: ``maxResults`` (default 5) and page tokens."""
    size = ctx.call.integer("maxResults", 5)
    token = ctx.call.one("pageToken")
    offset = 0
    if token:
        try:
            offset = int(base64.urlsafe_b64decode(token + "==").decode().removeprefix("offset:"))
        except ValueError:
            raise bad_request("invalidPageToken", "The request specifies an invalid page token.") from None
    window = items[offset : offset + size]
    answer: dict[str, Any] = {"kind": kind, "etag": etag(window)}
    if offset + size < len(items):
        answer["nextPageToken"] = _token(offset + size)
    if offset > 0:
        answer["prevPageToken"] = _token(max(offset - size, 0))
    answer["pageInfo"] = {"totalResults": len(items), "resultsPerPage": size}
    answer["items"] = window
    return answer


def _token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode().rstrip("=")


def list_of(items: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    """A list response without paging (lists asked by id)."""
    return {
        "kind": kind,
        "etag": etag(items),
        "pageInfo": {"totalResults": len(items), "resultsPerPage": len(items)},
        "items": items,
    }
