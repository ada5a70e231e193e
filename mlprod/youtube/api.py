"""Calling the YouTube Data API: every call's cost written to the quota ledger, transient
failures retried with backoff, and Google's errors turned into ours, with the fix.

Only :class:`Channel` executes API requests; upload chunks go through :mod:`mlprod.youtube.upload`
(which uses :meth:`Channel.record` for the ``videos.insert`` that opens a session).
"""

from __future__ import annotations

import http.client
import json
import logging
import random
import socket
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httplib2
from googleapiclient.errors import HttpError

from mlprod.errors import AuthError, MlprodError, PublishError, QuotaExceeded
from mlprod.store import Database
from mlprod.youtube.quota import call_cost, exhausted_message, failed_call_cost, record_spend
from mlprod.youtube.quota_costs import CURRENT_COSTS

log = logging.getLogger(__name__)

TRANSIENT_STATUS = frozenset({429, 500, 502, 503, 504})
RATE_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded", "backendError"})
CONNECTION_ERRORS: tuple[type[Exception], ...] = (
    httplib2.HttpLib2Error, http.client.HTTPException, ConnectionError, socket.timeout, OSError,
)
SAFE_TO_REPEAT = ("list", "update", "set", "delete")
"""Verbs whose request can be sent again when a connection dropped before the answer: sending
them twice does no harm. An ``insert`` is not repeated blindly (it could create a duplicate)."""


class YouTubeRefused(PublishError):
    """YouTube answered an error a retry will not fix; ``status`` and ``reason`` say which."""

    def __init__(self, message: str, status: int = 0, reason: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason


def error_reason(err: HttpError) -> tuple[int, str, str]:
    """(status, reason, message) from Google's error body (``errors[0].reason``)."""
    status = int(getattr(err.resp, "status", 0) or 0)
    try:
        body = json.loads(err.content.decode("utf-8") if isinstance(err.content, bytes) else err.content)
        error = body.get("error", {}) if isinstance(body, dict) else {}
    except (ValueError, AttributeError):
        error = {}
    if not isinstance(error, dict):  # the token endpoint's shape: {"error": "invalid_grant"}
        return status, str(error), str(body.get("error_description", "")) if isinstance(body, dict) else ""
    details = error.get("errors") or [{}]
    reason = str(details[0].get("reason", "")) if isinstance(details[0], dict) else ""
    return status, reason, str(error.get("message", ""))


def translate(err: HttpError, what: str) -> MlprodError:
    """Our error, with the fix, for an API error answered while doing ``what``."""
    status, reason, message = error_reason(err)
    if reason in {"quotaExceeded", "dailyLimitExceeded"}:
        return QuotaExceeded(exhausted_message())
    if status == 401:
        return AuthError(f"YouTube refused the sign-in while {what} — sign in again with"
                         " `mlprod auth login`")
    if reason == "insufficientPermissions":
        return AuthError(f"the sign-in lacks a permission needed for {what} — run `mlprod auth login`"
                         " again and accept every permission asked")
    if reason == "uploadLimitExceeded":
        return PublishError("the channel has uploaded as many videos as YouTube allows today — "
                            "publish the rest tomorrow")
    if reason == "forbidden" and "thumbnail" in what:
        return PublishError("YouTube refused the custom thumbnail: the channel must be verified"
                            " (youtube.com/verify) — verify it, then run `mlprod publish --update`")
    hint = {
        "invalidTitle": "shorten the title (1 to 100 characters, no < or >)",
        "invalidDescription": "shorten the description (at most 5000 bytes, no < or >)",
        "invalidTags": "remove tags (at most 500 characters in all)",
        "invalidPublishAt": "set publish_at in the future, with privacy private or left out",
        "videoNotFound": "the video was deleted on YouTube; check `mlprod status`",
    }.get(reason, "check the recipe, then run the command again")
    return YouTubeRefused(f"YouTube answered {status} {reason} while {what}: {message} — {hint}",
                          status, reason)


def backoff(attempt: int, base: float = 1.0, cap: float = 32.0) -> float:
    """Exponential backoff with full jitter: a random wait in [0, min(cap, base·2^attempt)]."""
    return random.uniform(0, min(cap, base * 2 ** attempt))  # noqa: S311 — jitter, not crypto


@dataclass
class Channel:
    """The signed-in channel: a YouTube service, the database for the ledger, the cost table."""

    service: Any
    db: Database
    costs: Mapping[str, int] = field(default_factory=lambda: CURRENT_COSTS)
    retries: int = 5
    base_delay: float = 1.0
    sleep: Callable[[float], None] = time.sleep
    spent: int = 0
    """Units this process recorded (for the batch summary)."""

    def record(self, method: str, units: int) -> None:
        if units:
            record_spend(self.db, method, units)
            self.spent += units

    def call(self, request: Any, what: str) -> Any:
        """Execute ``request`` (a googleapiclient HttpRequest), recording its cost."""
        method = str(request.methodId)
        verb = method.rsplit(".", 1)[-1]
        for attempt in range(self.retries + 1):
            try:
                result = request.execute(num_retries=0)
            except HttpError as err:
                status, reason, _ = error_reason(err)
                self.record(method, failed_call_cost(method, status, reason, self.costs))
                if _transient(status, reason) and attempt < self.retries:
                    self._wait(attempt, f"{what}: YouTube answered {status}")
                    continue
                raise translate(err, what) from err
            except CONNECTION_ERRORS as err:
                if verb in SAFE_TO_REPEAT and attempt < self.retries:
                    self._wait(attempt, f"{what}: connection lost ({err.__class__.__name__})")
                    continue
                raise PublishError(f"the connection to YouTube dropped while {what} ({err}) — run the"
                                   " same command again: what was done is kept") from err
            self.record(method, call_cost(method, self.costs))
            return result
        raise AssertionError("unreachable")  # pragma: no cover

    def _wait(self, attempt: int, why: str) -> None:
        delay = backoff(attempt, self.base_delay)
        log.warning("%s; retrying in %.1f s", why, delay)
        self.sleep(delay)

    def pages(self, make_request: Callable[[str | None], Any], what: str) -> list[dict[str, Any]]:
        """Every item of a paginated list (``make_request(page_token)`` builds each page)."""
        items: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            answer = self.call(make_request(token), what)
            items.extend(answer.get("items", []))
            token = answer.get("nextPageToken")
            if not token:
                return items


def _transient(status: int, reason: str) -> bool:
    return status in TRANSIENT_STATUS or (status == 403 and reason in RATE_REASONS)
