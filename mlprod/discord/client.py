"""Calling one Discord webhook over HTTP (httpx): send a message, read, edit or delete one of its own.

Discord's webhook endpoints need no library: a JSON body, or ``multipart/form-data`` with a
``payload_json`` part and ``files[n]`` for attachments. What matters is the answers:

* 429: Discord says how long to wait (``retry_after`` in the JSON body, in seconds, and the
  ``Retry-After`` header): wait exactly that, say so, and send again — nothing was done.
* 502/503/504: a passing failure at Discord's edge: nothing was done, try again after a while.
* 404 code 10015 "Unknown Webhook" (or 401 code 50027, a token that no longer works): the webhook
  was deleted in Discord — :class:`WebhookGone`, whose message says to add a new one.
* 404 code 10008 "Unknown Message": someone deleted the message in the channel.
* A connection lost once a message was sent but before Discord answered: it may be in the channel
  or not, and a webhook cannot read the channel to know — :class:`SendUncertain`, never a second
  send (reads, edits and deletes are safe to repeat and are retried).
"""

from __future__ import annotations

import contextlib
import json
import logging
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from mlprod.discord.webhook import ADD_WEBHOOK, WHERE_TO_FIND, WebhookUrl
from mlprod.errors import PublishError

log = logging.getLogger(__name__)

TIMEOUT = httpx.Timeout(30.0, connect=10.0)
RETRIES = 5
BASE_DELAY = 1.0
MAX_WAIT = 600.0
"""A rate limit asking for longer than this stops the run instead (a global limit on the app)."""
UNKNOWN_WEBHOOK = 10015
UNKNOWN_MESSAGE = 10008
INVALID_TOKEN = 50027
PASSING = frozenset({502, 503, 504})


class DiscordRefused(PublishError):
    """Discord answered with an error; ``status`` and ``code`` as it gave them."""

    def __init__(self, message: str, status: int, code: int) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class WebhookGone(DiscordRefused):
    """The webhook was deleted in Discord (or its token reset): a new one must be added."""


class SendUncertain(PublishError):
    """The connection dropped after a message was sent and before Discord answered."""


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message: referred to as ``attachment://{name}`` in its embeds."""

    path: Path
    name: str
    content_type: str = "image/jpeg"


def _problem(answer: httpx.Response) -> tuple[int, str, Any]:
    """(code, message, errors) of a Discord error body; (0, reason, None) when it is not JSON."""
    try:
        body = answer.json()
    except ValueError:
        return 0, answer.reason_phrase or f"HTTP {answer.status_code}", None
    if not isinstance(body, dict):
        return 0, str(body)[:200], None
    return int(body.get("code") or 0), str(body.get("message") or answer.reason_phrase), body.get("errors")


def flatten_errors(errors: Any, where: str = "") -> list[str]:
    """Discord's ``errors`` tree (``{"embeds": {"0": {"title": {"_errors": [...]}}}}``) as lines."""
    if not isinstance(errors, dict):
        return []
    lines = [f"{where or 'message'}: {e.get('message', e)}" for e in errors.get("_errors", [])
             if isinstance(e, dict)]
    for key, value in errors.items():
        if key != "_errors":
            lines += flatten_errors(value, f"{where}.{key}" if where else str(key))
    return lines


def retry_after(answer: httpx.Response) -> float:
    """Seconds a 429 asks to wait: the body's ``retry_after``, else ``Retry-After``, else 1."""
    try:
        return max(float(answer.json()["retry_after"]), 0.0)
    except (ValueError, KeyError, TypeError):
        pass
    try:
        return max(float(answer.headers.get("Retry-After", "1")), 0.0)
    except ValueError:
        return 1.0


