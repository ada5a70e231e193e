"""The Meta sandbox: the Graph API, its upload host and the login dialog, on the sandbox's port.

Each Meta host is a path prefix of the sandbox server (``{server}`` is e.g. http://127.0.0.1:8090):

- ``https://graph.facebook.com/v21.0/…`` (and ``graph-video``) → ``{server}/graph/v21.0/…``
  (any ``vNN.N`` is accepted);
- ``https://rupload.facebook.com/…`` → ``{server}/rupload/…`` (the API hands these URLs out);
- ``https://www.facebook.com/v21.0/dialog/oauth`` → ``{server}/www/v21.0/dialog/oauth``.

Parameters come in the query string, or a URL-encoded, JSON or multipart body; the token as
``access_token`` or ``Authorization: OAuth T``. What each part does, for a client to follow:
:mod:`~mlprod.sandbox.meta.tokens` (sign-in), :mod:`~mlprod.sandbox.meta.pages` (Reels, Page
videos, Page insights), :mod:`~mlprod.sandbox.meta.videos` (a video's status, deletion,
insights, the Resumable Upload API), :mod:`~mlprod.sandbox.meta.instagram` (containers,
publishing, limits, insights), :mod:`~mlprod.sandbox.meta.uploads` (resuming bytes) and
:mod:`~mlprod.sandbox.meta.admin` (test set-up). Only this module imports the handlers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from mlprod.sandbox.config import Clock
from mlprod.sandbox.faults import Counter, FaultKind, FaultPlan
from mlprod.sandbox.forms import body_fields
from mlprod.sandbox.history_spec import HistorySpec
from mlprod.sandbox.media import BodyReader
from mlprod.sandbox.meta import admin, grants, instagram, pages, tokens, videos
from mlprod.sandbox.meta.context import GraphContext
from mlprod.sandbox.meta.errors import GraphError, rate_limited, unknown_path, unsupported
from mlprod.sandbox.meta.model import (
    Container,
    ContainerStatus,
    IgAccount,
    IgMedia,
    MetaState,
    Page,
    Video,
    VideoKind,
    VideoState,
)
from mlprod.sandbox.meta.rules import instagram_reel_problem
from mlprod.sandbox.meta.snapshot import facebook_snapshot, instagram_snapshot
from mlprod.sandbox.meta.uploads import ByteUploads, header_number
from mlprod.sandbox.replies import Reply, json_reply
from mlprod.sandbox.state import StateStore

SECTION = "meta"
UPLOADABLE = (VideoState.UPLOADING, VideoState.UPLOADED)
CLOSED = (ContainerStatus.PUBLISHED, ContainerStatus.EXPIRED)
_VERSION = re.compile(r"v\d+(\.\d+)?$")
Route = Callable[[GraphContext, Any], Reply]
ROUTES: dict[tuple[type, str, str], Route] = {
    (Page, "GET", ""): pages.page_fields,
    (Page, "POST", "video_reels"): pages.video_reels,
    (Page, "GET", "video_reels"): lambda ctx, page: pages.list_videos(ctx, page, VideoKind.REEL),
    (Page, "POST", "videos"): pages.publish_video,
    (Page, "GET", "videos"): lambda ctx, page: pages.list_videos(ctx, page, VideoKind.VIDEO),
    (Page, "GET", "insights"): pages.page_insights,
    (Video, "GET", ""): videos.video_fields,
    (Video, "DELETE", ""): videos.delete_video,
    (Video, "GET", "video_insights"): videos.video_insights,
    (IgAccount, "GET", ""): instagram.account_fields,
    (IgAccount, "POST", "media"): instagram.create_container,
    (IgAccount, "GET", "media"): instagram.list_media,
    (IgAccount, "POST", "media_publish"): instagram.publish,
    (IgAccount, "GET", "content_publishing_limit"): instagram.publishing_limit,
    (IgAccount, "GET", "insights"): instagram.account_insights,
    (Container, "GET", ""): instagram.container_fields,
    (IgMedia, "GET", ""): instagram.media_fields,
    (IgMedia, "GET", "insights"): instagram.media_insights,
}


def load_section(history: HistorySpec | None) -> Callable[[dict[str, Any] | None], MetaState]:
    """How the state file's ``meta`` section loads (a fresh Page and account when there is none)."""
    return lambda data: MetaState.from_json(data) if data else admin.new_meta_state(history)


