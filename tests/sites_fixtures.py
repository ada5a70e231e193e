"""Fixtures for the sites tests: two Missions Locales in one workspace and one database.

Listed once in conftest.py's ``pytest_plugins``; the plain helpers are in sites_helpers.py.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sites_helpers import HISTORIES, SITES, Region, declare_sites

from mlprod.config import Settings
from mlprod.sandbox import Sandbox, SandboxConfig, channel_history, parse_history


@pytest.fixture
def region(workspace: Settings, database_url: str) -> Iterator[Region]:
    """salon and istres, each signed in (through the CLI) to its own sandbox channel and synced."""
    declare_sites(workspace.root, SITES)
    sandboxes: dict[str, Sandbox] = {}
    try:
        for site, spec in HISTORIES.items():
            sandboxes[site] = Sandbox(SandboxConfig(history=parse_history(spec)))
            sandboxes[site].start()
        histories = {site: channel_history(parse_history(spec)) for site, spec in HISTORIES.items()}
        region = Region(workspace.root, database_url, sandboxes, histories)
        for site in SITES:
            region.ok(site, "auth", "login")
            region.ok(site, "stats", "sync")
        yield region
    finally:
        for sandbox in sandboxes.values():
            sandbox.stop()
