"""Fixtures for the publish, expire and status tests: a sandbox the workspace is signed in to.

Listed once in conftest.py's ``pytest_plugins``; plain helpers are in publish_helpers.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from publish_helpers import CHUNK, Channel

from mlprod.config import Settings
from mlprod.sandbox import Sandbox, SandboxConfig
from mlprod.sandbox.faults import parse_faults

ChannelFactory = Callable[..., Channel]


@pytest.fixture
def channel_factory(workspace: Settings) -> Iterator[ChannelFactory]:
    """start(faults="503@2", **SandboxConfig fields) → a sandbox the workspace is signed in to."""
    started: list[Sandbox] = []

    def start(faults: str = "", **fields: Any) -> Channel:
        sandbox = Sandbox(SandboxConfig(faults=parse_faults(faults), **fields))
        sandbox.start()
        started.append(sandbox)
        env = {"MLPROD_YOUTUBE_URL": sandbox.url, "MLPROD_UPLOAD_CHUNK_SIZE": str(CHUNK)}
        settings = workspace.with_overrides(youtube_url=sandbox.url, upload_chunk_size=CHUNK)
        channel = Channel(sandbox, settings, env)
        login = channel.cli("auth", "login")
        assert login.exit_code == 0, login.output
        return channel

    yield start
    for sandbox in started:
        sandbox.stop()


@pytest.fixture
def channel(channel_factory: ChannelFactory) -> Channel:
    return channel_factory()
