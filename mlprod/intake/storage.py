"""Receiving the employer's form: multipart parsed as it streams in, files written straight to disk.

Memory does not grow with the files: python-multipart's push parser is fed the request body
chunk by chunk (in a worker thread, so the server keeps answering others), and each file part is
written to a temporary file in the workspace as it arrives, hashed on the way. The body is counted
as it streams, against the limit; the Content-Length is checked before reading anything.

When the form must be refused half-way (too big, no CSRF code), the rest of the body is read and
thrown away (up to a bound) before answering: a browser that is still sending when the server
hangs up shows "connection reset" instead of our page.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import unicodedata
import uuid
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import anyio.to_thread
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect, Request

from mlprod.errors import IntakeError
from mlprod.french import fr_size_number
from mlprod.intake.errors import UploadRefused, UploadTooLarge

MAX_FIELDS = 40
MAX_FIELD_BYTES = 16 * 1024
MAX_FILES = 20
FEED_BYTES = 1024 * 1024          # body handed to the parser thread in pieces of about this size
DRAIN_MIN = 64 * 1024 * 1024      # read at least this much of a refused body before answering
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

NAME_MAX = 255                    # characters: what file systems allow; longer is no real file's name
LONG_NAME = ("Le nom d'un des fichiers choisis est trop long. Renommez ce fichier avec un nom court (par"
             " exemple « presentation.mp4 »), choisissez-le à nouveau dans le formulaire, puis envoyez.")
BAD_FORM = ("Le formulaire n'a pas pu être lu. Rechargez la page et envoyez-le à nouveau ; si le"
            " problème continue, contactez la Mission Locale.")


def human_size(size: int) -> str:
    """A size the way a person reads it, in French: 2 Go, 500 Mo, 12 ko."""
    for unit, factor in (("Go", 1024**3), ("Mo", 1024**2), ("ko", 1024)):
        if size >= factor:
            return f"{fr_size_number(size / factor)} {unit}"
    return f"{size} octets"


def too_large(limit: int) -> UploadTooLarge:
    return UploadTooLarge(
        f"Les fichiers envoyés dépassent la taille maximale de {human_size(limit)} par envoi."
        " Envoyez moins de vidéos à la fois, ou des vidéos plus courtes ou moins lourdes (sur un"
        " téléphone, choisissez la qualité « 1080p » plutôt que « 4K »)."
    )


def clean_text(value: str) -> str:
    """What an employer typed, without control characters (line breaks and tabs are kept)."""
    return _CONTROL.sub("", unicodedata.normalize("NFC", value.replace("\r\n", "\n"))).strip()


def display_name(raw: str) -> str:
    """The employer's file name, for showing only: last path component, no control characters."""
    name = clean_text(raw.replace("\\", "/").rsplit("/", 1)[-1])
    return name[:200] or "sans-nom"


@dataclass
class ReceivedFile:
    field: str
    original_name: str       # shown to staff, never used as a path
    path: Path               # the temporary file in the workspace, generated name
    size: int = 0
    sha256: str = ""


@dataclass
class ReceivedForm:
    fields: dict[str, list[str]] = field(default_factory=dict)
    files: list[ReceivedFile] = field(default_factory=list)

    def value(self, name: str) -> str:
        values = self.fields.get(name)
        return values[0] if values else ""

    def files_for(self, name: str) -> list[ReceivedFile]:
        return [f for f in self.files if f.field == name]

    def discard(self) -> None:
        for item in self.files:
            item.path.unlink(missing_ok=True)


