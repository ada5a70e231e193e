"""What a request handler gets (:class:`Context`) and how handlers are registered.

A handler reads and changes the channel, answers with a :class:`~mlprod.sandbox.replies.Reply`,
and spends the call's quota (``ctx.charge()``) before it changes anything. It sees nothing else of
the application: the context carries the channel, the validated call, the time, the URL the
request came to (for links) and the quota meter.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from mlprod.sandbox.channel import Channel
from mlprod.sandbox.discovery import ApiCall
from mlprod.sandbox.errors import bad_request
from mlprod.sandbox.quota import QuotaMeter
from mlprod.sandbox.replies import Reply


@dataclass
class Context:
    channel: Channel
    call: ApiCall
    now: datetime
    base_url: str
    """The URL the request came to (its Host header), for links in answers."""
    quota: QuotaMeter
    body: dict[str, Any] | None = None
    charged: bool = False

    def charge(self) -> None:
        """Spend this method's cost now (before changing anything); 403 if it does not fit."""
        if not self.charged:
            self.quota.charge(self.quota.cost(self.call.method.id))
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
    """Method id (``youtube.videos.list``) → handler, and the methods that take media."""

    handlers: dict[str, Handler] = field(default_factory=dict)
    uploads: dict[str, UploadMethod] = field(default_factory=dict)
