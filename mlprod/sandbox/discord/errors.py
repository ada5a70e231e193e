"""Errors in Discord's shape: ``{"message", "code"}``, with ``errors`` for an invalid form body
(``{"content": {"_errors": [{"code", "message"}]}}``), and a 429's ``retry_after`` and ``global``.
"""

from __future__ import annotations

from typing import Any

from mlprod.sandbox.errors import WireError


class DiscordError(WireError):
    def __init__(
        self,
        status: int,
        code: int,
        message: str,
        *,
        errors: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.errors = errors
        self.headers = dict(headers or {})

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors:
            body["errors"] = self.errors
        return body


class RateLimited(DiscordError):
    def __init__(self, retry_after: float, headers: dict[str, str]) -> None:
        super().__init__(429, 0, "You are being rate limited.", headers=headers)
        self.retry_after = retry_after

    def body(self) -> dict[str, Any]:
        return {"message": self.message, "retry_after": round(self.retry_after, 3), "global": False}


def unknown_webhook() -> DiscordError:
    return DiscordError(404, 10015, "Unknown Webhook")


def invalid_token() -> DiscordError:
    return DiscordError(401, 50027, "Invalid Webhook Token")


def unknown_message() -> DiscordError:
    return DiscordError(404, 10008, "Unknown Message")


def too_large() -> DiscordError:
    return DiscordError(413, 40005, "Request entity too large")


def empty_message() -> DiscordError:
    return DiscordError(400, 50006, "Cannot send an empty message")


def invalid_form(errors: dict[str, Any]) -> DiscordError:
    return DiscordError(400, 50035, "Invalid Form Body", errors=errors)
