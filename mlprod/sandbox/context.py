"""What a request handler gets (:class:`Context`) and the helpers every resource module shares."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from mlprod.sandbox.discovery import ApiCall
from mlprod.sandbox.errors import bad_request
from mlprod.sandbox.replies import Reply

if TYPE_CHECKING:
    from mlprod.sandbox.app import SandboxApp

ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


@dataclass
class Context:
    app: SandboxApp
    call: ApiCall
    now: datetime
    body: dict[str, Any] | None = None
    charged: bool = False

    def charge(self) -> None:
        """Spend this method's cost now (before changing anything); 403 if it does not fit."""
        if not self.charged:
            self.app.quota.charge(self.app.quota.cost(self.call.method.id))
            self.charged = True

    def resource(self) -> dict[str, Any]:
        """The JSON request body, which this method needs."""
        if not isinstance(self.body, dict):
            raise bad_request("required", "This method needs a resource in the request body.")
        return self.body

    @property
    def parts(self) -> list[str]:
        return self.call.parts


@dataclass(frozen=True)
class Media:
    """An uploaded file as the sandbox saw it; ``data`` only for small simple uploads."""

    sha256: str
    size: int
    content_type: str
    head: bytes
    data: bytes | None = None


@dataclass(frozen=True)
class UploadMethod:
    """A method that takes media: check the metadata first, then make the resource."""

    prepare: Callable[[Context], None]
    complete: Callable[[Context, Media], dict[str, Any]]
    max_simple_bytes: int = 256 * 1024 * 1024
    """Multipart and media uploads are read whole: no bigger than this."""


Handler = Callable[[Context], Reply]


@dataclass
class Registry:
    handlers: dict[str, Handler] = field(default_factory=dict)
    uploads: dict[str, UploadMethod] = field(default_factory=dict)


def new_id(length: int, prefix: str = "") -> str:
    return prefix + "".join(secrets.choice(ID_ALPHABET) for _ in range(length))


def etag(obj: Any) -> str:
    digest = hashlib.sha1(json.dumps(obj, sort_keys=True).encode(), usedforsecurity=False)
    return base64.urlsafe_b64encode(digest.digest()).decode().rstrip("=")


def rfc3339(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ") if when.utcoffset() is not None else when.isoformat()


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
