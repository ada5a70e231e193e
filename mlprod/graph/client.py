"""Calling Meta's Graph API over HTTP (httpx), for the facebook and instagram packages.

Why httpx and not Meta's business SDK: the SDK is built around Marketing API objects, sends
tokens as query parameters, and does not speak the upload host's resumable protocol (``offset``
and ``file_size`` headers, the upload status read back) that Reels need; what we call is a dozen
documented endpoints, which httpx reaches with full control of retries, timeouts and what is logged.

Every request carries the token in an ``Authorization: OAuth …`` header, never in the URL, so no
log line (ours or httpx's) can show it. One :class:`GraphClient` is one signed-in account; it:

* retries rate limits (codes 4, 17, 32, 613…) with an exponential backoff and says so;
* retries passing failures (5xx, ``is_transient``, a dropped connection) for requests that are
  safe to send twice (reads, deletes, uploads at an offset); a request that creates something
  (``repeatable=False``) is never repeated blindly after a dropped connection:
  :class:`ConnectionLost` lets the caller look first;
* turns every other error into our own with the fix (:mod:`mlprod.graph.errors`).
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from mlprod.errors import PublishError
from mlprod.graph.errors import GraphProblem, read_problem, translate

log = logging.getLogger(__name__)

GRAPH_VERSION = "v21.0"
"""The Graph API version mlprod was written against."""
GRAPH_URL = f"https://graph.facebook.com/{GRAPH_VERSION}"
DIALOG_URL = f"https://www.facebook.com/{GRAPH_VERSION}/dialog/oauth"
TIMEOUT = httpx.Timeout(60.0, connect=15.0)
RETRIES = 6
BASE_DELAY = 2.0
MAX_DELAY = 300.0

Params = Mapping[str, str | int | float | bool | None]


class ConnectionLost(PublishError):
    """The connection dropped before Meta answered a request that may have created something."""


class PartFailed(PublishError):
    """One upload request failed in a way that asking where the upload stands may fix."""


def backoff(attempt: int, base: float = BASE_DELAY, cap: float = MAX_DELAY) -> float:
    """Exponential backoff with jitter: a random wait in [base·2^attempt / 2, base·2^attempt]."""
    top = min(cap, base * 2 ** attempt)
    return random.uniform(top / 2, top)  # noqa: S311 — jitter, not crypto


def regain_delay(headers: Mapping[str, str]) -> float | None:
    """Seconds until access returns, from ``X-Business-Use-Case-Usage`` (in minutes), if it says."""
    raw = headers.get("x-business-use-case-usage")
    if not raw:
        return None
    try:
        usage = json.loads(raw)
        minutes = [int(entry.get("estimated_time_to_regain_access") or 0)
                   for entries in usage.values() for entry in entries]
    except (ValueError, AttributeError, TypeError):
        return None
    return max(minutes, default=0) * 60.0 or None


@dataclass
class GraphClient:
    """One signed-in account's calls to the Graph API at ``root`` (Meta's, or a sandbox's)."""

    root: str
    token: str
    label: str = "Facebook"
    """How messages name the platform: "Facebook", "Instagram"."""
    sleep: Callable[[float], None] = time.sleep
    retries: int = RETRIES
    base_delay: float = BASE_DELAY
    http: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=TIMEOUT))
    sent_bytes: int = 0
    """Upload bytes sent by this client (for the benchmark and the batch summary)."""

    def __post_init__(self) -> None:
        self.root = self.root.rstrip("/")

    def url(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else f"{self.root}/{path.lstrip('/')}"

    def close(self) -> None:
        self.http.close()

    # -- the verbs -----------------------------------------------------------------------------

    def get(self, path: str, what: str, params: Params | None = None) -> dict[str, Any]:
        return self.request("GET", path, what, params=params)

    def post(self, path: str, what: str, data: Params | None = None, *,
             repeatable: bool = False) -> dict[str, Any]:
        """POST form fields; ``repeatable`` says sending it twice does no harm (else
        :class:`ConnectionLost` when the connection drops before the answer)."""
        return self.request("POST", path, what, data=data, repeatable=repeatable)

    def delete(self, path: str, what: str) -> dict[str, Any]:
        return self.request("DELETE", path, what)

    def get_all(self, path: str, what: str, params: Params | None = None,
                limit: int = 1000) -> list[dict[str, Any]]:
        """Every item of a paged edge (``data`` and ``paging.next``), up to ``limit`` items."""
        items: list[dict[str, Any]] = []
        answer = self.get(path, what, params)
        while True:
            items.extend(answer.get("data") or [])
            following = (answer.get("paging") or {}).get("next")
            if not following or len(items) >= limit:
                return items[:limit]
            answer = self.get(str(following), what)

    def request(self, method: str, path: str, what: str, *, params: Params | None = None,
                data: Params | None = None, content: Iterable[bytes] | None = None, length: int = 0,
                headers: Mapping[str, str] | None = None, repeatable: bool | None = None,
                once: bool = False) -> dict[str, Any]:
        """Send one request, retrying what may be retried; the JSON answer, or our error.

        ``once``: no retry here; a dropped connection or a passing failure raises
        :class:`PartFailed` (an upload part: the caller asks where the upload stands first).
        ``content``: an upload part's bytes, read as they are sent (``length`` of them), so that
        nothing of it stays in memory after the request.
        """
        safe = method in {"GET", "DELETE"} if repeatable is None else repeatable
        sent_headers = {"Authorization": f"OAuth {self.token}"} if self.token else {}
        sent_headers.update(headers or {})
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            try:
                answer = self.http.request(method, self.url(path), params=_clean(params),
                                           data=_clean(data), content=content, headers=sent_headers)
            except httpx.LocalProtocolError as err:  # our request is malformed: no retry fixes it
                raise PublishError(f"mlprod could not send its request to {self.label} while {what}"
                                   f" ({err}) — please report it") from err
            except httpx.TransportError as err:
                if once:
                    raise PartFailed(f"connection lost ({err.__class__.__name__})") from err
                if not safe:
                    raise ConnectionLost(f"the connection to {self.label} dropped while {what}"
                                         f" ({err.__class__.__name__})") from err
                if last:
                    raise PublishError(f"cannot reach {self.label} while {what} ({err}) — check the network,"
                                       " then run the same command again: what was done is kept") from err
                self._wait(attempt, f"{what}: the connection to {self.label} dropped", None)
                continue
            if content is not None and answer.status_code < 400:
                self.sent_bytes += length
            if answer.status_code < 400:
                return _json(answer)
            problem = read_problem(answer.status_code, answer.content)
            if once and problem.retriable:
                raise PartFailed(str(problem))
            if problem.retriable and not last and (safe or problem.rate_limited):
                self._wait(attempt, self._why(problem, what), regain_delay(answer.headers))
                continue
            raise translate(problem, self.label, what)
        raise AssertionError("unreachable")  # pragma: no cover

    def _why(self, problem: GraphProblem, what: str) -> str:
        if problem.rate_limited:
            return f"{self.label} is limiting mlprod's requests ({problem}) while {what}"
        return f"{self.label} failed for a moment ({problem}) while {what}"

    def _wait(self, attempt: int, why: str, hinted: float | None) -> None:
        delay = min(hinted, MAX_DELAY) if hinted else backoff(attempt, self.base_delay)
        log.warning("%s: waiting %.0f s, then trying again (%d of %d)", why, max(delay, 1),
                    attempt + 2, self.retries + 1)
        self.sleep(delay)


def _clean(values: Params | None) -> dict[str, str] | None:
    """Form or query values as Graph reads them: booleans as true/false, None left out."""
    if values is None:
        return None
    return {k: (str(v).lower() if isinstance(v, bool) else str(v))
            for k, v in values.items() if v is not None}


def _json(answer: httpx.Response) -> dict[str, Any]:
    if not answer.content:
        return {}
    try:
        body = answer.json()
    except ValueError:
        return {"raw": answer.text[:200]}
    if isinstance(body, dict):
        return body
    return {"data": body} if isinstance(body, list) else {"value": body}
