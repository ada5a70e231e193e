"""Errors in the Graph API's shapes.

Graph: HTTP 400 (as Graph answers nearly every error; read ``error.code``) with
``{"error": {"message", "type", "code", "error_subcode", "is_transient", "error_user_title",
"error_user_msg", "fbtrace_id"}}`` (subcode and user texts only when there are some).
The upload host (``rupload``) answers its own shape: ``{"debug_info": {"retriable", "type",
"message"}}``, as Meta's does for a bad ``offset`` header.
"""

from __future__ import annotations

import secrets
from typing import Any

from mlprod.sandbox.errors import WireError

OAUTH = "OAuthException"
METHOD = "GraphMethodException"


class GraphError(WireError):
    def __init__(
        self,
        code: int,
        message: str,
        *,
        subcode: int | None = None,
        kind: str = OAUTH,
        status: int = 400,
        user_title: str | None = None,
        user_message: str | None = None,
        transient: bool = False,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.subcode = subcode
        self.kind = kind
        self.user_title = user_title
        self.user_message = user_message
        self.transient = transient
        self.headers = dict(headers or {})

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"message": self.message, "type": self.kind, "code": self.code}
        if self.subcode is not None:
            error["error_subcode"] = self.subcode
        error["is_transient"] = self.transient
        if self.user_title:
            error["error_user_title"] = self.user_title
        if self.user_message:
            error["error_user_msg"] = self.user_message
        error["fbtrace_id"] = "A" + secrets.token_urlsafe(16)
        return {"error": error}


class UploadError(WireError):
    """An answer of the upload host (``/rupload/…``)."""

    def __init__(self, status: int, kind: str, message: str, *, retriable: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.kind = kind
        self.retriable = retriable
        self.headers = {}

    def body(self) -> dict[str, Any]:
        return {"debug_info": {"retriable": self.retriable, "type": self.kind, "message": self.message}}


def bad_parameter(message: str, *, user_message: str | None = None, subcode: int | None = None) -> GraphError:
    """Code 100: a missing or wrong parameter; the message names it."""
    return GraphError(100, f"(#100) {message}", subcode=subcode, user_message=user_message)


def unsupported(verb: str, object_id: str) -> GraphError:
    """100/33: no such object, or it does not take this request."""
    return GraphError(
        100,
        f"Unsupported {verb.lower()} request. Object with ID '{object_id}' does not exist, cannot be "
        "loaded due to missing permissions, or does not support this operation. Please read the "
        "Graph API documentation at https://developers.facebook.com/docs/graph-api",
        subcode=33,
        kind=METHOD,
    )


def unknown_path(path: str) -> GraphError:
    return GraphError(2500, f"Unknown path components: {path}")


def nonexisting_field(field: str, node: str) -> GraphError:
    return bad_parameter(f"Tried accessing nonexisting field ({field}) on node type ({node})")


def permission(message: str, code: int = 200) -> GraphError:
    """200 (a permission the token lacks) or 210 (a Page token is needed)."""
    return GraphError(code, f"(#{code}) {message}")


def rate_limited(code: int, message: str, *, transient: bool = True, usage: str | None = None) -> GraphError:
    """4 (app), 17 (user), 32 (Page) or 613 (this call): rate limits."""
    headers = {"X-App-Usage": usage} if usage else None
    return GraphError(code, f"(#{code}) {message}", transient=transient, headers=headers)
