"""What the Meta sandbox holds: the signed-in person, Pages, linked Instagram accounts, tokens, Page
videos and Reels, resumable-upload sessions, Instagram containers and media — plain records, kept
in the ``meta`` section of the state file (:class:`MetaState`). Times are Unix seconds.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import asdict, dataclass, field, fields
from enum import StrEnum
from typing import Any, TypeVar

from mlprod.sandbox.meta.rules import CONTAINER_LIFETIME, PROCESSING_POLLS, PROCESSING_SECONDS
from mlprod.sandbox.mp4 import Mp4Facts

EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def new_number_id(prefix: str, digits: int) -> str:
    """A Graph-style numeric id: ``prefix`` then random digits."""
    return prefix + "".join(str(secrets.randbelow(10)) for _ in range(digits))


class TokenKind(StrEnum):
    USER = "USER"
    PAGE = "PAGE"


class VideoKind(StrEnum):
    REEL = "reel"
    VIDEO = "video"


class VideoState(StrEnum):
    UPLOADING = "uploading"
    UPLOADED = "uploaded"
    SCHEDULED = "scheduled"
    PUBLISHED = "published"
    DRAFT = "draft"
    DELETED = "deleted"


class ContainerStatus(StrEnum):
    """``status_code`` of an Instagram container."""

    IN_PROGRESS = "IN_PROGRESS"
    FINISHED = "FINISHED"
    ERROR = "ERROR"
    EXPIRED = "EXPIRED"
    PUBLISHED = "PUBLISHED"


@dataclass
class Token:
    token: str
    kind: TokenKind
    user_id: str
    scopes: list[str]
    issued_at: float
    expires_at: float
    """0: never (a Page token from a long-lived user token)."""
    page_id: str | None = None
    parent: str | None = None
    """The user token a Page token came from: revoking or expiring that one ends this one."""
    long_lived: bool = False
    revoked: bool = False


@dataclass
class LoginCode:
    code: str
    client_id: str
    redirect_uri: str
    scopes: list[str]
    expires_at: float


@dataclass
class Page:
    id: str
    name: str
    category: str
    ig_user_id: str | None
    followers: str | None
    """A ``START:COUNT,END:COUNT`` history of the Page's followers, or None (none)."""


@dataclass
class IgAccount:
    id: str
    username: str
    name: str
    page_id: str
    followers: str | None


@dataclass
class Upload:
    """Bytes received for a video, a session or a container, and what they turned out to be."""

    file_size: int | None = None
    bytes_received: int = 0
    sha256: str = EMPTY_SHA256
    """Of the bytes received so far."""
    brand: str | None = None
    width: int | None = None
    height: int | None = None
    duration: float | None = None
    is_mp4: bool | None = None
    """Known once the last byte arrived."""

    @property
    def complete(self) -> bool:
        return self.file_size is not None and self.bytes_received == self.file_size

    def facts(self) -> Mp4Facts | None:
        """What the whole file turned out to be (None: not an MP4, or not whole yet)."""
        if not self.complete or not self.is_mp4 or self.brand is None:
            return None
        return Mp4Facts(self.brand, self.width, self.height, self.duration)


@dataclass
class Video:
    """A Reel or a Page video (``kind``), from its upload to its deletion."""

    id: str
    page_id: str
    kind: VideoKind
    state: VideoState
    created_at: float
    upload: Upload = field(default_factory=Upload)
    title: str = ""
    description: str = ""
    scheduled_at: float | None = None
    published_at: float | None = None
    counted_at: float | None = None
    """When it was published or scheduled through the API: what the 30-a-day limit counts."""
    deleted_at: float | None = None


@dataclass
class UploadSession:
    """A Resumable Upload API session (``upload:…``); its handle once the file is whole."""

    id: str
    file_name: str
    file_type: str
    user_id: str
    created_at: float
    upload: Upload = field(default_factory=Upload)
    handle: str | None = None


@dataclass
class Container:
    id: str
    ig_user_id: str
    media_type: str
    caption: str
    created_at: float
    upload: Upload = field(default_factory=Upload)
    uploaded_at: float | None = None
    polls: int = 0
    """Status reads since the upload ended (processing ends after a few)."""
    error: str | None = None
    media_id: str | None = None

    def status(self, now: float) -> ContainerStatus:
        """``status_code``: published, expired after 24 hours, in progress while uploading and for
        a few seconds (or status reads) after, then failed or finished."""
        if self.media_id:
            return ContainerStatus.PUBLISHED
        if now - self.created_at > CONTAINER_LIFETIME.total_seconds():
            return ContainerStatus.EXPIRED
        if not self.upload.complete or self.uploaded_at is None:
            return ContainerStatus.IN_PROGRESS
        if self.error:
            return ContainerStatus.ERROR
        if self.polls >= PROCESSING_POLLS or now - self.uploaded_at >= PROCESSING_SECONDS:
            return ContainerStatus.FINISHED
        return ContainerStatus.IN_PROGRESS


@dataclass
class IgMedia:
    id: str
    ig_user_id: str
    container_id: str
    caption: str
    media_type: str
    published_at: float
    shortcode: str


@dataclass
class MetaState:
    user_id: str
    user_name: str
    pages: dict[str, Page] = field(default_factory=dict)
    ig_accounts: dict[str, IgAccount] = field(default_factory=dict)
    tokens: dict[str, Token] = field(default_factory=dict)
    codes: dict[str, LoginCode] = field(default_factory=dict)
    videos: dict[str, Video] = field(default_factory=dict)
    sessions: dict[str, UploadSession] = field(default_factory=dict)
    containers: dict[str, Container] = field(default_factory=dict)
    media: dict[str, IgMedia] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MetaState:
        return cls(
            user_id=data["user_id"],
            user_name=data["user_name"],
            pages=_records(Page, data.get("pages")),
            ig_accounts=_records(IgAccount, data.get("ig_accounts")),
            tokens=_records(Token, data.get("tokens")),
            codes=_records(LoginCode, data.get("codes")),
            videos=_records(Video, data.get("videos")),
            sessions=_records(UploadSession, data.get("sessions")),
            containers=_records(Container, data.get("containers")),
            media=_records(IgMedia, data.get("media")),
        )

    def forget_content(self) -> None:
        """Drop videos, sessions, containers and media (``/_sandbox/reset``); keep Pages and tokens."""
        self.videos.clear()
        self.sessions.clear()
        self.containers.clear()
        self.media.clear()


R = TypeVar("R")


def _records(kind: type[R], items: dict[str, Any] | None) -> dict[str, R]:
    return {key: _record(kind, value) for key, value in (items or {}).items()}


def _record(kind: type[R], data: dict[str, Any]) -> R:
    values = dict(data)
    for f in fields(kind):  # type: ignore[arg-type]
        if f.name == "upload" and isinstance(values.get("upload"), dict):
            values["upload"] = Upload(**values["upload"])
        elif f.name == "kind" and kind is Token:
            values["kind"] = TokenKind(values["kind"])
        elif f.name == "kind" and kind is Video:
            values["kind"] = VideoKind(values["kind"])
        elif f.name == "state":
            values["state"] = VideoState(values["state"])
    return kind(**values)
