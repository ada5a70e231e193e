"""The bytes of Meta uploads: a Reel's (``/rupload/video-upload/…``), an Instagram container's
(``/rupload/ig-api-upload/…``) and a Resumable Upload API session's (``{graph}/upload:…``).

Every one is resumable the same way: a ``POST`` carries bytes from ``offset`` (header ``offset``, or
``file_offset`` for ``upload:…`` sessions) to at most ``file_size``; the offset must be exactly the
number of bytes received so far, which the status says (``GET {graph}/{video-id}?fields=status`` →
``status.uploading_phase.bytes_transferred``; ``GET {graph}/{container-id}?fields=video_status``
likewise; ``GET {graph}/upload:…`` → ``file_offset``). A request cut short keeps what arrived, so
after a dropped connection the client asks, then sends the rest from there.

Bytes are hashed (and probed as MP4, see :mod:`mlprod.sandbox.mp4`) as they arrive, never held in
memory; with ``--state`` they are also kept on disk so that a restarted sandbox resumes them.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from pathlib import Path

from mlprod.sandbox.faults import FaultKind, FaultPlan
from mlprod.sandbox.media import BodyReader, MediaSink
from mlprod.sandbox.meta.errors import UploadError
from mlprod.sandbox.meta.model import Upload
from mlprod.sandbox.mp4 import Mp4Probe
from mlprod.sandbox.replies import ClientGone, DropConnection
from mlprod.sandbox.state import StateStore

UNAVAILABLE = (FaultKind.FACEBOOK_UNAVAILABLE, FaultKind.INSTAGRAM_UNAVAILABLE)
RESET = (FaultKind.FACEBOOK_RESET, FaultKind.INSTAGRAM_RESET)


class ProbedSink(MediaSink):
    """A media sink that also reads the MP4 boxes going through it."""

    def __init__(self, path: Path | None = None) -> None:
        super().__init__(path)
        self.probe = Mp4Probe()

    def write(self, data: bytes) -> None:
        super().write(data)
        self.probe.feed(data)


def header_number(headers: Mapping[str, str], name: str) -> int:
    """An unsigned number header (``offset``, ``file_size``), or rupload's ParameterValidationError."""
    value = (headers.get(name) or "").strip()
    if not value.isdigit():
        raise UploadError(
            400,
            "ParameterValidationError",
            f"HeaderValuePredicate: Header {name.capitalize()} not convertable to unsigned long",
        )
    return int(value)


class ByteUploads:
    """Partial media of Meta uploads, keyed by the video, container or session id."""

    def __init__(self, store: StateStore, faults: FaultPlan) -> None:
        self.store = store
        self.faults = faults
        self._sinks: dict[str, ProbedSink] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def lock(self, key: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())

    def _path(self, key: str) -> Path | None:
        folder = self.store.media_dir
        return None if folder is None else folder / f"meta-{key.replace(':', '-')}.part"

    def _sink(self, key: str, upload: Upload) -> ProbedSink:
        with self._guard:
            sink = self._sinks.get(key)
            if sink is None:
                path = self._path(key)
                if path is not None and upload.bytes_received:
                    resumed = ProbedSink.resume(path, upload.bytes_received)
                    assert isinstance(resumed, ProbedSink)
                    sink = resumed
                else:
                    sink = ProbedSink(path)
                self._sinks[key] = sink
        if sink.size != upload.bytes_received:  # an earlier run kept less than it counted
            with self.store.change():
                upload.bytes_received = sink.size
                upload.sha256 = sink.sha256
        return sink

    def receive(
        self,
        key: str,
        upload: Upload,
        offset: int,
        file_size: int,
        reader: BodyReader,
        fault_kind: FaultKind | None,
    ) -> None:
        """Append the request's bytes at ``offset``; the caller holds :meth:`lock` for ``key``."""
        if upload.file_size is not None and file_size != upload.file_size:
            reader.drain()
            raise UploadError(
                400,
                "ParameterValidationError",
                f"file_size {file_size} differs from {upload.file_size} given for this upload before",
            )
        sink = self._sink(key, upload)
        if offset != upload.bytes_received:
            reader.drain()
            raise UploadError(
                400,
                "OffsetMismatchError",
                f"The offset {offset} does not match the {upload.bytes_received} bytes received: read "
                "the upload's status and send from there",
            )
        if offset + reader.length > file_size:
            reader.drain()
            raise UploadError(
                400,
                "ParameterValidationError",
                f"{offset} + {reader.length} bytes go past file_size {file_size}",
            )
        if fault_kind in UNAVAILABLE:
            reader.drain()
            raise UploadError(
                503, "ServiceUnavailableError", "Service temporarily unavailable", retriable=True
            )
        try:
            if fault_kind in RESET:
                half = max(1, reader.length // 2)
                while reader.remaining > reader.length - half:
                    sink.write(reader.read(min(65536, reader.remaining - (reader.length - half))))
                sink.flush()
                raise DropConnection(str(fault_kind))
            reader.stream_into(sink)
        except (ClientGone, DropConnection):
            self._record(upload, sink, file_size)
            raise
        self._record(upload, sink, file_size)

    def _record(self, upload: Upload, sink: ProbedSink, file_size: int) -> None:
        with self.store.change():
            upload.file_size = file_size
            upload.bytes_received = sink.size
            upload.sha256 = sink.sha256
            if upload.complete:
                facts = sink.probe.facts()
                upload.is_mp4 = facts is not None
                if facts is not None:
                    upload.brand = facts.brand
                    upload.width, upload.height, upload.duration = facts.width, facts.height, facts.duration

    def finished(self, key: str) -> None:
        """The upload is whole and recorded: let go of its partial file."""
        with self._guard:
            sink = self._sinks.pop(key, None)
        if sink is not None:
            sink.close(delete=True)
        elif (path := self._path(key)) is not None:
            path.unlink(missing_ok=True)

    def close(self) -> None:
        with self._guard:
            for sink in self._sinks.values():
                sink.close()
            self._sinks.clear()
