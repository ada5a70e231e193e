"""Sending a build's pieces to the cluster and waiting for them, with an eye on the workers.

Pieces already on the shared storage are not sent (a piece is keyed by its content: any site's
build may have rendered it). The others go to the queue, longest first; any worker takes them, so
the pieces of one video render in parallel. While waiting, the build polls each piece's state
(a running piece names its worker), asks the workers to answer a ping every few seconds, and says
which worker is slow or gone; a piece whose worker stopped answering is sent again (idempotent:
whichever copy finishes first is the piece). A broker that cannot be reached is retried for
:data:`BROKER_PATIENCE` seconds before the build gives up, saying so.
"""

from __future__ import annotations

import logging
import statistics
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from mlprod.cluster.app import PROTOCOL, QUEUE, TASK, shown
from mlprod.cluster.specs import relocate
from mlprod.cluster.storage import SharedStorage
from mlprod.cluster.tasks import PieceResult, Status
from mlprod.errors import RenderError
from mlprod.media.ffmpeg import ProgressCallback
from mlprod.render.cache import ContentStore
from mlprod.render.pieces import Piece, spec_to_json

log = logging.getLogger(__name__)

POLL_EVERY = 0.25        # seconds between two looks at the pieces' states
PING_EVERY = 3.0         # seconds between two pings of the workers
PING_TIMEOUT = 1.0
GONE_AFTER = 2           # missed pings before a worker's piece is sent again
SLOW_FACTOR = 3.0        # a piece running this many times the usual piece time is slow…
SLOW_MIN = 30.0          # …and at least this many seconds
NOBODY_AFTER = 10.0      # seconds without any worker before the build says so
BROKER_PATIENCE = 120.0  # seconds the broker may stay unreachable during a build


@dataclass
class _Sent:
    piece: Piece
    result: Any            # celery AsyncResult
    worker: str | None = None
    started: float | None = None
    missed: int = 0
    slow_said: bool = False


@dataclass
class ClusterReport:
    """What the cluster did for one build: pieces sent, found on the shared storage, per worker."""

    sent: int = 0
    shared: int = 0
    resent: int = 0
    workers: Counter[str] = field(default_factory=Counter)


Notify = Callable[[str], None]


def _broker_errors() -> tuple[type[BaseException], ...]:
    from kombu.exceptions import OperationalError
    from redis.exceptions import RedisError

    return OSError, OperationalError, RedisError


