"""Content hashes: a build or a card is reused when everything that shapes its pixels is unchanged.

A build's hash covers the recipe's text, every input file's content, the brand's fingerprint,
the output profile and :data:`RENDERER_VERSION`. Input files are hashed in full (SHA-256) once per
version: the digest is remembered in ``cache_dir/file-digests.json`` keyed by path, size and
modification time, so checking an unchanged build costs a few ``stat`` calls.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

from mlprod.files import write_atomic

RENDERER_VERSION = "render-2"  # 2: colours converted to BT.709, deinterlacing, alpha, limiter
DIGEST_MEMO = "file-digests.json"
READ_CHUNK = 1 << 20


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
