"""Fixtures for the Facebook and Instagram tests: a sandbox whose Page the workspace signed in to.

Listed once in conftest.py's ``pytest_plugins``; plain helpers are in meta_helpers.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from meta_helpers import PART, MetaPage

from mlprod.config import Settings
from mlprod.sandbox import Sandbox, SandboxConfig
from mlprod.sandbox.faults import parse_faults

MetaFactory = Callable[..., MetaPage]


@pytest.fixture
def meta_factory(workspace: Settings) -> Iterator[MetaFactory]:
    """start(faults="fbreset@2", login=True, **SandboxConfig fields) → a sandbox whose Page (and its
    Instagram account) the workspace is signed in to through `mlprod auth login --platform facebook`."""
    started: list[Sandbox] = []

    def start(faults: str = "", login: bool = True, **fields: Any) -> MetaPage:
        sandbox = Sandbox(SandboxConfig(faults=parse_faults(faults), **fields))
        sandbox.start()
        started.append(sandbox)
        env = {"MLPROD_GRAPH_URL": sandbox.url, "MLPROD_UPLOAD_CHUNK_SIZE": str(PART)}
        settings = workspace.with_overrides(graph_url=sandbox.url, upload_chunk_size=PART)
        page = MetaPage(sandbox, settings, env)
        if login:
            answer = page.cli("auth", "login", "--platform", "facebook")
            assert answer.exit_code == 0, answer.output
        return page

    yield start
    for sandbox in started:
        sandbox.stop()


@pytest.fixture
def meta(meta_factory: MetaFactory) -> MetaPage:
    return meta_factory()


@pytest.fixture(scope="session")
def vertical_clip(clip_factory: Callable[..., Path]) -> Path:
    """A 4-second 540×960 H.264 MP4 at 30 fps: a valid Reel."""
    return clip_factory("vertical.mp4", width=540, height=960, seconds=4.0)


@pytest.fixture(scope="session")
def landscape_clip(clip_factory: Callable[..., Path]) -> Path:
    """A 4-second 640×360 H.264 MP4: a Page video."""
    return clip_factory("landscape.mp4", width=640, height=360, seconds=4.0)