class _Sink:
    """python-multipart callbacks: text fields to memory (bounded), file parts to disk."""

    def __init__(self, form: ReceivedForm, incoming: Path,
                 before_files: Callable[[Mapping[str, list[str]]], None]) -> None:
        self.form = form
        self.incoming = incoming
        self.before_files = before_files
        self._gate_passed = False
        self._headers: dict[bytes, bytes] = {}
        self._header_name = b""
        self._header_value = b""
        self._name = ""
        self._data = bytearray()
        self._file: ReceivedFile | None = None
        self._nothing_chosen = False
        self._out: IO[bytes] | None = None
        self._hash = hashlib.sha256()

    def callbacks(self) -> dict[str, Callable[..., None]]:
        return {"on_part_begin": self.part_begin, "on_header_field": self.header_field,
                "on_header_value": self.header_value, "on_header_end": self.header_end,
                "on_headers_finished": self.headers_finished, "on_part_data": self.part_data,
                "on_part_end": self.part_end}

    def part_begin(self) -> None:
        self._headers, self._data, self._file = {}, bytearray(), None

    def header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def header_end(self) -> None:
        self._headers[self._header_name.lower()] = self._header_value
        self._header_name = self._header_value = b""

    def headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        if b"name" not in options:
            raise UploadRefused(BAD_FORM)
        self._name = options[b"name"].decode("utf-8", "replace")
        if b"filename" not in options:
            if sum(len(v) for v in self.form.fields.values()) >= MAX_FIELDS:
                raise UploadRefused(BAD_FORM)
            return
        self.pass_gate()
        if len(self.form.files) >= MAX_FILES:
            raise UploadRefused(f"Envoyez au plus {MAX_FILES} fichiers à la fois.")
        # the header is latin-1 on the wire; browsers put UTF-8 bytes in it
        raw = options[b"filename"].decode("utf-8", "replace")
        if len(raw) > NAME_MAX:
            raise UploadRefused(LONG_NAME)
        self._nothing_chosen = not raw
        self._file = ReceivedFile(field=self._name, original_name=display_name(raw),
                                  path=self.incoming / f"{uuid.uuid4().hex}.part")
        self.form.files.append(self._file)
        self._out = open(self._file.path, "xb")  # noqa: SIM115 - closed in part_end or close()
        self._hash = hashlib.sha256()

    def pass_gate(self) -> None:
        if not self._gate_passed:
            self._gate_passed = True
            self.before_files(self.form.fields)

    def part_data(self, data: bytes, start: int, end: int) -> None:
        piece = memoryview(data)[start:end]
        if self._file is None:
            if len(self._data) + len(piece) > MAX_FIELD_BYTES:
                raise UploadRefused("Un des champs est trop long : raccourcissez le texte et envoyez"
                                    " à nouveau.")
            self._data += piece
            return
        assert self._out is not None
        self._out.write(piece)
        self._hash.update(piece)
        self._file.size += len(piece)

    def part_end(self) -> None:
        if self._file is None:
            text = self._data.decode("utf-8", "replace")
            self.form.fields.setdefault(self._name, []).append(text)
            return
        self.close()
        self._file.sha256 = self._hash.hexdigest()
        if self._file.size == 0 and self._nothing_chosen:
            self.form.files.remove(self._file)  # an empty file input: nothing chosen
            self._file.path.unlink(missing_ok=True)
        self._file = None

    def close(self) -> None:
        if self._out is not None:
            self._out.close()
            self._out = None


async def _drain(chunks: AsyncIterator[bytes], budget: int) -> None:
    """Read and drop what is left of the body, up to ``budget`` bytes."""
    if budget <= 0:
        return
    with contextlib.suppress(ClientDisconnect):
        async for chunk in chunks:
            budget -= len(chunk)
            if budget < 0:
                return


def _drain_budget(declared: int | None, received: int, max_bytes: int) -> int:
    """How much of a refused body to read before answering.

    All of it when it is at most twice the limit: the browser finishes sending, then shows our
    page. Beyond that, nothing: we answer at once and uvicorn throws the rest away while the
    connection stays open (its keep-alive time), which browsers also handle.
    """
    if declared is None:
        return max(max_bytes, DRAIN_MIN)
    return declared - received if declared <= 2 * max_bytes else 0


def _boundary(request: Request) -> bytes:
    ctype, params = parse_options_header(request.headers.get("content-type", ""))
    if ctype != b"multipart/form-data" or not params.get(b"boundary"):
        raise UploadRefused(BAD_FORM)
    return params[b"boundary"]


async def receive_form(
    request: Request, incoming: Path, max_bytes: int,
    before_files: Callable[[Mapping[str, list[str]]], None] = lambda _fields: None,
) -> ReceivedForm:
    """Parse the request's multipart body; files land in ``incoming`` under generated names.

    ``before_files`` sees the text fields sent before the first file (the CSRF code comes first
    in the page's form) and may refuse the form before any file is written; it is also called at
    the end when the form holds no file. The caller owns the files: ``discard()`` them, or move them.
    """
    length = request.headers.get("content-length", "")
    declared = int(length) if length.isdigit() else None
    if declared is not None and declared > max_bytes:
        if request.headers.get("expect", "").lower() != "100-continue":  # else the body never comes
            await _drain(request.stream(), _drain_budget(declared, 0, max_bytes))
        raise too_large(max_bytes)
    boundary = _boundary(request)
    incoming.mkdir(parents=True, exist_ok=True)
    form = ReceivedForm()
    sink = _Sink(form, incoming, before_files)
    parser = MultipartParser(boundary, sink.callbacks())  # type: ignore[arg-type]

    def feed(data: bytes) -> None:
        try:
            parser.write(data)
            if not data:
                parser.finalize()
                sink.pass_gate()
        except MultipartParseError as err:
            # a part's header over the parser's limit (4 KiB): our page's field names are short, so
            # it is a file's name
            raise UploadRefused(LONG_NAME if "header size" in str(err).lower() else BAD_FORM) from err

    chunks = request.stream()
    received = 0
    pending = bytearray()
    try:
        try:
            async for chunk in chunks:
                received += len(chunk)
                if received > max_bytes:
                    raise too_large(max_bytes)
                pending += chunk
                if len(pending) >= FEED_BYTES:
                    data, pending = bytes(pending), bytearray()
                    await anyio.to_thread.run_sync(feed, data)
            if pending:
                await anyio.to_thread.run_sync(feed, bytes(pending))
            await anyio.to_thread.run_sync(feed, b"")  # the end: finalize
        except IntakeError:
            sink.close()
            form.discard()
            await _drain(chunks, _drain_budget(declared, received, max_bytes))
            raise
    except BaseException:
        sink.close()
        form.discard()
        raise
    sink.close()
    return form
