"""Request bodies: read at a bounded rate in blocks, hashed as they come, never held whole
unless small (JSON, multipart, thumbnails); multipart/related parsing; image sniffing.
"""

from __future__ import annotations

import email.message
import hashlib
import struct
import time
from pathlib import Path
from typing import BinaryIO

from mlprod.sandbox.errors import ApiError, bad_request
from mlprod.sandbox.replies import ClientGone

BLOCK = 64 * 1024
HEAD = 64
DRAIN_LIMIT = 64 * 1024 * 1024
"""Beyond this many unread bytes, closing the connection beats reading them."""


class BodyReader:
    """The ``Content-Length`` bytes of one request, optionally no faster than ``kbps``."""

    def __init__(self, rfile: BinaryIO, length: int, throttle_kbps: int | None = None) -> None:
        self._rfile = rfile
        self.length = length
        self.remaining = length
        self._rate = throttle_kbps * 1000 / 8 if throttle_kbps else None
        self._started = time.monotonic()
        self._throttled_bytes = 0

    def read(self, size: int = BLOCK, *, throttle: bool = True) -> bytes:
        """Up to ``size`` bytes (b"" at the end of the body); :class:`ClientGone` if cut short."""
        size = min(size, self.remaining)
        if size <= 0:
            return b""
        if throttle and self._rate:
            size = min(size, max(1024, int(self._rate / 20)))
        try:
            data = self._rfile.read(size)
        except OSError as err:  # includes timeouts
            raise ClientGone(str(err)) from err
        if not data:
            raise ClientGone(f"connection closed with {self.remaining} bytes still to come")
        self.remaining -= len(data)
        if throttle and self._rate:
            self._throttled_bytes += len(data)
            ahead = self._throttled_bytes / self._rate - (time.monotonic() - self._started)
            if ahead > 0:
                time.sleep(ahead)
        return data

    def read_all(self, limit: int) -> bytes:
        """The whole body, if it is no longer than ``limit`` bytes (413 otherwise)."""
        if self.length > limit:
            raise ApiError(
                413, "mediaBodyTooLarge", f"The request body is {self.length} bytes, at most {limit}."
            )
        chunks = []
        while self.remaining:
            chunks.append(self.read(BLOCK))
        return b"".join(chunks)

    def stream_into(self, sink: MediaSink) -> int:
        """Copy the rest of the body into ``sink``; bytes copied (kept even if cut short)."""
        copied = 0
        while self.remaining:
            try:
                data = self.read(BLOCK)
            except ClientGone:
                sink.flush()
                raise
            sink.write(data)
            copied += len(data)
        sink.flush()
        return copied

    def drain(self) -> bool:
        """Read and discard what is left; False if too much is left (close the connection)."""
        if self.remaining > DRAIN_LIMIT:
            return False
        try:
            while self.remaining:
                self.read(BLOCK, throttle=False)
        except ClientGone:
            return False
        return True


class MediaSink:
    """Counts and hashes media as it arrives; appends it to ``path`` when one is given."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self.size = 0
        self.head = b""
        self._hash = hashlib.sha256()
        self._file: BinaryIO | None = None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._file = open(path, "ab")  # noqa: SIM115 — closed in close()

    @classmethod
    def resume(cls, path: Path, expected: int) -> MediaSink:
        """Re-read a partial upload kept by an earlier run (its first ``expected`` bytes at most)."""
        sink = cls(None)
        if path.exists():
            with open(path, "r+b") as f:
                f.truncate(min(expected, path.stat().st_size))
                while data := f.read(BLOCK):
                    sink.write(data)
        sink.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        sink._file = open(path, "ab")  # noqa: SIM115
        return sink

    def write(self, data: bytes) -> None:
        if len(self.head) < HEAD:
            self.head += data[: HEAD - len(self.head)]
        self._hash.update(data)
        self.size += len(data)
        if self._file is not None:
            self._file.write(data)

    def flush(self) -> None:
        if self._file is not None:
            self._file.flush()

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()

    def close(self, *, delete: bool = False) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        if delete and self.path is not None:
            self.path.unlink(missing_ok=True)


def _boundary(content_type: str) -> str | None:
    message = email.message.Message()
    message["content-type"] = content_type
    if message.get_content_type() != "multipart/related":
        return None
    boundary = message.get_param("boundary")
    return boundary if isinstance(boundary, str) else None


def parse_multipart(body: bytes, content_type: str) -> list[tuple[dict[str, str], bytes]]:
    """The parts of a ``multipart/related`` body: (lower-cased headers, payload) pairs."""
    boundary = _boundary(content_type)
    if not boundary:
        raise bad_request(
            "badContent", "uploadType=multipart needs a multipart/related body with a boundary."
        )
    delimiter = b"--" + boundary.encode("ascii")
    pieces = body.split(delimiter)
    parts = []
    for piece in pieces[1:]:
        if piece.startswith(b"--"):
            break
        piece = piece.removeprefix(b"\r\n").removeprefix(b"\n")
        if piece.endswith(b"\r\n"):
            piece = piece[:-2]
        elif piece.endswith(b"\n"):
            piece = piece[:-1]
        ends = [i for i in (piece.find(b"\r\n\r\n"), piece.find(b"\n\n")) if i >= 0]
        if not ends:
            raise bad_request("badContent", "A multipart part has no blank line after its headers.")
        end = min(ends)
        separator = 4 if piece[end : end + 4] == b"\r\n\r\n" else 2
        headers = {}
        for line in piece[:end].decode("latin-1").splitlines():
            name, _, value = line.partition(":")
            if name.strip():
                headers[name.strip().lower()] = value.strip()
        parts.append((headers, piece[end + separator :]))
    return parts


def sniff_image(head: bytes) -> str | None:
    """``image/jpeg`` or ``image/png`` from the magic bytes, else None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    return None


def image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG or JPEG image, if its header says."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR":
        width, height = struct.unpack(">II", data[16:24])
        return width, height
    if data.startswith(b"\xff\xd8"):
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                i += 1
                continue
            marker = data[i + 1]
            if marker == 0xFF:
                i += 1
                continue
            if 0xD0 <= marker <= 0xD9 or marker == 0x01:
                i += 2
                continue
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height, width = struct.unpack(">HH", data[i + 5 : i + 9])
                return width, height
            (length,) = struct.unpack(">H", data[i + 2 : i + 4])
            i += 2 + length
    return None
