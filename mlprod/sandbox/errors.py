"""Errors of the sandbox: bad command-line specs for users, and answers in each platform's error
shape (:class:`WireError`: Google's here, Graph's and Discord's in their packages)."""

from __future__ import annotations

from typing import Any

from mlprod.errors import MlprodError


class SandboxError(MlprodError):
    """The sandbox cannot start or run as asked."""


class SandboxSpecError(SandboxError):
    """A ``--faults`` or ``--history`` value that cannot be read; the message shows the fix."""


class WireError(SandboxError):
    """An error answer on the wire: raised by request handlers, written by the HTTP layer with
    its status, headers and JSON body. Never reaches a user: the sandbox turns it into a response.
    """

    status: int
    headers: dict[str, str]

    def body(self) -> dict[str, Any]:
        raise NotImplementedError


class ApiError(WireError):
    """An answer in Google's error shape."""

    def __init__(
        self,
        status: int,
        reason: str,
        message: str,
        *,
        domain: str = "global",
        location: str | None = None,
        location_type: str = "parameter",
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason
        self.domain = domain
        self.location = location
        self.location_type = location_type
        self.headers = dict(headers or {})

    def body(self) -> dict[str, Any]:
        """``{"error": {"code", "message", "errors": [{"message", "domain", "reason"}], "status"}}``."""
        detail: dict[str, Any] = {"message": self.message, "domain": self.domain, "reason": self.reason}
        if self.location:
            detail["location"] = self.location
            detail["locationType"] = self.location_type
        return {
            "error": {
                "code": self.status,
                "message": self.message,
                "errors": [detail],
                "status": _GRPC_STATUS.get(self.status, "UNKNOWN"),
            }
        }


_GRPC_STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ALREADY_EXISTS",
    413: "INVALID_ARGUMENT",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    503: "UNAVAILABLE",
}


def bad_request(reason: str, message: str, location: str | None = None) -> ApiError:
    return ApiError(400, reason, message, location=location)


def not_found(reason: str, message: str) -> ApiError:
    return ApiError(404, reason, message)


QUOTA_MESSAGE = "The request cannot be completed because you have exceeded your quota."


def quota_exceeded() -> ApiError:
    return ApiError(403, "quotaExceeded", QUOTA_MESSAGE, domain="youtube.quota")
