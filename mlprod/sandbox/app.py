"""The YouTube sandbox: one channel, its quota, tokens and faults, and the way an API request goes
through them (route, token, quota, validation, handler). No sockets here.

The only module that imports the handlers (videos, captions, playlists, channels, analytics): they
see the channel through a :class:`~mlprod.sandbox.context.Context`, never this object.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Mapping
from typing import Any

from mlprod.sandbox import analytics, captions, channels, playlists, videos
from mlprod.sandbox.auth import TokenService
from mlprod.sandbox.channel import Channel, new_channel
from mlprod.sandbox.config import SandboxConfig
from mlprod.sandbox.context import Context, Media, Registry
from mlprod.sandbox.costs import QUOTA_TIMEZONE, cost_table
from mlprod.sandbox.discovery import ApiCall, ApiCatalog
from mlprod.sandbox.errors import ApiError, bad_request
from mlprod.sandbox.faults import FaultPlan
from mlprod.sandbox.forms import read_json
from mlprod.sandbox.history import channel_history
from mlprod.sandbox.media import BodyReader
from mlprod.sandbox.quota import QuotaMeter
from mlprod.sandbox.replies import Reply
from mlprod.sandbox.snapshot import channel_snapshot
from mlprod.sandbox.state import SectionLoader, StateStore, UploadSession
from mlprod.sandbox.uploads import Uploads

UPLOAD_TYPES = ("resumable", "multipart", "media")


class SandboxApp:
    """The YouTube side. It owns the state file (the channel at its top); ``sections`` are the other
    platforms' parts of it."""

    def __init__(
        self,
        config: SandboxConfig,
        faults: FaultPlan | None = None,
        sections: Mapping[str, SectionLoader] | None = None,
    ) -> None:
        self.config = config
        self.clock = config.clock
        self.catalog = ApiCatalog()
        self.registry = Registry()
        for module in (videos, captions, playlists, channels, analytics):
            module.register(self.registry)
        history = channel_history(config.history) if config.history else None
        created = history.created if history else config.clock().astimezone(QUOTA_TIMEZONE).date()
        self.store = StateStore.open(config.state_file, new_channel(config.history, created), sections)
        self.channel = Channel(self.store, history, self.clock, verified=config.verified_channel)
        self.quota = QuotaMeter(self.store, config.quota, cost_table(config.costs), self.clock)
        self.faults = faults if faults is not None else FaultPlan(list(config.faults))
        self.tokens = TokenService(self.store, self.clock, config.token_lifetime)
        self.uploads = Uploads(self.store, self.faults, self.clock, self._finish_upload)
        self.server_url = f"http://{config.host}:{config.port}"
        self._local = threading.local()
        self.request_log: deque[dict[str, Any]] = deque(maxlen=500)
        self.request_count = 0
        self._log_lock = threading.Lock()

    @property
    def base_url(self) -> str:
        """The URL the current request came to (its Host header), for Location and discovery."""
        return getattr(self._local, "base_url", None) or self.server_url

    def set_request_base(self, base_url: str | None) -> None:
        self._local.base_url = base_url

    def _context(self, call: ApiCall, body: dict[str, Any] | None = None) -> Context:
        return Context(self.channel, call, self.clock(), self.base_url, self.quota, body)

    # -- one API request ------------------------------------------------------------------------

    def handle_api(
        self,
        http_method: str,
        path: str,
        query: dict[str, list[str]],
        headers: Mapping[str, str],
        reader: BodyReader,
    ) -> Reply:
        method, on_upload_path = self.catalog.resolve(http_method, path)
        token = headers.get("Authorization") or _query_token(query)
        self.tokens.check(token, method)
        cost = self.quota.cost(method.id)
        if cost > 0:
            self.quota.ensure_left()
        self.channel.refresh_schedules()
        ctx: Context | None = None
        try:
            ctx = self._context(self.catalog.validate(method, query, on_upload_path))
            return self._execute(ctx, headers, reader)
        except ApiError as err:
            if err.status == 400 and cost > 0 and (ctx is None or not ctx.charged):
                self.quota.charge_invalid()
            raise

    def _execute(self, ctx: Context, headers: Mapping[str, str], reader: BodyReader) -> Reply:
        method = ctx.call.method
        upload = self.registry.uploads.get(method.id)
        if upload is not None:
            upload_type = ctx.call.one("uploadType")
            if not ctx.call.on_upload_path or upload_type not in UPLOAD_TYPES:
                raise bad_request(
                    "mediaBodyRequired",
                    f"{method.id} needs media: POST to /{method.media_path} with uploadType "
                    "resumable, multipart or media.",
                )
            content_type = headers.get("Content-Type") or "application/octet-stream"
            if upload_type == "resumable":
                ctx.body = read_json(reader)
                return self.uploads.start_resumable(ctx, upload, headers)
            if upload_type == "multipart":
                return self.uploads.multipart(ctx, upload, reader, content_type)
            return self.uploads.simple(ctx, upload, reader, content_type)
        handler = self.registry.handlers.get(method.id)
        if handler is None:
            raise ApiError(501, "notImplemented", f"The sandbox does not implement {method.id}.")
        ctx.body = read_json(reader)
        reply = handler(ctx)
        ctx.charge()
        return reply

    def _finish_upload(self, session: UploadSession, media: Media) -> dict[str, Any]:
        """The last chunk of a resumable upload arrived: the method makes its resource (paid at start)."""
        call = ApiCall(self.catalog.methods[session.method_id], session.params, True)
        ctx = self._context(call, session.body)
        ctx.charged = True
        return self.registry.uploads[session.method_id].complete(ctx, media)

    def log_request(self, http_method: str, path: str, status: int) -> None:
        with self._log_lock:
            self.request_count += 1
            self.request_log.append(
                {"at": self.clock().isoformat(), "method": http_method, "path": path, "status": status}
            )

    # -- for tests and rehearsals --------------------------------------------------------------

    def reset(self) -> None:
        """Forget videos, playlists, captions, sessions, quota spent and chunk counts; keep sign-ins."""
        self.uploads.close()
        with self.store.change() as state:
            for session_id in list(state.sessions):
                self.uploads.forget(session_id)
            state.videos.clear()
            state.captions.clear()
            state.playlists.clear()
            state.quota_used = 0
        self.faults.reset()
        with self._log_lock:
            self.request_log.clear()
            self.request_count = 0

    def snapshot(self) -> dict[str, Any]:
        """Everything the channel holds, as ``GET /_sandbox/state`` shows it."""
        self.channel.refresh_schedules()
        return {
            "url": self.base_url,
            "now": self.clock().isoformat(),
            **channel_snapshot(self.channel),
            "quota_used": self.quota.used(),
            "quota_limit": self.quota.budget,
            "quota_day": self.quota.today().isoformat(),
            "faults": [str(f) for f in self.faults.faults],
            "faults_fired": list(self.faults.fired),
            "chunk_requests": self.faults.chunks_seen,
            "requests": self.request_count,
            "recent_requests": list(self.request_log)[-50:],
        }


def _query_token(query: dict[str, list[str]]) -> str | None:
    values = query.get("access_token") or query.get("oauth_token")
    return f"Bearer {values[-1]}" if values else None
