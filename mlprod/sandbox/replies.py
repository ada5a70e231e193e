"""What a handler answers: status, headers and body, written by the HTTP layer with its length."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from mlprod.sandbox.errors import WireError


@dataclass
class Reply:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


def json_reply(obj: Any, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
    body = json.dumps(obj, ensure_ascii=False, indent=2).encode("utf-8")
    return Reply(status, body, {"Content-Type": "application/json; charset=UTF-8", **(headers or {})})


def error_reply(err: WireError) -> Reply:
    return json_reply(err.body(), err.status, err.headers)


class DropConnection(Exception):
    """Close the socket at once (TCP reset) without answering: the ``reset@N`` fault."""


class ClientGone(Exception):
    """The client closed the connection before sending the whole body."""
