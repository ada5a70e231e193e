"""Fixtures for tests that talk to the sandbox: through the real Google client for YouTube, raw
HTTP for Meta and Discord, and small real MP4s to upload.

Listed once in conftest.py's ``pytest_plugins``; helpers that are not fixtures live in
:mod:`mlprod.sandbox.testing`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from google.oauth2.credentials import Credentials

from mlprod.sandbox import Sandbox, SandboxConfig
from mlprod.sandbox.testing import make_mp4, sign_in
from mlprod.youtube.client import build_analytics, build_youtube

SandboxFactory = Callable[..., Sandbox]


@pytest.fixture
def sandbox_factory() -> Iterator[SandboxFactory]:
    """start(**SandboxConfig fields) → a running sandbox on a free port, stopped after the test."""
    started: list[Sandbox] = []

    def start(**fields: Any) -> Sandbox:
        sandbox = Sandbox(SandboxConfig(**fields))
        sandbox.start()
        started.append(sandbox)
        return sandbox

    yield start
    for sandbox in started:
        sandbox.stop()


@pytest.fixture
def sandbox(sandbox_factory: SandboxFactory) -> Sandbox:
    """A new channel: no history, no faults, the default quota."""
    return sandbox_factory()


@pytest.fixture
def credentials(sandbox: Sandbox) -> Credentials:
    """Signed in to ``sandbox`` with mlprod's scopes; the first call refreshes the token."""
    return sign_in(sandbox)


@pytest.fixture
def youtube(sandbox: Sandbox, credentials: Credentials) -> Any:
    return build_youtube(credentials, sandbox.url)


@pytest.fixture
def analytics(sandbox: Sandbox, credentials: Credentials) -> Any:
    return build_analytics(credentials, sandbox.url)


@pytest.fixture(scope="session")
def mp4_factory(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    """make(width, height, seconds) → a small real MP4, made once per session and size."""
    folder = tmp_path_factory.mktemp("mp4")

    def make(width: int = 540, height: int = 960, seconds: float = 4.0) -> Path:
        path = folder / f"{width}x{height}-{seconds}.mp4"
        return path if path.exists() else make_mp4(path, width, height, seconds)

    return make


@pytest.fixture(scope="session")
def reel_mp4(mp4_factory: Callable[..., Path]) -> bytes:
    """A valid Reel: 540×960, 4 seconds."""
    return mp4_factory().read_bytes()
