"""What the sandbox can tell of an uploaded MP4 without decoding it: its brand, the video track's
display size and the movie's duration, read from the ``ftyp``, ``mvhd`` and ``tkhd`` boxes.

:class:`Mp4Probe` is fed the bytes in order as they arrive (uploads are never held whole): it walks
the top-level boxes, skips ``mdat`` and everything else by counting, and keeps only ``moov`` (small:
the sample tables), wherever it sits in the file. Frame rate and codecs are not read.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

MAX_MOOV = 16 * 1024 * 1024
"""A bigger ``moov`` is not kept (the facts are then unknown)."""
_CONTAINERS = {b"trak", b"mdia", b"minf", b"stbl", b"edts"}


@dataclass(frozen=True)
class Mp4Facts:
    brand: str
    """The ``ftyp`` major brand (``isom``, ``mp42``, ``qt  `` for QuickTime…)."""
    width: int | None = None
    """Display width of the video track (after its rotation), None when no ``moov`` was seen."""
    height: int | None = None
    duration: float | None = None
    """Seconds, from ``mvhd``."""


class Mp4Probe:
    def __init__(self) -> None:
        self._header = b""
        self._skip = 0
        self._to_end = False
        self._box: bytes | None = None
        self._body = bytearray()
        self._want = 0
        self._first = True
        self._broken = False
        self._brand: str | None = None
        self._width: int | None = None
        self._height: int | None = None
        self._duration: float | None = None

    def feed(self, data: bytes) -> None:
        view = memoryview(data)
        while view and not self._broken and not self._to_end:
            if self._skip:
                step = min(self._skip, len(view))
                self._skip -= step
                view = view[step:]
            elif self._box is not None:
                step = min(self._want - len(self._body), len(view))
                self._body += view[:step]
                view = view[step:]
                if len(self._body) == self._want:
                    self._finish_box()
            else:
                view = self._read_header(view)

    def _read_header(self, view: memoryview) -> memoryview:
        need = 16 if len(self._header) >= 8 and self._header[:4] == b"\0\0\0\x01" else 8
        step = min(need - len(self._header), len(view))
        self._header += bytes(view[:step])
        view = view[step:]
        if len(self._header) < 8 or (len(self._header) == 8 and self._header[:4] == b"\0\0\0\x01"):
            return view
        size, kind = struct.unpack(">I4s", self._header[:8])
        header_length = len(self._header)
        if size == 1:
            (size,) = struct.unpack(">Q", self._header[8:16])
        self._header = b""
        if self._first and kind != b"ftyp":
            self._broken = True
            return view
        self._first = False
        if size == 0:  # the box runs to the end of the file
            self._to_end = True
        elif size < header_length:
            self._broken = True
        elif kind in (b"ftyp", b"moov") and size - header_length <= MAX_MOOV:
            self._box, self._want, self._body = kind, size - header_length, bytearray()
            if self._want == 0:
                self._finish_box()
        else:
            self._skip = size - header_length
        return view

    def _finish_box(self) -> None:
        body, kind = bytes(self._body), self._box
        self._box, self._body = None, bytearray()
        if kind == b"ftyp":
            self._brand = body[:4].decode("latin-1") if len(body) >= 4 else ""
        else:
            self._read_moov(body)

    def _read_moov(self, body: bytes) -> None:
        for kind, payload in _children(body):
            if kind == b"mvhd":
                self._duration = _movie_duration(payload)
            elif kind == b"trak" and self._width is None:
                size = _track_size(payload)
                if size is not None:
                    self._width, self._height = size

    def facts(self) -> Mp4Facts | None:
        """What was read so far; None if the bytes do not start like an MP4 (``ftyp``)."""
        if self._brand is None:
            return None
        return Mp4Facts(self._brand, self._width, self._height, self._duration)


def _children(data: bytes) -> list[tuple[bytes, bytes]]:
    boxes, i = [], 0
    while i + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[i : i + 8])
        start = i + 8
        if size == 1 and i + 16 <= len(data):
            (size,) = struct.unpack(">Q", data[i + 8 : i + 16])
            start = i + 16
        elif size == 0:
            size = len(data) - i
        if size < start - i or i + size > len(data):
            break
        boxes.append((kind, data[start : i + size]))
        i += size
    return boxes


def _movie_duration(mvhd: bytes) -> float | None:
    if not mvhd:
        return None
    if mvhd[0] == 1 and len(mvhd) >= 32:
        timescale, duration = struct.unpack(">IQ", mvhd[20:32])
    elif len(mvhd) >= 20:
        timescale, duration = struct.unpack(">II", mvhd[12:20])
    else:
        return None
    return duration / timescale if timescale else None


def _track_size(trak: bytes) -> tuple[int, int] | None:
    """The display size of a video track (its ``tkhd`` width and height, turned by its matrix)."""
    for kind, payload in _children(trak):
        if kind != b"tkhd" or not payload:
            continue
        offset = 4 + (32 if payload[0] == 1 else 20) + 16  # version/flags, times…duration, reserved…volume
        if len(payload) < offset + 44:
            return None
        a, b = struct.unpack(">ii", payload[offset : offset + 8])
        width, height = struct.unpack(">II", payload[offset + 36 : offset + 44])
        width, height = width >> 16, height >> 16
        if not width or not height:
            return None  # an audio track
        return (height, width) if a == 0 and b != 0 else (width, height)
    return None
