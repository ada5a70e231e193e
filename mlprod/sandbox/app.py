"""The sandbox's application: one channel, its state, quota, tokens and faults, and the way an
API request goes through them (route, token, quota, validation, handler). No sockets here.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from collections import deque
from collections.abc import Mapping
from datetime import date
from typing import Any

from mlprod.sandbox import analytics, captions, channels, playlists, videos
from mlprod.sandbox.auth import TokenService
from mlprod.sandbox.config import SandboxConfig
from mlprod.sandbox.context import Context, Registry
from mlprod.sandbox.discovery import ApiCatalog
from mlprod.sandbox.errors import ApiError, bad_request
from mlprod.sandbox.faults import FaultPlan
from mlprod.sandbox.history import ChannelHistory, PastVideo, channel_history
from mlprod.sandbox.media import BodyReader
from mlprod.sandbox.metadata import publish_if_due
from mlprod.sandbox.quota import PACIFIC, QuotaMeter
from mlprod.sandbox.replies import Reply
from mlprod.sandbox.state import ChannelState, PlaylistItemRecord, StateStore
from mlprod.sandbox.uploads import Uploads
from mlprod.youtube.quota_costs import cost_table

MAX_JSON_BODY = 1024 * 1024
CHANNEL_TITLE = "ML Prod — bac à sable"
UPLOAD_TYPES = ("resumable", "multipart", "media")


class SandboxApp:
    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.clock = config.clock
        self.catalog = ApiCatalog()
        self.registry = Registry()
        for module in (videos, captions, playlists, channels, analytics):
            module.register(self.registry)
        self.history: ChannelHistory | None = (
            channel_history(config.history) if config.history else None
        )
        self._past = {v.id: v for v in self.history.videos} if self.history else {}
        self.store = StateStore.open(config.state_file, self._fresh_state())
        self.quota = QuotaMeter(self.store, config.quota, cost_table(config.costs), self.clock)
        self.faults = FaultPlan(list(config.faults))
        self.tokens = TokenService(self.store, self.clock, config.token_lifetime)
        self.uploads = Uploads(self)
        self.server_url = f"http://{config.host}:{config.port}"
        self._local = threading.local()
        self.request_log: deque[dict[str, Any]] = deque(maxlen=500)
        self.request_count = 0
        self._log_lock = threading.Lock()

    def _fresh_state(self) -> ChannelState:
        seed = hashlib.sha256(f"mlprod-sandbox/{self.config.history or ''}".encode()).digest()
        suffix = base64.urlsafe_b64encode(seed).decode()[:22]
        created = self.history.created if self.history else self.today()
        return ChannelState("UC" + suffix, CHANNEL_TITLE, created.isoformat())

    # -- the channel, as handlers see it -------------------------------------------------------

    @property
    def base_url(self) -> str:
        """The URL the current request came to (its Host header), for Location and discovery."""
        return getattr(self._local, "base_url", None) or self.server_url

    def set_request_base(self, base_url: str | None) -> None:
        self._local.base_url = base_url

    @property
    def channel_id(self) -> str:
        return self.store.state.channel_id

    @property
    def channel_title(self) -> str:
        return self.store.state.channel_title

    @property
    def channel_created_on(self) -> date:
        """The history's creation (a state file from before the history had one may say later)."""
        created = date.fromisoformat(self.store.state.created_on)
        return min(created, self.history.created) if self.history else created

    @property
    def uploads_playlist_id(self) -> str:
        return "UU" + self.channel_id[2:]

    def today(self) -> date:
        """Today in California: YouTube's day for quota and analytics."""
        return self.clock().astimezone(PACIFIC).date()

    def subscriber_count(self) -> int:
        """The exact count (YouTube shows it rounded)."""
        return self.history.subscribers_at_end_of(self.today()) if self.history else 0

    def channel_views(self) -> int:
        return self.history.views_through(self.today()) if self.history else 0

    def public_video_count(self) -> int:
        today = self.today()
        past = sum(1 for v in self._past.values() if v.published <= today)
        with self.store.read() as state:
            return past + sum(v.status["privacyStatus"] == "public" for v in state.videos.values())

    def past_video(self, video_id: str) -> PastVideo | None:
        return self._past.get(video_id)

    def past_video_views(self, video_id: str) -> int:
        if self.history is None:
            return 0
        totals = self.history.video_totals(self.history.created, self.today())
        return next((t.views for t in totals if t.video_id == video_id), 0)

    def video_title(self, video_id: str) -> str | None:
        video = self.store.state.videos.get(video_id)
        if video is not None:
            return str(video.snippet["title"])
        past = self._past.get(video_id)
        return past.title if past else None

    def video_privacy(self, video_id: str) -> str:
        video = self.store.state.videos.get(video_id)
        return str(video.status["privacyStatus"]) if video else "public"

    def uploads_playlist(self) -> list[tuple[str, PlaylistItemRecord]]:
        """The channel's uploads, newest first: sandbox uploads, then the history's videos."""
        entries = [
            (v.uploaded_at, v.id)
            for v in self.store.state.videos.values()
        ] + [(f"{p.published}T10:00:00Z", p.id) for p in self._past.values() if p.published <= self.today()]
        entries.sort(reverse=True)
        return [
            (self.uploads_playlist_id, PlaylistItemRecord("UU" + video_id, video_id, added))
            for added, video_id in entries
        ]

    def refresh_schedules(self) -> None:
        """Scheduled videos whose time has come are public from now on."""
        now = self.clock()
        with self.store.read() as state:
            due = [v for v in state.videos.values() if v.status.get("publishAt")]
        if due:
            with self.store.change():
                for video in due:
                    publish_if_due(video.status, now)

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
        self.refresh_schedules()
        ctx: Context | None = None
        try:
            call = self.catalog.validate(method, query, on_upload_path)
            ctx = Context(self, call, self.clock())
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
        from mlprod.sandbox.snapshot import snapshot

        self.refresh_schedules()
        return snapshot(self)


def _query_token(query: dict[str, list[str]]) -> str | None:
    values = query.get("access_token") or query.get("oauth_token")
    return f"Bearer {values[-1]}" if values else None


def read_json(reader: BodyReader) -> dict[str, Any] | None:
    """The JSON resource in a request body (None when there is no body); 400 parseError."""
    if reader.length == 0:
        return None
    data = reader.read_all(MAX_JSON_BODY)
    if not data.strip():
        return None
    try:
        body = json.loads(data)
    except ValueError:
        raise bad_request("parseError", "Parse Error: the request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise bad_request("parseError", "Parse Error: the request body must be a JSON object.")
    return body

