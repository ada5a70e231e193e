"""Shared by the sites and regional report tests: a workspace of two Missions Locales (no tests here).

A :class:`Region` is one workspace declaring the sites ``salon`` and ``istres``, one database (the
``database_url`` fixture's: SQLite, and PostgreSQL when configured) and one sandbox channel per site,
each site signed in to its own through the real CLI. ``cli(site, …)`` runs the real command line
for a site, pointed at that site's channel.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner, Result

from mlprod.cli import cli
from mlprod.config import CONFIG_NAME, Settings, load_settings
from mlprod.sandbox import ChannelHistory, Sandbox
from mlprod.store import Database, open_database

SITES = {"salon": "Mission Locale du Pays Salonais", "istres": "Mission Locale Ouest Provence"}
HISTORIES = {"salon": "2020-03-16:600,2020-05-16:2300", "istres": "2020-03-16:150,2020-05-16:400"}


@dataclass
class Region:
    root: Path
    database_url: str
    sandboxes: dict[str, Sandbox]
    histories: dict[str, ChannelHistory]

    def cli(self, site: str | None, *args: str, **env: str) -> Result:
        """The real CLI for ``site`` (None: no --site), against that site's sandbox channel."""
        chosen = ["--site", site] if site else []
        sandbox = self.sandboxes.get(site or "")
        base = {"MLPROD_DATABASE_URL": self.database_url, "MLPROD_UPLOAD_CHUNK_SIZE": "262144"}
        if sandbox is not None:
            base["MLPROD_YOUTUBE_URL"] = sandbox.url
        return CliRunner().invoke(cli, ["-C", str(self.root), *chosen, *args], env={**base, **env},
                                  catch_exceptions=False)

    def ok(self, site: str | None, *args: str) -> Result:
        result = self.cli(site, *args)
        assert result.exit_code == 0, result.output
        return result

    def settings(self, site: str) -> Settings:
        return load_settings(self.root, {"MLPROD_DATABASE_URL": self.database_url}, site=site)

    @contextlib.contextmanager
    def database(self, site: str) -> Iterator[Database]:
        db = open_database(self.database_url, site)
        try:
            yield db
        finally:
            db.close()


def declare_sites(root: Path, sites: dict[str, str], extra: str = "") -> None:
    """Add ``[sites.<name>]`` tables to the workspace's mlprod.toml."""
    config = root / CONFIG_NAME
    tables = "".join(f'\n[sites.{name}]\nname = "{title}"\n' for name, title in sites.items())
    config.write_text(config.read_text(encoding="utf-8") + tables + extra, encoding="utf-8")
