"""What the Discord sandbox holds: webhooks and the messages sent through them (attachments by
name, size and sha256; their bytes are not kept), in the ``discord`` section of the state file.
"""

from __future__ import annotations

import threading
import time
from dataclasses import asdict, dataclass, field
from typing import Any

DISCORD_EPOCH_MS = 1_420_070_400_000


class Snowflakes:
    """Discord-style ids: milliseconds since 2015 shifted left 22 bits, plus a counter."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counter = 0

    def next(self, at: float | None = None) -> str:
        with self._lock:
            self._counter = (self._counter + 1) % 4096
            millis = int((time.time() if at is None else at) * 1000) - DISCORD_EPOCH_MS
            return str((millis << 22) | (1 << 17) | self._counter)


@dataclass
class Webhook:
    id: str
    token: str
    name: str
    channel_id: str
    guild_id: str
    created_at: float
    deleted: bool = False


@dataclass
class Attachment:
    id: str
    filename: str
    size: int
    content_type: str
    sha256: str
    description: str | None = None


@dataclass
class Message:
    id: str
    webhook_id: str
    channel_id: str
    content: str
    embeds: list[dict[str, Any]]
    attachments: list[Attachment]
    username: str
    avatar_url: str | None
    tts: bool
    flags: int
    timestamp: float
    edited_at: float | None = None
    deleted: bool = False


@dataclass
class DiscordState:
    webhooks: dict[str, Webhook] = field(default_factory=dict)
    messages: dict[str, Message] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> DiscordState:
        data = data or {}
        messages = {}
        for key, value in (data.get("messages") or {}).items():
            attachments = [Attachment(**a) for a in value.get("attachments", [])]
            messages[key] = Message(**{**value, "attachments": attachments})
        return cls(
            webhooks={k: Webhook(**v) for k, v in (data.get("webhooks") or {}).items()},
            messages=messages,
        )