class MetaApp:
    def __init__(self, store: StateStore, faults: FaultPlan, clock: Clock) -> None:
        self.store = store
        self.state = store.section(SECTION, MetaState)
        self.faults = faults
        self.clock = clock
        self.uploads = ByteUploads(store, faults)

    def _now(self) -> float:
        return self.clock().timestamp()

    def handle(
        self,
        verb: str,
        path: str,
        query: Mapping[str, str],
        headers: Mapping[str, str],
        reader: BodyReader,
        base_url: str,
    ) -> Reply:
        """One request to ``/graph/…``, ``/rupload/…`` or ``/www/…``."""
        if path.startswith("/www/") and path.endswith("/dialog/oauth") and verb == "GET":
            return tokens.login_dialog(self.store, self.state, query, self._now())
        if path.startswith("/rupload/") and verb == "POST":
            return self._rupload(path, headers, reader)
        if not path.startswith("/graph/"):
            raise unknown_path(path)
        segments = [s for s in path[len("/graph/") :].split("/") if s]
        if segments and _VERSION.match(segments[0]):
            segments = segments[1:]
        if not segments:
            raise unknown_path(path)
        if segments[0].startswith("upload:"):
            return self._session_bytes(verb, segments[0], query, headers, reader)
        params = {**query, **body_fields(reader, headers.get("Content-Type") or "").fields}
        now = self._now()
        if segments == ["oauth", "access_token"]:
            return tokens.access_token(self.store, self.state, params, now)
        if segments == ["debug_token"]:
            return tokens.debug_token(self.state, params, now)
        token = grants.authenticate(self.state, grants.token_in(headers, params), now)
        fault = self.faults.next(Counter.GRAPH_CALL)
        if fault is not None and fault.kind is FaultKind.GRAPH_RATE_LIMIT:
            raise rate_limited(
                4,
                "Application request limit reached",
                usage='{"call_count":100,"total_cputime":12,"total_time":20}',
            )
        ctx = GraphContext(self.store, self.state, now, base_url, params, token, self.faults)
        pages.refresh_schedules(ctx)
        return self._dispatch(ctx, verb, segments)

    def _dispatch(self, ctx: GraphContext, verb: str, segments: list[str]) -> Reply:
        head, edge = segments[0], "/".join(segments[1:])
        if head in ("me", self.state.user_id):
            personal = {
                ("GET", ""): tokens.me,
                ("GET", "accounts"): tokens.my_accounts,
                ("DELETE", "permissions"): tokens.remove_app,
            }
            route = personal.get((verb, edge))
            if route is None:
                raise unsupported(verb, "/".join(segments))
            return route(ctx)
        node = self._node(head)
        if node is None:
            if verb == "POST" and edge == "uploads":
                return videos.start_session(ctx)
            raise unsupported(verb, head)
        handler = ROUTES.get((type(node), verb, edge))
        if handler is None:
            raise unsupported(verb, "/".join(segments)) if not edge else unknown_path("/".join(segments))
        return handler(ctx, node)

    def _node(self, object_id: str) -> Page | Video | IgAccount | Container | IgMedia | None:
        state = self.state
        video = state.videos.get(object_id)
        if video is not None and video.state is VideoState.DELETED:
            video = None
        return (
            state.pages.get(object_id)
            or video
            or state.ig_accounts.get(object_id)
            or state.containers.get(object_id)
            or state.media.get(object_id)
        )

    # -- bytes ----------------------------------------------------------------------------------

    def _token_for_upload(self, headers: Mapping[str, str]) -> GraphContext:
        now = self._now()
        token = grants.authenticate(self.state, grants.token_in(headers, {}), now)
        return GraphContext(self.store, self.state, now, "", {}, token, self.faults)

    def _rupload(self, path: str, headers: Mapping[str, str], reader: BodyReader) -> Reply:
        """``POST /rupload/video-upload/vNN/{video-id}`` or ``/rupload/ig-api-upload/vNN/{container}``."""
        pieces = [p for p in path.split("/") if p]  # rupload, kind, version, id
        if len(pieces) != 4 or pieces[1] not in ("video-upload", "ig-api-upload"):
            raise unknown_path(path)
        ctx = self._token_for_upload(headers)
        offset, file_size = header_number(headers, "offset"), header_number(headers, "file_size")
        if pieces[1] == "video-upload":
            video = self.state.videos.get(pieces[3])
            if video is None or video.kind is not VideoKind.REEL or video.state not in UPLOADABLE:
                raise unsupported("post", pieces[3])
            grants.require_page_token(ctx.token, video.page_id)
            fault = self.faults.next(Counter.FACEBOOK_UPLOAD)
            with self.uploads.lock(video.id):
                self.uploads.receive(
                    video.id, video.upload, offset, file_size, reader, fault.kind if fault else None
                )
                if video.upload.complete and video.state is VideoState.UPLOADING:
                    with self.store.change():
                        video.state = VideoState.UPLOADED
                    self.uploads.finished(video.id)
            return json_reply({"success": True})
        container = self.state.containers.get(pieces[3])
        if container is None or container.status(ctx.now) in CLOSED:
            raise unsupported("post", pieces[3])
        fault = self.faults.next(Counter.INSTAGRAM_UPLOAD)
        with self.uploads.lock(container.id):
            self.uploads.receive(
                container.id, container.upload, offset, file_size, reader, fault.kind if fault else None
            )
            if container.upload.complete and container.uploaded_at is None:
                with self.store.change():
                    container.uploaded_at = self._now()
                    container.error = container.error or _processing_error(container)
                self.uploads.finished(container.id)
        return json_reply({"success": True, "message": "Upload successful."})

    def _session_bytes(
        self,
        verb: str,
        session_id: str,
        query: Mapping[str, str],
        headers: Mapping[str, str],
        reader: BodyReader,
    ) -> Reply:
        """``POST {graph}/upload:…`` (bytes from ``file_offset``) or ``GET`` (where it stands)."""
        now = self._now()
        grants.authenticate(self.state, grants.token_in(headers, query), now)
        session = self.state.sessions.get(session_id)
        if session is None:
            raise unsupported(verb, session_id)
        if verb == "GET":
            return json_reply({"id": session.id, "file_offset": session.upload.bytes_received})
        if verb != "POST":
            raise unsupported(verb, session_id)
        offset = header_number(headers, "file_offset")
        fault = self.faults.next(Counter.FACEBOOK_UPLOAD)
        with self.uploads.lock(session.id):
            size = session.upload.file_size or 0
            self.uploads.receive(
                session.id, session.upload, offset, size, reader, fault.kind if fault else None
            )
            if not session.upload.complete:
                return json_reply({"id": session.id, "file_offset": session.upload.bytes_received})
            with self.store.change():
                handle = videos.complete_session(session)
            self.uploads.finished(session.id)
        return json_reply({"h": handle})

    # -- tests and rehearsals -------------------------------------------------------------------

    def admin(self, action: str, body: dict[str, Any]) -> dict[str, Any]:
        """``POST /_sandbox/meta/{action}``: pages, tokens, expire-tokens, revoke-tokens."""
        now = self._now()
        with self.store.change():
            if action == "pages":
                return admin.add_page(self.state, body)
            if action == "tokens":
                return admin.issue_tokens(self.state, now, body)
            if action == "expire-tokens":
                return {"expired": admin.expire_tokens(self.state, now)}
            if action == "revoke-tokens":
                return {"revoked": admin.revoke_tokens(self.state)}
        raise GraphError(100, f"(#100) No sandbox action /_sandbox/meta/{action}", status=404)

    def snapshot(self) -> dict[str, Any]:
        now = self._now()
        with self.store.read():
            return {
                "facebook": facebook_snapshot(self.state, now),
                "instagram": instagram_snapshot(self.state, now),
            }

    def reset(self) -> None:
        self.uploads.close()
        with self.store.change():
            for key in [*self.state.videos, *self.state.sessions, *self.state.containers]:
                self.uploads.finished(key)
            self.state.forget_content()

    def close(self) -> None:
        self.uploads.close()


def _processing_error(container: Container) -> str | None:
    problem = instagram_reel_problem(container.upload.facts())
    return f"Error: {problem}" if problem else None
