"""Where render workers read a piece's inputs and leave the piece: a shared folder or an S3 bucket.

**A shared folder** (``render.shared = "/srv/mlprod"``): the same files mounted on every machine
(NFS, SMB…), possibly at another place on each; the workspace lives inside it. A piece names its
inputs by their path from the folder, and the render cache is ``<folder>/cache``: a worker writes
a piece straight where every builder looks for it, through the cache's own write-then-record
protocol (a killed worker leaves nothing a build would take for whole).

**An S3-compatible bucket** (``render.shared = "s3://bucket/prefix"``; the endpoint and keys come
from boto3's usual environment: ``AWS_ENDPOINT_URL``, ``AWS_ACCESS_KEY_ID``…, never the repo): the
builder uploads each input once under its content digest (``inputs/``), a worker downloads what a
piece needs into its scratch folder, renders, and uploads the piece as ``pieces/<key>.mp4`` (an S3
object appears whole or not at all); the builder then downloads it into its own render cache.
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path
from typing import Any, Protocol

from mlprod.errors import RenderError
from mlprod.render.cache import READ_CHUNK, ContentStore


class SharedStorage(Protocol):
    description: str

    def export(self, path: Path) -> Path:
        """On the builder: the reference every worker uses for the local input ``path``."""

    def local(self, ref: Path) -> Path:
        """On a worker: a path on this machine holding what ``ref`` names (fetched if need be)."""

    def piece_store(self) -> ContentStore:
        """On a worker: where pieces are rendered."""

    def fetch_piece(self, key: str, store: ContentStore) -> bool:
        """On the builder: make the shared piece ``key`` present in ``store``; False when none is."""

    def publish_piece(self, key: str, store: ContentStore) -> None:
        """On a worker: make the piece ``key`` (in :meth:`piece_store`) readable by every builder."""


def pieces_under(cache_dir: Path) -> ContentStore:
    """The pieces' part of a render cache (as render.assemble.Stores lays it out)."""
    return ContentStore(cache_dir / "pieces", ".mp4")


