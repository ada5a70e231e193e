"""What the sandbox channel holds, and keeping it in a JSON file between restarts.

Records are plain dataclasses; :class:`StateStore` guards them with one lock and saves the whole
state atomically (temporary file, then ``os.replace``) after every change when a file is given.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from mlprod.files import write_atomic
from mlprod.sandbox.errors import SandboxError

STATE_VERSION = 1


@dataclass
class MediaRecord:
    sha256: str
    bytes: int
    content_type: str


@dataclass
class ThumbnailRecord:
    sha256: str
    bytes: int
    content_type: str
    width: int | None = None
    height: int | None = None


@dataclass
class CaptionRecord:
    id: str
    video_id: str
    language: str
    name: str
    is_draft: bool
    sha256: str
    bytes: int
    content_type: str
    updated_at: str


@dataclass
class VideoRecord:
    id: str
    snippet: dict[str, Any]
    status: dict[str, Any]
    media: MediaRecord
    uploaded_at: str
    thumbnail: ThumbnailRecord | None = None
    other_parts: dict[str, Any] = field(default_factory=dict)
    """Writable parts stored as sent (recordingDetails, localizations)."""


@dataclass
class PlaylistItemRecord:
    id: str
    video_id: str
    added_at: str


@dataclass
class PlaylistRecord:
    id: str
    snippet: dict[str, Any]
    status: dict[str, Any]
    created_at: str
    items: list[PlaylistItemRecord] = field(default_factory=list)


@dataclass
class UploadSession:
    id: str
    method_id: str
    params: dict[str, list[str]]
    body: dict[str, Any] | None
    total: int | None
    content_type: str
    created_at: float
    bytes_received: int = 0
    completed: bool = False
    result: dict[str, Any] | None = None


@dataclass
class RefreshGrant:
    token: str
    client_id: str
    scopes: list[str]
    created_at: float
    revoked: bool = False


@dataclass
class AccessGrant:
    token: str
    refresh_token: str
    scopes: list[str]
    expires_at: float


@dataclass
class AuthCode:
    code: str
    client_id: str
    redirect_uri: str
    scopes: list[str]
    expires_at: float
    code_challenge: str | None = None
    code_challenge_method: str | None = None


@dataclass
class ChannelState:
    channel_id: str
    channel_title: str
    created_on: str
    """ISO date the channel was created (the history's ``created``, else the first run)."""
    videos: dict[str, VideoRecord] = field(default_factory=dict)
    captions: dict[str, CaptionRecord] = field(default_factory=dict)
    playlists: dict[str, PlaylistRecord] = field(default_factory=dict)
    sessions: dict[str, UploadSession] = field(default_factory=dict)
    quota_day: str = ""
    quota_used: int = 0
    refresh_grants: dict[str, RefreshGrant] = field(default_factory=dict)
    access_grants: dict[str, AccessGrant] = field(default_factory=dict)
    codes: dict[str, AuthCode] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"version": STATE_VERSION, **asdict(self)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ChannelState:
        def video(d: dict[str, Any]) -> VideoRecord:
            thumb = d.get("thumbnail")
            media = MediaRecord(**d["media"])
            return VideoRecord(
                **{**d, "media": media, "thumbnail": ThumbnailRecord(**thumb) if thumb else None}
            )

        def playlist(d: dict[str, Any]) -> PlaylistRecord:
            return PlaylistRecord(
                **{**d, "items": [PlaylistItemRecord(**i) for i in d.get("items", [])]}
            )

        return cls(
            channel_id=data["channel_id"],
            channel_title=data["channel_title"],
            created_on=data["created_on"],
            videos={k: video(v) for k, v in data.get("videos", {}).items()},
            captions={k: CaptionRecord(**v) for k, v in data.get("captions", {}).items()},
            playlists={k: playlist(v) for k, v in data.get("playlists", {}).items()},
            sessions={k: UploadSession(**v) for k, v in data.get("sessions", {}).items()},
            quota_day=data.get("quota_day", ""),
            quota_used=data.get("quota_used", 0),
            refresh_grants={
                k: RefreshGrant(**v) for k, v in data.get("refresh_grants", {}).items()
            },
            access_grants={k: AccessGrant(**v) for k, v in data.get("access_grants", {}).items()},
            codes={k: AuthCode(**v) for k, v in data.get("codes", {}).items()},
        )


class StateStore:
    """The channel state behind one re-entrant lock, saved to ``path`` after each change."""

    def __init__(self, state: ChannelState, path: Path | None = None) -> None:
        self.state = state
        self.path = path
        self.lock = threading.RLock()

    @classmethod
    def open(cls, path: Path | None, fresh: ChannelState) -> StateStore:
        """Load ``path`` if it exists, else start from ``fresh`` (and write it)."""
        if path is not None and path.exists():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                return cls(ChannelState.from_json(data), path)
            except (OSError, ValueError, KeyError, TypeError) as err:
                raise SandboxError(
                    f"{path}: cannot read the sandbox state ({err}) — "
                    "delete the file to start a new channel, or pass another --state"
                ) from err
        store = cls(fresh, path)
        store.save()
        return store

    @contextmanager
    def change(self) -> Iterator[ChannelState]:
        """Mutate the state under the lock; it is saved when the block ends without error."""
        with self.lock:
            yield self.state
            self.save()

    @contextmanager
    def read(self) -> Iterator[ChannelState]:
        with self.lock:
            yield self.state

    def save(self) -> None:
        if self.path is None:
            return
        with self.lock:
            text = json.dumps(self.state.to_json(), ensure_ascii=False, indent=1)
            write_atomic(self.path, text, private=True)  # it holds the channel's tokens

    @property
    def media_dir(self) -> Path | None:
        """Where partial uploads are kept so a restarted sandbox can resume them."""
        return None if self.path is None else self.path.with_name(self.path.name + ".uploads")