class _Waiter:
    def __init__(self, app: Any, storage: SharedStorage, store: ContentStore, renderer: str,
                 notify: Notify) -> None:
        self.app, self.storage, self.store, self.renderer, self.notify = app, storage, store, renderer, notify
        self.report = ClusterReport()
        self.pending: dict[str, _Sent] = {}
        self.times: list[float] = []
        self.alive: set[str] = set()
        self.last_ping = 0.0
        self.nobody_since: float | None = None
        self.nobody_said = False

    def send(self, piece: Piece) -> None:
        spec = spec_to_json(relocate(piece, self.storage.export))
        result = self.app.send_task(TASK, args=[spec, PROTOCOL, self.renderer], queue=QUEUE)
        self.pending[piece.key] = _Sent(piece, result)

    def look(self) -> list[Piece]:
        """The pieces finished since the last look (raises on a failed or refused piece)."""
        finished = []
        for key, sent in list(self.pending.items()):
            state = sent.result.state
            if state == "SUCCESS":
                self._finished(sent, PieceResult.from_json(sent.result.result))
                del self.pending[key]
                finished.append(sent.piece)
            elif state == "FAILURE":
                raise RenderError(f"piece {sent.piece.label}: the worker failed: {sent.result.result!r}"
                                  " — see the worker's log")
            elif state == "STARTED" and isinstance(sent.result.info, dict):
                worker = str(sent.result.info.get("hostname", "?"))
                if worker != sent.worker:
                    sent.worker, sent.started, sent.missed = worker, time.monotonic(), 0
        return finished

    def _finished(self, sent: _Sent, done: PieceResult) -> None:
        if done.status is not Status.done:
            raise RenderError(f"piece {sent.piece.label}: {done.error}")
        if not self.storage.fetch_piece(sent.piece.key, self.store):
            raise RenderError(f"piece {sent.piece.label}: worker {done.worker} rendered it but it is not on"
                              f" the shared storage {self.storage.description} — check that every worker's"
                              " render.shared names the same storage as this machine's")
        self.report.workers[done.worker] += 1
        if done.rendered:
            self.times.append(done.seconds)

    def watch(self) -> None:
        """Every few seconds: which workers answer; pieces of a gone worker sent again; slow ones said."""
        now = time.monotonic()
        if now - self.last_ping < PING_EVERY:
            return
        replies = self.app.control.ping(timeout=PING_TIMEOUT) or []
        self.last_ping = time.monotonic()
        self.alive = {name for reply in replies for name in reply}
        self._nobody(now)
        usual = statistics.median(self.times) if self.times else None
        for sent in list(self.pending.values()):
            if sent.worker is None or sent.started is None:
                continue
            if sent.worker not in self.alive:
                sent.missed += 1
                if sent.missed >= GONE_AFTER:
                    self.notify(f"worker {sent.worker} stopped answering while rendering piece"
                                f" {sent.piece.label}: sending it to another worker")
                    self.report.resent += 1
                    self.send(sent.piece)
                continue
            sent.missed = 0
            running = now - sent.started
            limit = max(SLOW_FACTOR * usual, SLOW_MIN) if usual is not None else 2 * SLOW_MIN
            if running > limit and not sent.slow_said:
                sent.slow_said = True
                typical = f" (a piece usually takes {usual:.0f} s)" if usual is not None else ""
                self.notify(f"worker {sent.worker} is slow: piece {sent.piece.label} has been rendering"
                            f" for {running:.0f} s{typical}")

    def _nobody(self, now: float) -> None:
        if self.alive:
            self.nobody_since, self.nobody_said = None, False
            return
        self.nobody_since = self.nobody_since or now
        if now - self.nobody_since > NOBODY_AFTER and not self.nobody_said:
            self.nobody_said = True
            self.notify(f"no render worker answers on {shown(self.app.conf.broker_url)} — start"
                        f" `mlprod worker` on a machine that reads {self.storage.description}; waiting")


def render_on_cluster(app: Any, storage: SharedStorage, store: ContentStore, pieces: Sequence[Piece],
                      renderer: str, *, fps: int, progress: ProgressCallback | None = None,
                      notify: Notify = log.warning) -> ClusterReport:
    """Every piece of ``pieces`` into ``store``: found on the shared storage, or rendered by workers."""
    unique = list({p.key: p for p in pieces}.values())
    todo = [p for p in unique if not storage.fetch_piece(p.key, store)]
    waiter = _Waiter(app, storage, store, renderer, notify)
    waiter.report.shared = len(unique) - len(todo)
    total = sum(p.frames for p in todo) / fps
    done = 0.0
    errors = _broker_errors()
    lost_since: float | None = None
    try:
        for piece in sorted(todo, key=lambda p: -p.frames):
            waiter.send(piece)
        waiter.report.sent = len(todo)
        while waiter.pending:
            try:
                for piece in waiter.look():
                    done += piece.frames / fps
                    if progress is not None:
                        progress(min(done, total), total)
                waiter.watch()
                lost_since = None
            except errors as err:
                lost_since = lost_since or time.monotonic()
                if time.monotonic() - lost_since > BROKER_PATIENCE:
                    raise RenderError(f"the render queue {shown(app.conf.broker_url)} has not answered for"
                                      f" {BROKER_PATIENCE:.0f} s ({err}) — check that Redis runs there, then"
                                      " build again (rendered pieces are kept)") from err
                log.debug("render queue unreachable (%s); retrying", err)
            time.sleep(POLL_EVERY)
    except BaseException:
        _forget(app, waiter)
        raise
    return waiter.report


def _forget(app: Any, waiter: _Waiter) -> None:
    """A failed or interrupted build: its pieces not yet started need not be rendered."""
    ids = [sent.result.id for sent in waiter.pending.values() if sent.worker is None]
    if ids:
        try:
            app.control.revoke(ids)
        except Exception as err:  # the build's own error matters more than this clean-up
            log.debug("could not revoke %d pieces: %s", len(ids), err)