class SharedFolder:
    """A folder every machine mounts; pieces go straight into its render cache."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.description = str(root)

    def export(self, path: Path) -> Path:
        try:
            return path.resolve().relative_to(self.root.resolve())
        except ValueError:
            raise RenderError(f"{path}: not on the shared storage {self.root}, so the render workers cannot"
                              f" read it — keep the workspace (media, brands) inside {self.root}, or unset"
                              " render.queue to render on this machine") from None

    def local(self, ref: Path) -> Path:
        return self.root / ref

    def piece_store(self) -> ContentStore:
        return pieces_under(self.root / "cache")

    def fetch_piece(self, key: str, store: ContentStore) -> bool:
        return store.lookup(key) is not None

    def publish_piece(self, key: str, store: ContentStore) -> None:
        return None  # written in place


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(READ_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class S3Bucket:
    """An S3-compatible bucket through boto3; inputs by content digest, pieces by key."""

    def __init__(self, url: str, scratch: Path, client: Any = None) -> None:
        bucket, _, prefix = url.removeprefix("s3://").partition("/")
        self.bucket, self.prefix = bucket, prefix.strip("/")
        self.scratch = scratch
        self.description = url
        if client is None:
            import boto3  # only for a bucket: the s3 extra

            client = boto3.client("s3")
        self.client = client
        self._exported: dict[Path, Path] = {}
        self._lock = threading.Lock()

    def _name(self, ref: str) -> str:
        return f"{self.prefix}/{ref}" if self.prefix else ref

    def _exists(self, name: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=name)
        except ClientError as err:
            if err.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise self._error(f"reading {name}", err) from err
        return True

    def _error(self, what: str, err: Exception) -> RenderError:
        return RenderError(f"shared storage {self.description}: {what} failed ({err}) — check the bucket,"
                           " AWS_ENDPOINT_URL and the access keys")

    def _upload(self, path: Path, name: str) -> None:
        if not self._exists(name):
            try:
                self.client.upload_file(str(path), self.bucket, name)
            except Exception as err:
                raise self._error(f"uploading {path}", err) from err

    def export(self, path: Path) -> Path:
        with self._lock:
            if path in self._exported:
                return self._exported[path]
            if path.is_dir():
                files = sorted(p for p in path.rglob("*") if p.is_file())
                listing = [(p.relative_to(path).as_posix(), _sha256(p)) for p in files]
                ref = Path("inputs", "dirs", hashlib.sha256(repr(listing).encode()).hexdigest())
                for (name, _), file in zip(listing, files, strict=True):
                    self._upload(file, self._name(f"{ref.as_posix()}/{name}"))
            elif path.is_file():
                ref = Path("inputs", "files", _sha256(path), path.name)
                self._upload(path, self._name(ref.as_posix()))
            else:
                raise RenderError(f"{path}: does not exist, so it cannot go to the shared storage"
                                  f" {self.description} — check the path")
            self._exported[path] = ref
            return ref

    def _download(self, name: str, dest: Path) -> None:
        from botocore.exceptions import ClientError

        dest.parent.mkdir(parents=True, exist_ok=True)
        partial = dest.with_name(f".{dest.name}.{os.getpid()}.{threading.get_ident()}.part")
        try:
            self.client.download_file(self.bucket, name, str(partial))
            partial.replace(dest)
        except ClientError as err:
            raise RenderError(f"{name}: missing on the shared storage {self.description} ({err})"
                              " — build again from the machine that has the file") from err
        finally:
            partial.unlink(missing_ok=True)

    def local(self, ref: Path) -> Path:
        dest = self.scratch / ref  # ref starts with inputs/
        if ref.parts[:2] == ("inputs", "dirs"):
            if not dest.is_dir():
                prefix = self._name(ref.as_posix()) + "/"
                pager = self.client.get_paginator("list_objects_v2")
                pages = pager.paginate(Bucket=self.bucket, Prefix=prefix)
                names = [item["Key"] for page in pages for item in page.get("Contents", [])]
                if not names:
                    raise RenderError(f"{prefix}: missing on the shared storage {self.description}"
                                      " — build again from the machine that has the folder")
                staging = dest.with_name(f".{dest.name}.{os.getpid()}.part")
                for name in names:
                    self._download(name, staging / name.removeprefix(prefix))
                if not dest.exists():  # another process may have fetched it meanwhile
                    staging.replace(dest)
            return dest
        if not dest.is_file():
            self._download(self._name(ref.as_posix()), dest)
        return dest

    def piece_store(self) -> ContentStore:
        return pieces_under(self.scratch / "cache")

    def _piece(self, key: str) -> str:
        return self._name(f"pieces/{key}.mp4")

    def fetch_piece(self, key: str, store: ContentStore) -> bool:
        if store.lookup(key) is not None:
            return True
        if not self._exists(self._piece(key)):
            return False
        written = store.temporary(key)
        try:
            self._download(self._piece(key), written)
            store.put(key, written)
        finally:
            written.unlink(missing_ok=True)
        return True

    def publish_piece(self, key: str, store: ContentStore) -> None:
        path = store.lookup(key)
        if path is None:
            raise RenderError(f"piece {key[:12]}: lost from {store.folder} before it reached the shared"
                              " storage — the build will send it again")
        self._upload(path, self._piece(key))


def open_storage(shared: str | None, scratch: Path) -> SharedStorage:
    """The storage ``render.shared`` names; ``scratch`` is this machine's working folder."""
    if shared is None:
        raise RenderError("render.queue is set but render.shared is not: the render workers need storage"
                          " they all read — set render.shared to a shared folder or s3://bucket/prefix")
    if shared.startswith("s3://"):
        return S3Bucket(shared, scratch)
    return SharedFolder(Path(shared))
