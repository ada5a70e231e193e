"""Fixtures for the reach tests (Discord, Shorts, platforms in recipes): a sandbox the workspace is
signed in to, with a Discord webhook added through `mlprod discord add-webhook`.

Listed once in conftest.py's ``pytest_plugins``; plain helpers are in reach_helpers.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from publish_helpers import Channel

from mlprod.sandbox.testing import discord_webhook


@pytest.fixture
def webhook(channel: Channel) -> dict[str, Any]:
    """The sandbox's webhook ``{"id", "token", "url", "name", "channel_id"}``, added to the workspace."""
    hook = discord_webhook(channel.sandbox.url, "annonces")
    added = channel.cli("discord", "add-webhook", hook["url"])
    assert added.exit_code == 0, added.output
    return hook
