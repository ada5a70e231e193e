"""What every command shares: the lazily loaded settings and database (bound to the site the
command works for), JSON output."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from mlprod.config import Settings, load_settings
from mlprod.recipe.arguments import expand_recipe_arguments
from mlprod.store import Database, open_database


@dataclass
class App:
    """The click context object: settings and database are opened on first use."""

    workspace: Path | None = None
    quiet: bool = False
    site: str | None = None
    """``--site``: the site the command works for (None: MLPROD_SITE, mlprod.toml, the default)."""
    _settings: Settings | None = field(default=None, repr=False)
    _db: Database | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.workspace, site=self.site)
        return self._settings

    @property
    def db(self) -> Database:
        """The database as the command's site sees it: its own records only."""
        if self._db is None:
            self._db = open_database(self.settings.database_url, self.settings.site)
        return self._db

    def every_site(self) -> Database:
        """The database over every site, read-only: for `mlprod report --network` alone."""
        if self._db is not None and self._db.site is not None:
            self._db.close()
            self._db = None
        if self._db is None:
            self._db = open_database(self.settings.database_url, every_site=True)
        return self._db

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    @property
    def show_progress(self) -> bool:
        return not self.quiet and sys.stderr.isatty()

    @property
    def base(self) -> Path:
        """Where relative paths on the command line start: the -C folder, else the current one."""
        return (self.workspace or Path.cwd()).resolve()

    def recipes(self, arguments: tuple[str, ...]) -> list[Path]:
        """RECIPE arguments (files, folders, quoted patterns) as recipe files, by the one rule of
        :mod:`mlprod.recipe.arguments`; none may be in another site's folder."""
        found = expand_recipe_arguments(arguments, self.base)
        for path in found:
            self.settings.check_own_file(path, "recipe")
        return found


pass_app = click.make_pass_decorator(App)


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
