"""The Celery application: Redis as broker and result backend, settings that lose no piece.

A piece is acknowledged only once rendered (``task_acks_late``), one at a time per process
(prefetch 1), and put back on the queue when the process running it dies
(``task_reject_on_worker_lost``). When a whole worker machine dies, Redis hands its unacknowledged
pieces out again after :data:`REDELIVER_AFTER`; the building machine does not wait that long: it
sends a piece again as soon as the worker that took it stops answering (dispatch.py). Pieces are
idempotent (keyed by content, written whole or not at all), so a piece rendered twice is harmless.
A lost broker connection is retried, on the worker and on the builder.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

from mlprod import __version__
from mlprod.render.cache import RENDERER_VERSION

QUEUE = "mlprod-render"
TASK = "mlprod.render_piece"
REDELIVER_AFTER = 1800    # seconds: a piece taken by a worker that vanished is handed out again
RESULTS_KEPT = 86400      # seconds: a build waits at most this long for its pieces' results
PROTOCOL = f"{__version__}|{RENDERER_VERSION}"   # what a worker must run to take this build's pieces


def make_app(broker: str, **extra: Any) -> Any:
    """A Celery app on ``broker`` (a redis:// URL), configured for pieces; ``extra`` sets more."""
    from celery import Celery  # imported only for a cluster build or a worker

    app = Celery("mlprod", broker=broker, backend=broker, set_as_current=False)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_track_started=True,           # a running piece names its worker (hostname, pid)
        task_serializer="json", result_serializer="json", accept_content=["json"],
        task_default_queue=QUEUE,
        result_expires=RESULTS_KEPT,
        broker_transport_options={"visibility_timeout": REDELIVER_AFTER},
        result_backend_transport_options={"retry_policy": {"timeout": 5.0}},
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,  # a worker waits for its broker to come back
        task_publish_retry=True,
        task_publish_retry_policy={"max_retries": 20, "interval_start": 0.5, "interval_step": 1.0,
                                   "interval_max": 5.0},
        worker_hijack_root_logger=False,
        worker_redirect_stdouts=False,
        worker_send_task_events=False,
        **extra,
    )
    return app


def shown(url: str) -> str:
    """A broker URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))
