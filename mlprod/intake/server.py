"""Running the employer page on uvicorn: in the foreground (`mlprod intake serve`) or in a thread.

uvicorn is a production ASGI server; put it behind the Mission Locale's HTTPS reverse proxy
(``--proxy-headers`` is on, trusting the proxy on the same machine) and set ``base_url`` to the
public address (README, "Production notes", says which proxy settings). A connection that stays
silent while sending its request is closed after ``client_timeout`` seconds (intake/idle.py).
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable

import uvicorn

from mlprod.config import Settings
from mlprod.errors import IntakeError
from mlprod.intake.app import create_app
from mlprod.intake.idle import idle_closing_protocol
from mlprod.intake.options import IntakeOptions, load_intake_options
from mlprod.store import Database

START_TIMEOUT = 15.0


def _config(settings: Settings, options: IntakeOptions, db: Database | None, host: str, port: int,
            log_level: str) -> uvicorn.Config:
    return uvicorn.Config(
        create_app(settings, options, db), host=host, port=port, log_level=log_level, access_log=False,
        proxy_headers=True, forwarded_allow_ips="127.0.0.1", server_header=False,
        timeout_keep_alive=30,  # a phone on a weak network pauses between requests
        http=idle_closing_protocol(options.client_timeout),  # and slow headers or bodies are closed
        lifespan="on",
    )


def serve(settings: Settings, host: str | None = None, port: int | None = None,
          options: IntakeOptions | None = None, log_level: str = "info") -> None:
    """Serve until interrupted (Ctrl-C stops it cleanly)."""
    options = options or load_intake_options(settings)
    server = uvicorn.Server(_config(settings, options, None, host or options.host,
                                    options.port if port is None else port, log_level))
    server.run()


def serve_in_thread(
    settings: Settings, host: str = "127.0.0.1", port: int = 0, *,
    options: IntakeOptions | None = None, db: Database | None = None, log_level: str = "warning",
) -> tuple[str, Callable[[], None]]:
    """Start the page in a background thread; return its root URL and a function that stops it.

    ``port=0`` picks a free port. For the demo and tests: ``url, stop = serve_in_thread(settings)``.
    """
    options = options or load_intake_options(settings)
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    bound = sock.getsockname()[1]
    server = uvicorn.Server(_config(settings, options, db, host, bound, log_level))
    thread = threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[sock])),
                              name=f"mlprod-intake-{bound}", daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.02)
    if not server.started:
        server.should_exit = True
        sock.close()
        raise IntakeError(f"the intake page did not start on {host}:{bound} — see the log above")

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()

    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{bound}", stop
