"""Shared by the reach tests: what the sandbox's Discord holds."""

from __future__ import annotations

from typing import Any

from publish_helpers import Channel


def messages(channel: Channel, *, deleted: bool = False) -> list[dict[str, Any]]:
    """The Discord messages the sandbox holds (those not deleted, unless ``deleted``)."""
    return [m for m in channel.state()["discord"]["messages"] if deleted or not m["deleted"]]


def discord_requests(channel: Channel) -> int:
    return int(channel.state()["discord"]["requests"])
