"""What the sandbox channel holds, and keeping it in a JSON file between restarts.

Records are plain dataclasses; :class:`StateStore` guards them with one lock and saves the whole
state atomically (temporary file, then ``os.replace``) after every change when a file is given.
The YouTube channel sits at the top of the file (as it always has); the other platforms keep
theirs in named sections beside it (``meta``, ``discord``), each its own typed object.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from mlprod.files import write_atomic
from mlprod.sandbox.errors import SandboxError

STATE_VERSION = 1


class Section(Protocol):
    """A platform's part of the state file."""

    def to_json(self) -> dict[str, Any]: ...


SectionLoader = Callable[[dict[str, Any] | None], Section]
"""Makes a section from its JSON in the file, or a fresh one from None."""
S = TypeVar("S", bound=Section)


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
    """The channel state and the platforms' sections behind one re-entrant lock, saved to ``path``
    after each change."""

    def __init__(
        self, state: ChannelState, path: Path | None = None, sections: Mapping[str, Section] | None = None
    ) -> None:
        self.state = state
        self.path = path
        self.sections = dict(sections or {})
        self.lock = threading.RLock()

    @classmethod
    def open(
        cls, path: Path | None, fresh: ChannelState, sections: Mapping[str, SectionLoader] | None = None
    ) -> StateStore:
        """Load ``path`` if it exists, else start from ``fresh`` (and write it); ``sections`` names
        each platform's part of the file and how to load it."""
        sections = sections or {}
        if path is not None and path.exists():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                loaded = {name: load(data.get(name)) for name, load in sections.items()}
                store = cls(ChannelState.from_json(data), path, loaded)
            except (OSError, ValueError, KeyError, TypeError) as err:
                raise SandboxError(
                    f"{path}: cannot read the sandbox state ({err}) — "
                    "delete the file to start a new channel, or pass another --state"
                ) from err
            store.save()  # a file from before a platform existed gains its section
            return store
        store = cls(fresh, path, {name: load(None) for name, load in sections.items()})
        store.save()
        return store

    def section(self, name: str, kind: type[S]) -> S:
        """The platform section called ``name``, of the type its platform expects."""
        value = self.sections[name]
        if not isinstance(value, kind):
            raise TypeError(f"state section {name!r} is a {type(value).__name__}, not {kind.__name__}")
        return value

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
            data = self.state.to_json()
            data.update({name: section.to_json() for name, section in self.sections.items()})
            text = json.dumps(data, ensure_ascii=False, indent=1)
            write_atomic(self.path, text, private=True)  # it holds the channel's tokens

    @property
    def media_dir(self) -> Path | None:
        """Where partial uploads are kept so a restarted sandbox can resume them."""
        return None if self.path is None else self.path.with_name(self.path.name + ".uploads")
