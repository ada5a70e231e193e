"""Content hashes and the render cache: what is unchanged is reused, wherever the workspace is.

A build's hash covers the recipe's text, every input file's content (named by its path from the
workspace), the brand's fingerprint, the output profile and :data:`RENDERER_VERSION`. Input files
are hashed in full (SHA-256) once per version: the digest is remembered in
``cache_dir/file-digests.json`` keyed by path, size and modification time, so checking an unchanged
build costs a few ``stat`` calls. Pieces, sounds and thumbnails are kept by their own content keys
(see pieces.py) in :class:`ContentStore` folders, bounded by :func:`evict`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from mlprod.files import write_atomic

RENDERER_VERSION = "render-3"  # 2: colours to BT.709, deinterlacing, alpha, limiter; 3: pieces
DIGEST_MEMO = "file-digests.json"
READ_CHUNK = 1 << 20
ABANDONED_AFTER = 6 * 3600  # seconds: no render takes this long; a temporary file this old is dead


def hash_parts(*parts: object) -> str:
    """A SHA-256 over ``parts`` (strings, numbers, paths), each one length-prefixed."""
    digest = hashlib.sha256()
    for part in parts:
        data = str(part).encode("utf-8")
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


class FileDigests:
    """Full SHA-256 of files, remembered by (path, size, mtime) in a small JSON file."""

    def __init__(self, cache_dir: Path) -> None:
        self.path = cache_dir / DIGEST_MEMO
        self._memo: dict[str, list[object]] = {}
        self._dirty = False
        try:
            loaded = json.loads(self.path.read_text(encoding="utf-8"))
            if isinstance(loaded, dict):
                self._memo = loaded
        except (OSError, ValueError):
            pass

    def digest(self, path: Path) -> str:
        """The file's SHA-256, or ``missing`` when it does not exist (probing will say so)."""
        try:
            stat = path.stat()
        except OSError:
            return "missing"
        key = str(path.resolve())
        remembered = self._memo.get(key)
        if remembered and remembered[:2] == [stat.st_size, stat.st_mtime_ns]:
            return str(remembered[2])
        sha = hashlib.sha256()
        with open(path, "rb") as handle:
            while chunk := handle.read(READ_CHUNK):
                sha.update(chunk)
        self._memo[key] = [stat.st_size, stat.st_mtime_ns, sha.hexdigest()]
        self._dirty = True
        return sha.hexdigest()

    def save(self) -> None:
        if not self._dirty:
            return
        write_atomic(self.path, json.dumps(self._memo))
        self._dirty = False


def build_hash(recipe_text: str, inputs: Iterable[tuple[str, str]], brand_fingerprint: str,
               profile_key: str) -> str:
    """The content hash of one build: recipe text, (name, digest) of each input, brand, profile."""
    return hash_parts(RENDERER_VERSION, recipe_text, *sorted(f"{n}={d}" for n, d in inputs),
                      brand_fingerprint, profile_key)


@dataclass(frozen=True)
class Entry:
    """One cached file: its key, size in bytes and when a build last used it."""

    key: str
    path: Path
    size: int
    last_used: float


class ContentStore:
    """Files named by their content hash, in ``folder/<2 hex>/<key><suffix>``.

    A file counts as stored only when its record ``<key>.json`` (its size, written after the file
    was flushed to disk and renamed into place) is there and agrees with it: a build killed while
    writing leaves at most a hidden temporary file or a file without its record, never something a
    later build would take for whole. Using a file touches its record: eviction removes the
    least recently used first. Nothing here depends on where the workspace is.
    """

    def __init__(self, folder: Path, suffix: str) -> None:
        self.folder = folder
        self.suffix = suffix

    def path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}{self.suffix}"

    def _record(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def temporary(self, key: str) -> Path:
        """A hidden name beside the final one, unique to this process and thread."""
        folder = self.folder / key[:2]
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f".{key}.{os.getpid()}.{threading.get_ident()}.tmp{self.suffix}"

    def lookup(self, key: str) -> Path | None:
        """The stored file for ``key``, verified against its record and marked as used; or None."""
        path, record = self.path(key), self._record(key)
        try:
            expected = json.loads(record.read_text(encoding="utf-8"))["size"]
            if path.stat().st_size != expected:
                return None
            os.utime(record)
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return path

    def put(self, key: str, written: Path, **details: object) -> Path:
        """Move ``written`` (a :meth:`temporary` file) into place, flushed to disk, then record it."""
        with open(written, "rb+") as handle:
            os.fsync(handle.fileno())
        size = written.stat().st_size
        target = self.path(key)
        written.replace(target)
        write_atomic(self._record(key), json.dumps({"size": size, **details}))
        return target

    def entries(self) -> Iterator[Entry]:
        """Every stored file with its record (files without one are temporary or half-done)."""
        if not self.folder.is_dir():
            return
        for record in self.folder.glob("??/*.json"):
            key = record.stem
            path = self.path(key)
            try:
                yield Entry(key, path, path.stat().st_size + record.stat().st_size, record.stat().st_mtime)
            except OSError:
                continue

    def remove(self, key: str) -> None:
        """Record first: a file without its record is never reused, whatever happens next."""
        self._record(key).unlink(missing_ok=True)
        self.path(key).unlink(missing_ok=True)

    def clear_leftovers(self, older_than: float = ABANDONED_AFTER) -> int:
        """Remove files a killed build left (temporary ones, files without a record); bytes freed."""
        freed = 0
        if not self.folder.is_dir():
            return 0
        now = time.time()
        for path in self.folder.glob("??/*"):
            if path.suffix == ".json":
                continue
            recorded = path.with_name(f"{path.name.split('.')[0] or path.name}.json")
            orphan = path.name.startswith(".") or not recorded.exists()
            with contextlib.suppress(OSError):
                stat = path.stat()
                if orphan and now - stat.st_mtime > older_than:
                    path.unlink()
                    freed += stat.st_size
        return freed


def evict(stores: Iterable[ContentStore], limit: int, keep: Iterable[str] = ()) -> list[Entry]:
    """Remove the least recently used files until the stores hold at most ``limit`` bytes.

    ``keep`` (the keys the build that just ran uses) are never removed. Returns what was removed.
    """
    kept = set(keep)
    found = [(store, entry) for store in stores for entry in store.entries()]
    total = sum(entry.size for _, entry in found)
    removed = []
    for store, entry in sorted(found, key=lambda item: item[1].last_used):
        if total <= limit:
            break
        if entry.key in kept:
            continue
        store.remove(entry.key)
        total -= entry.size
        removed.append(entry)
    return removed
