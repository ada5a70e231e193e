from __future__ import annotations

from pathlib import Path

import click

from mlprod.commands.common import App, pass_app
from mlprod.workspace import init_workspace


@click.command("init")
@click.argument("directory", type=click.Path(path_type=Path), default=".")
@pass_app
def init_command(app: App, directory: Path) -> None:
    """Create a workspace in DIRECTORY (default: here).

    Writes mlprod.toml, recipes/, media/, output/ and the default brand under
    assets/brands/ml-prod/. Files already there are kept.

    Example: mlprod init chaine-ml-prod
    """
    if app.workspace is not None and not directory.is_absolute():
        directory = app.workspace / directory
    result = init_workspace(directory)
    root = result.settings.root
    if result.existed and not result.created:
        click.echo(f"{root} is already a workspace; nothing to do.")
        return
    click.echo(f"Workspace ready in {root}")
    for path in result.created:
        click.echo(f"  created {path.relative_to(root) if path != root else '.'}")
    click.echo("Next: put your clips in media/, write a recipe in recipes/, then `mlprod validate`.")
