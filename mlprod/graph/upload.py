"""Sending a file to Meta's upload host in parts, each at an offset, resuming where the host stands.

Both Reels (``rupload…/video-upload/…``), Instagram containers (``rupload…/ig-api-upload/…``) and
the Resumable Upload API (``/upload:…``) take the bytes the same way: a ``POST`` whose headers say
at which byte the body starts (``offset``, or ``file_offset``) and how big the whole file is; the
host keeps what it received, even from a dropped request, and tells how far it got when asked
(each protocol asks in its own way: the caller passes ``where``).

The file is read one part at a time, so memory stays at about one part whatever its size. After
every acknowledged part, ``acknowledged(offset)`` is called before the next is sent: the caller
writes the offset to the database, so that a killed process resumes there. After a failure (a
dropped connection, a 5xx, a rate limit), we wait, ask the host where it stands, and carry on from
there — never from where we believe we were.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlprod.errors import PublishError
from mlprod.graph.client import GraphClient, PartFailed, backoff
from mlprod.graph.errors import GraphRefused

log = logging.getLogger(__name__)

MAX_FAILURES_IN_A_ROW = 8
HASH_BLOCK = 1 << 20
SEND_BLOCK = 1 << 20

Progress = Callable[[int, int], None]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(HASH_BLOCK):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class UploadTarget:
    """Where the bytes go and how that host names the offset."""

    url: str
    path: Path
    part_size: int
    offset_header: str = "offset"
    size_header: str = "file_size"
    extra_headers: Mapping[str, str] | None = None


def read_part(path: Path, offset: int, length: int) -> Iterator[bytes]:
    """The file's bytes from ``offset``, ``length`` of them, a block at a time as they are sent.

    A generator rather than one ``bytes``: httpx keeps a request (and so its body) alive in a
    reference cycle until the garbage collector passes, which would let parts pile up in memory.
    """
    with open(path, "rb") as f:
        f.seek(offset)
        while length > 0 and (block := f.read(min(length, SEND_BLOCK))):
            length -= len(block)
            yield block


def send_file(client: GraphClient, target: UploadTarget, start: int, *, where: Callable[[], int],
              acknowledged: Callable[[int], None], progress: Progress | None = None,
              done: Callable[[dict[str, Any], int], bool] | None = None) -> dict[str, Any]:
    """Send ``target.path`` from byte ``start`` to its end; the host's last answer.

    ``where()`` asks the host how many bytes it holds; ``done(answer, offset)`` says whether an
    answer ends the upload early (the Resumable Upload API answers a handle when whole).
    """
    size = target.path.stat().st_size
    offset = start
    failures = 0
    answer: dict[str, Any] = {}
    _report(progress, offset, size)
    while offset < size:
        length = min(target.part_size, size - offset)
        headers = {target.offset_header: str(offset), target.size_header: str(size),
                   "Content-Type": "application/octet-stream", "Content-Length": str(length),
                   **(target.extra_headers or {})}
        try:
            answer = client.request("POST", target.url, f"uploading {target.path.name}",
                                    content=read_part(target.path, offset, length), length=length,
                                    headers=headers, once=True)
        except (PartFailed, GraphRefused) as err:
            if isinstance(err, GraphRefused) and not _offset_refused(err):
                raise
            failures += 1
            if failures >= MAX_FAILURES_IN_A_ROW:
                raise PublishError(
                    f"{target.path.name}: the upload to {client.label} failed {failures} times in a row"
                    f" ({err}) — run the same command again later: it resumes where it stopped") from err
            if isinstance(err, PartFailed):
                delay = backoff(failures - 1, client.base_delay)
                log.warning("upload to %s failed (%s); asking where it stands in %.0f s", client.label, err,
                            max(delay, 1))
                client.sleep(delay)
            else:  # a part that landed after all (a killed run): the host holds more than we thought
                log.warning("%s holds another number of bytes than mlprod thought; asking where it stands",
                            client.label)
            offset = where()
            acknowledged(offset)
            _report(progress, offset, size)
            continue
        failures = 0
        offset += length
        acknowledged(offset)
        _report(progress, offset, size)
        if done is not None and done(answer, offset):
            break
    return answer


def _offset_refused(refused: GraphRefused) -> bool:
    """A 400 saying the offset sent is not where the host stands (a part that landed after all)."""
    problem = refused.problem
    return problem.status == 400 and "offset" in f"{problem.kind} {problem.message}".lower()


def _report(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None:
        progress(done, total)
