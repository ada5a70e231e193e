"""Closing connections whose client stays silent while the server waits for its request.

uvicorn closes a connection idle *between* requests (its keep-alive timeout) but waits forever for
headers that never finish and for a body that stops coming: a handful of such connections (a
"slowloris") hold the page's sockets and the uploads' temporary files. This is uvicorn's own h11
protocol with one watch added: while we are waiting on the client (no complete request yet, or its
body still coming and us reading it), ``client_timeout`` seconds without a byte close the
connection. Silence that is ours (the app probing clips, or reading paused because the app is
behind) never counts. A form cut short this way is thrown away like any broken upload.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

log = logging.getLogger(__name__)


class IdleClosingH11(H11Protocol):
    """uvicorn's h11 protocol that closes a connection silent for ``client_timeout`` seconds while
    we wait on it. Use :func:`idle_closing_protocol` to get one with the timeout set."""

    client_timeout = 30.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._last_data = 0.0
        self._watch: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._last_data = self.loop.time()
        self._watch = self.loop.call_later(self.client_timeout, self._check)

    def data_received(self, data: bytes) -> None:
        self._last_data = self.loop.time()
        super().data_received(data)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._watch is not None:
            self._watch.cancel()
            self._watch = None
        super().connection_lost(exc)

    def _waiting_on_client(self) -> bool:
        if self.timeout_keep_alive_task is not None:
            return False  # idle between two requests: uvicorn's keep-alive timeout handles it
        cycle = self.cycle
        if cycle is None or cycle.response_complete:
            return True  # no request yet, or the next one's headers are not finished
        if cycle.waiting_for_100_continue:
            return False  # the client waits for our "100 Continue" before it sends the body
        return bool(cycle.more_body) and not self.flow.read_paused

    def _check(self) -> None:
        self._watch = None
        if self.transport.is_closing():
            return
        now = self.loop.time()
        if not self._waiting_on_client():
            self._last_data = now  # the silence is ours: the client's clock starts when we wait again
        elif now - self._last_data >= self.client_timeout:
            client = "%s:%d" % self.client if self.client else "a client"  # noqa: UP031 - uvicorn's style
            log.info("intake: closed the connection of %s, silent for %.0f s while sending its request",
                     client, now - self._last_data)
            self.transport.close()
            return
        self._watch = self.loop.call_later(self._last_data + self.client_timeout - now, self._check)


def idle_closing_protocol(client_timeout: float) -> type[IdleClosingH11]:
    """The protocol class to give uvicorn (``Config(http=…)``), closing after ``client_timeout`` s."""
    return type("IdleClosingH11", (IdleClosingH11,), {"client_timeout": float(client_timeout)})
