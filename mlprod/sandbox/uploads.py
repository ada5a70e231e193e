"""Media uploads: the resumable protocol (sessions, chunks, status queries, injected faults),
multipart and simple media uploads, all ending in a method's ``complete``.

Resumable, as YOUTUBE.md describes it: the POST answers 200 with a ``Location`` session URL;
each ``PUT`` chunk (``Content-Range: bytes A-B/TOTAL``, a multiple of 256 KiB unless last) answers
308 with ``Range: bytes=0-N`` or, at the end, 200 with the resource; ``bytes */TOTAL`` asks where
the upload stands. Chunks are hashed as they arrive and never held in memory.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Callable, Mapping
from typing import Any

from mlprod.sandbox.config import Clock
from mlprod.sandbox.context import Context, Media, UploadMethod
from mlprod.sandbox.discovery import ApiMethod
from mlprod.sandbox.errors import ApiError, bad_request, not_found, quota_exceeded
from mlprod.sandbox.faults import FaultKind, FaultPlan
from mlprod.sandbox.media import BodyReader, MediaSink, parse_multipart
from mlprod.sandbox.replies import DropConnection, Reply, json_reply
from mlprod.sandbox.resources import new_id
from mlprod.sandbox.state import StateStore, UploadSession

CHUNK_GRANULARITY = 256 * 1024
SESSION_LIFETIME = 7 * 24 * 3600
KEEP_IN_MEMORY = 8 * 1024 * 1024
_RANGE = re.compile(r"bytes\s+(?:(\d+)-(\d+)|\*)/(\d+|\*)$")


def _accepts(method: ApiMethod, content_type: str) -> bool:
    kind = content_type.split(";")[0].strip().lower()
    for accepted in method.media_accept:
        if accepted in ("*/*", kind) or (accepted.endswith("/*") and kind.startswith(accepted[:-1])):
            return True
    return not method.media_accept


def _check_media(method: ApiMethod, content_type: str, size: int | None) -> None:
    if not _accepts(method, content_type):
        raise bad_request(
            "badContent",
            f"Media type '{content_type}' is not supported. Valid media types: "
            f"[{', '.join(method.media_accept)}]",
        )
    if size is not None and method.media_max_size and size > method.media_max_size:
        raise bad_request("mediaBodyTooLarge", f"Media larger than {method.media_max_size} bytes.")


def _range_reply(session: UploadSession) -> Reply:
    headers = {"Range": f"bytes=0-{session.bytes_received - 1}"} if session.bytes_received else {}
    return Reply(308, b"", headers)


Finish = Callable[[UploadSession, Media], dict[str, Any]]
"""Make the resource of a session whose last byte arrived (the method's ``complete``)."""


class Uploads:
    """Upload sessions and their partial media; ``finish`` makes the resource at the end."""

    def __init__(self, store: StateStore, faults: FaultPlan, clock: Clock, finish: Finish) -> None:
        self.store = store
        self.faults = faults
        self.clock = clock
        self.finish = finish
        self._sinks: dict[str, MediaSink] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    # -- starting an upload --------------------------------------------------------------------

    def _before_media(self, ctx: Context, upload: UploadMethod) -> None:
        upload.prepare(ctx)
        if ctx.call.method.id == "youtube.videos.insert" and self.faults.insert_quota:
            raise quota_exceeded()
        ctx.charge()

    def start_resumable(self, ctx: Context, upload: UploadMethod, headers: Mapping[str, str]) -> Reply:
        length = headers.get("X-Upload-Content-Length")
        if length is not None and not length.strip().isdigit():
            raise bad_request("badContent", f"X-Upload-Content-Length {length!r} is not a number.")
        total = int(length) if length is not None else None
        if total == 0:
            raise bad_request("mediaBodyRequired", "The upload is empty (X-Upload-Content-Length: 0).")
        content_type = headers.get("X-Upload-Content-Type") or "application/octet-stream"
        _check_media(ctx.call.method, content_type, total)
        self._before_media(ctx, upload)
        session = UploadSession(
            id=new_id(40, "ADPyc"),
            method_id=ctx.call.method.id,
            params=ctx.call.params,
            body=ctx.body,
            total=total,
            content_type=content_type,
            created_at=ctx.now.timestamp(),
        )
        with self.store.change() as state:
            state.sessions[session.id] = session
        path = ctx.call.method.media_path
        location = f"{ctx.base_url}/{path}?uploadType=resumable&upload_id={session.id}"
        return Reply(200, b"", {"Location": location, "X-GUploader-UploadID": session.id})

    def multipart(
        self, ctx: Context, upload: UploadMethod, reader: BodyReader, content_type: str
    ) -> Reply:
        parts = parse_multipart(reader.read_all(upload.max_simple_bytes), content_type)
        if len(parts) != 2:
            raise bad_request("badContent", "A multipart upload needs two parts: metadata, then media.")
        (_, metadata), (media_headers, payload) = parts
        try:
            ctx.body = json.loads(metadata) if metadata.strip() else None
        except ValueError:
            raise bad_request("parseError", "The metadata part is not valid JSON.") from None
        media_type = media_headers.get("content-type", "application/octet-stream")
        _check_media(ctx.call.method, media_type, len(payload))
        self._before_media(ctx, upload)
        media = Media(hashlib.sha256(payload).hexdigest(), len(payload), media_type, payload[:64], payload)
        return json_reply(upload.complete(ctx, media))

    def simple(self, ctx: Context, upload: UploadMethod, reader: BodyReader, content_type: str) -> Reply:
        _check_media(ctx.call.method, content_type, reader.length)
        self._before_media(ctx, upload)
        if reader.length <= KEEP_IN_MEMORY:
            data = reader.read_all(KEEP_IN_MEMORY)
            media = Media(hashlib.sha256(data).hexdigest(), len(data), content_type, data[:64], data)
        else:
            sink = MediaSink()
            reader.stream_into(sink)
            media = Media(sink.sha256, sink.size, content_type, sink.head)
        return json_reply(upload.complete(ctx, media))

    # -- chunks --------------------------------------------------------------------------------

    def _lock(self, session_id: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(session_id, threading.Lock())

    def _session(self, session_id: str) -> UploadSession:
        with self.store.read() as state:
            session = state.sessions.get(session_id)
        if session is not None and self.clock().timestamp() - session.created_at > SESSION_LIFETIME:
            self.forget(session_id)
            session = None
        if session is None:
            raise not_found(
                "notFound", "The upload session does not exist or has expired: start a new upload."
            )
        return session

    def forget(self, session_id: str) -> None:
        with self.store.change() as state:
            state.sessions.pop(session_id, None)
        with self._guard:
            sink = self._sinks.pop(session_id, None)
        if sink is not None:
            sink.close(delete=True)
        elif (folder := self.store.media_dir) is not None:
            (folder / f"{session_id}.part").unlink(missing_ok=True)

    def _sink(self, session: UploadSession) -> MediaSink:
        with self._guard:
            sink = self._sinks.get(session.id)
            if sink is None:
                folder = self.store.media_dir
                path = None if folder is None else folder / f"{session.id}.part"
                if path is not None and session.bytes_received:
                    sink = MediaSink.resume(path, session.bytes_received)
                else:
                    sink = MediaSink(path)
                self._sinks[session.id] = sink
        if sink.size != session.bytes_received:  # an earlier run kept less than it counted
            with self.store.change():
                session.bytes_received = sink.size
        return sink

    def put(self, session_id: str, content_range: str | None, reader: BodyReader) -> Reply:
        session = self._session(session_id)
        text = (content_range or "").strip()
        match = _RANGE.match(text)
        if text and not match:
            raise bad_request("badContent", f"Content-Range {text!r} is not bytes A-B/TOTAL.")
        if (match is None and reader.length == 0) or (match is not None and match[1] is None):
            return self._status(session)
        fault = self.faults.next_chunk()
        if fault is not None and fault.kind is FaultKind.RESET:
            reader.read(max(1, reader.length // 2), throttle=False)
            raise DropConnection(str(fault))
        if fault is not None:
            reader.drain()
            if fault.kind is FaultKind.EXPIRE:
                self.forget(session.id)
                raise not_found("notFound", "The upload session has expired: start a new upload.")
            raise ApiError(503, "backendError", "Backend Error")
        if match is None:
            first, last, total = 0, reader.length - 1, str(reader.length)
        else:
            first, last, total = int(match[1]), int(match[2]), match[3]
        with self._lock(session.id):
            return self._chunk(session, first, last, None if total == "*" else int(total), reader)

    def _status(self, session: UploadSession) -> Reply:
        with self._lock(session.id):
            if session.completed:
                return json_reply(session.result)
            self._sink(session)
            return _range_reply(session)

    def _chunk(
        self, session: UploadSession, first: int, last: int, total: int | None, reader: BodyReader
    ) -> Reply:
        if session.completed:
            reader.drain()
            return json_reply(session.result)
        sink = self._sink(session)
        if first != session.bytes_received:
            reader.drain()
            return _range_reply(session)
        length = last - first + 1
        if length != reader.length or length <= 0:
            raise bad_request(
                "badContent", f"Content-Range says {length} bytes, the body has {reader.length}."
            )
        total = total if total is not None else session.total
        if session.total is not None and total != session.total:
            raise bad_request(
                "badContent", f"The upload was announced as {session.total} bytes, not {total}."
            )
        if total is not None and last >= total:
            raise bad_request("badContent", f"Bytes {first}-{last} go past the end ({total}).")
        is_last = total is not None and last + 1 == total
        if not is_last and length % CHUNK_GRANULARITY:
            raise bad_request(
                "badContent",
                f"Invalid request. The number of bytes uploaded is required to be a multiple of "
                f"{CHUNK_GRANULARITY}, except for the final request. The received request "
                f"contained {length} bytes, which does not meet this requirement.",
            )
        try:
            reader.stream_into(sink)
        finally:
            with self.store.change():
                session.bytes_received = sink.size
                session.total = total
        if not is_last:
            return _range_reply(session)
        return self._complete(session, sink)

    def _complete(self, session: UploadSession, sink: MediaSink) -> Reply:
        media = Media(sink.sha256, sink.size, session.content_type, sink.head)
        result = self.finish(session, media)
        with self._guard:
            self._sinks.pop(session.id, None)
        sink.close(delete=True)
        with self.store.change():
            session.completed = True
            session.result = result
        return json_reply(result)

    def close(self) -> None:
        with self._guard:
            for sink in self._sinks.values():
                sink.close()
            self._sinks.clear()
