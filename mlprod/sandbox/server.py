"""The HTTP side: a threaded HTTP/1.1 server on the standard library, :class:`Sandbox` to run it in
the background (tests) and :func:`serve` to run it in the foreground (``mlprod sandbox serve``).

The standard library server is deliberate: the sandbox must drop a connection mid-body (with a
TCP reset) and read 1 GB uploads block by block, which frameworks hide.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import struct
import threading
import urllib.parse
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from mlprod.sandbox.app import SandboxApp
from mlprod.sandbox.config import SandboxConfig
from mlprod.sandbox.errors import ApiError, SandboxError, WireError
from mlprod.sandbox.media import BodyReader
from mlprod.sandbox.replies import ClientGone, DropConnection, Reply, error_reply
from mlprod.sandbox.routes import UPLOAD_PREFIXES, Platforms

log = logging.getLogger("mlprod.sandbox")

SCOPES = (
    "https://www.googleapis.com/auth/youtube.upload",
    "https://www.googleapis.com/auth/youtube.force-ssl",
    "https://www.googleapis.com/auth/yt-analytics.readonly",
)
"""What mlprod asks for at sign-in; :meth:`Sandbox.issue_tokens` grants them by default."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], platforms: Platforms) -> None:
        self.platforms = platforms
        self.open_connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.connections_lock:
            self.open_connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.connections_lock:
            self.open_connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        with self.connections_lock:
            for sock in self.open_connections:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "mlprod-sandbox"
    timeout = 120
    # headers and body go out in separate writes: without TCP_NODELAY each answer can wait ~40 ms
    disable_nagle_algorithm = True
    server: _Server

    def setup(self) -> None:
        super().setup()
        # Answers are small and written in two pieces (headers, body): without this, Nagle and
        # delayed ACKs add 40 ms to every request.
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    def do_GET(self) -> None:
        self._handle()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_GET

    def _handle(self) -> None:
        platforms = self.server.platforms
        app = platforms.youtube
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        host = self.headers.get("Host")
        app.set_request_base(f"http://{host}" if host else None)
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            self.close_connection = True
            self._send(error_reply(ApiError(411, "lengthRequired", "Send a Content-Length.")))
            return
        throttle = app.config.throttle_kbps if url.path.startswith(UPLOAD_PREFIXES) else None
        reader = BodyReader(self.rfile, length, throttle)  # type: ignore[arg-type]
        try:
            reply = platforms.route(self.command, url.path, query, self.headers, reader)  # type: ignore[arg-type]
        except WireError as err:
            reply = error_reply(err)
        except DropConnection as fault:
            log.info("fault %s: dropping the connection", fault)
            self._reset()
            return
        except ClientGone as gone:
            log.info("client went away: %s", gone)
            self.close_connection = True
            return
        except Exception:
            log.exception("sandbox error on %s %s", self.command, self.path)
            reply = error_reply(platforms.internal_error(url.path))
        if reader.remaining and not reader.drain():
            self.close_connection = True
        app.log_request(self.command, url.path, reply.status)
        self._send(reply)

    def _send(self, reply: Reply) -> None:
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if reply.status != 204:
            self.send_header("Content-Length", str(len(reply.body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if reply.body and self.command != "HEAD":
            self.wfile.write(reply.body)

    def _reset(self) -> None:
        """Close with a TCP reset, as a dropped network would: the client sees ECONNRESET, not EOF."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.rfile.close()
        self.connection.close()


class Sandbox:
    """A sandbox server; ``start()`` serves in a background thread and returns its URL.

    >>> with Sandbox() as sandbox:           # doctest: +SKIP
    ...     youtube = build_youtube(credentials, sandbox.url)
    """

    def __init__(self, config: SandboxConfig | None = None) -> None:
        self.config = config or SandboxConfig()
        self.platforms = Platforms(self.config)
        self.app: SandboxApp = self.platforms.youtube
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._serving = False

    def bind(self) -> str:
        """Listen (without serving yet); the base URL, e.g. ``http://127.0.0.1:54321``."""
        if self._server is None:
            try:
                self._server = _Server((self.config.host, self.config.port), self.platforms)
            except OSError as err:
                raise SandboxError(
                    f"the sandbox cannot listen on {self.config.host}:{self.config.port} ({err}) — "
                    "choose another --port, or 0 for any free port"
                ) from err
            host = self.config.host if self.config.host not in ("", "0.0.0.0") else "127.0.0.1"  # noqa: S104
            self.app.server_url = f"http://{host}:{self._server.server_address[1]}"
        return self.url

    def start(self) -> str:
        """Serve in a background thread; the base URL."""
        url = self.bind()
        if self._thread is None:
            assert self._server is not None
            self._serving = True
            self._thread = threading.Thread(
                target=self._server.serve_forever, args=(0.05,), name="mlprod-sandbox", daemon=True
            )
            self._thread.start()
        return url

    def serve_forever(self) -> None:
        """Serve in this thread until interrupted (Ctrl-C), then stop cleanly."""
        self.bind()
        assert self._server is not None
        self._serving = True
        try:
            self._server.serve_forever(poll_interval=0.5)
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        if self._serving:
            server.shutdown()
        server.close_connections()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self._serving = False
        self.platforms.close()

    @property
    def url(self) -> str:
        return self.app.server_url

    def state(self) -> dict[str, Any]:
        """The same JSON as ``GET /_sandbox/state``."""
        return self.platforms.snapshot()

    def reset(self) -> None:
        self.platforms.reset()

    def expire_access_tokens(self) -> None:
        self.app.tokens.expire_access_tokens()

    def revoke_refresh_tokens(self) -> None:
        self.app.tokens.revoke_refresh_tokens()

    def issue_tokens(
        self, client_id: str = "mlprod-sandbox-client", scopes: tuple[str, ...] = SCOPES
    ) -> dict[str, Any]:
        """A grant as the token endpoint returns it (access_token, refresh_token, …), no browser."""
        return self.app.tokens.mint(client_id, list(scopes))

    def __enter__(self) -> Sandbox:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def serve(config: SandboxConfig, on_ready: Callable[[str], None] | None = None) -> None:
    """Run a sandbox in the foreground until Ctrl-C; ``on_ready(url)`` once it listens.

    Prints nothing itself: the CLI prints the URL from ``on_ready``.
    """
    sandbox = Sandbox(config)
    url = sandbox.bind()
    if on_ready is not None:
        on_ready(url)
    sandbox.serve_forever()
