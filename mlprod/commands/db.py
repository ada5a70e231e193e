"""`mlprod db …`: the database's safety."""

from __future__ import annotations

from pathlib import Path

import click

from mlprod.commands.common import App, pass_app
from mlprod.store.backup import backup_database


@click.group("db")
def db_group() -> None:
    """The workspace's database (builds, publications, figures, employers' offers)."""


@db_group.command("backup")
@click.argument("file", required=False, type=click.Path(path_type=Path))
@pass_app
def backup_command(app: App, file: Path | None) -> None:
    """Copy the SQLite database to FILE, consistently, even while mlprod runs.

    FILE may be a folder (a dated copy goes in it); by default the copy goes to .mlprod/backups/.
    The copy is checked before it is kept, and an existing FILE is never overwritten. Put copies
    somewhere else than this disk (a USB key, a shared drive), on a schedule.

    Example: mlprod db backup /media/cle-usb/
    """
    if file is not None and app.workspace is not None and not file.is_absolute():
        file = app.workspace / file
    result = backup_database(app.settings.database_url, file)
    click.echo(f"Database copied to {result.path} ({result.size_bytes / 1e6:,.1f} MB, checked).")
    click.echo(result.restore_hint)