@dataclass
class WebhookClient:
    """Requests to one webhook; ``sleep`` is how waits happen (tests pass one that records)."""

    hook: WebhookUrl
    sleep: Callable[[float], None] = time.sleep
    retries: int = RETRIES
    base_delay: float = BASE_DELAY
    http: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=TIMEOUT))
    sent_bytes: int = 0
    """Request bytes this client sent (JSON and attachments), for the benchmark."""
    waited: float = 0.0
    """Seconds spent waiting for rate limits and passing failures."""

    def close(self) -> None:
        self.http.close()

    # -- what a webhook does -------------------------------------------------------------------

    def info(self) -> dict[str, Any]:
        """``GET {webhook}``: its name, channel and server."""
        return self._request("GET", "", "reading the webhook", repeatable=True)

    def send(self, payload: dict[str, Any], files: Sequence[Attachment] = ()) -> dict[str, Any]:
        """``POST {webhook}?wait=true``: the message Discord made (with its id) — never sent twice."""
        return self._request("POST", "", "sending the announcement", payload=payload, files=files,
                             params={"wait": "true"}, repeatable=False)

    def edit(self, message_id: str, payload: dict[str, Any]) -> dict[str, Any]:
        """``PATCH {webhook}/messages/{id}``: the message as edited."""
        return self._request("PATCH", f"/messages/{message_id}", "editing the announcement",
                             payload=payload, repeatable=True)

    def delete(self, message_id: str) -> None:
        self._request("DELETE", f"/messages/{message_id}", "deleting the announcement", repeatable=True)

    def message(self, message_id: str) -> dict[str, Any] | None:
        """``GET {webhook}/messages/{id}``, None when the message was deleted."""
        try:
            return self._request("GET", f"/messages/{message_id}", "reading the announcement",
                                 repeatable=True)
        except DiscordRefused as err:
            if err.code == UNKNOWN_MESSAGE:
                return None
            raise

    # -- one request ---------------------------------------------------------------------------

    def _request(self, method: str, path: str, what: str, *, payload: dict[str, Any] | None = None,
                 files: Sequence[Attachment] = (), params: dict[str, str] | None = None,
                 repeatable: bool) -> dict[str, Any]:
        url = self.hook.url + path
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            try:
                answer, size = self._send(method, url, payload, files, params)
            except (httpx.ConnectError, httpx.ConnectTimeout) as err:  # nothing reached Discord
                if last:
                    raise PublishError(f"cannot reach Discord while {what} ({err.__class__.__name__}) —"
                                       " check the network, then run the same command again") from err
                self._wait(self._backoff(attempt), f"{what}: Discord cannot be reached")
                continue
            except httpx.TransportError as err:
                if not repeatable:
                    raise SendUncertain(f"the connection to Discord dropped while {what}, after it was"
                                        f" sent ({err.__class__.__name__})") from err
                if last:
                    raise PublishError(f"the connection to Discord dropped while {what} — run the same"
                                       " command again") from err
                self._wait(self._backoff(attempt), f"{what}: the connection to Discord dropped")
                continue
            self.sent_bytes += size
            if answer.status_code < 400:
                return answer.json() if answer.content else {}
            if answer.status_code == 429 and not last:
                wait = retry_after(answer)
                if wait > MAX_WAIT:
                    raise PublishError(f"Discord limits mlprod's messages for {wait / 60:.0f} minutes while"
                                       f" {what} — run the same command again later")
                self._wait(wait, f"Discord's rate limit (429) while {what}: it asks mlprod to wait")
                continue
            if answer.status_code in PASSING and not last:
                self._wait(self._backoff(attempt), f"{what}: Discord answered {answer.status_code}")
                continue
            raise self._refused(answer, what)
        raise AssertionError("unreachable")  # pragma: no cover

    def _send(self, method: str, url: str, payload: dict[str, Any] | None, files: Sequence[Attachment],
              params: dict[str, str] | None) -> tuple[httpx.Response, int]:
        if not files:
            body = json.dumps(payload, ensure_ascii=False).encode() if payload is not None else b""
            headers = {"Content-Type": "application/json"} if payload is not None else {}
            return self.http.request(method, url, params=params, content=body, headers=headers), len(body)
        data = {"payload_json": json.dumps(payload or {}, ensure_ascii=False)}
        with contextlib.ExitStack() as opened:  # read as sent, closed after the request
            parts = [(f"files[{index}]", (a.name, opened.enter_context(a.path.open("rb")), a.content_type))
                     for index, a in enumerate(files)]
            size = len(data["payload_json"].encode()) + sum(a.path.stat().st_size for a in files)
            return self.http.request(method, url, params=params, data=data, files=parts), size

    def _backoff(self, attempt: int) -> float:
        top = self.base_delay * 2 ** attempt
        return random.uniform(top / 2, top)  # noqa: S311 — jitter, not crypto

    def _wait(self, seconds: float, why: str) -> None:
        log.warning("%s: waiting %.1f s, then trying again", why, seconds)
        self.waited += seconds
        self.sleep(seconds)

    def _refused(self, answer: httpx.Response, what: str) -> DiscordRefused:
        code, message, errors = _problem(answer)
        status = answer.status_code
        if code in (UNKNOWN_WEBHOOK, INVALID_TOKEN):
            return WebhookGone(
                f"the Discord webhook {self.hook.masked()} was deleted (Discord answers \"{message}\") —"
                f" ask for a new one ({WHERE_TO_FIND}) and add it with {ADD_WEBHOOK}", status, code)
        if code == UNKNOWN_MESSAGE:
            return DiscordRefused(f"the announcement is no longer in the channel (\"{message}\")", status,
                                  code)
        if status == 413:
            return DiscordRefused(f"Discord refused the announcement's attachment as too large while {what}"
                                  " — the thumbnail must stay under 10 MB", status, code)
        details = "; ".join(flatten_errors(errors))
        return DiscordRefused(f"Discord refused while {what}: {status} {message}"
                              f"{' (' + details + ')' if details else ''}", status, code)
