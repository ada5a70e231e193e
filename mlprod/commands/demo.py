from __future__ import annotations

from pathlib import Path

import click

from mlprod.demo import run_demo


@click.command("demo")
@click.argument("directory", type=click.Path(path_type=Path), required=False)
def demo_command(directory: Path | None) -> None:
    """Run the whole job on generated sample media, with nothing to set up.

    Creates a workspace in DIRECTORY (default: a new temporary folder), generates sample clips
    with ffmpeg, writes and validates the example recipes, renders them, publishes them to a local
    YouTube sandbox, takes an employer's offer through the web page, syncs the channel's figures
    and writes the directors' report.

    Example: mlprod demo /tmp/essai
    """
    result = run_demo(directory, click.echo)
    click.echo(f"\nDone. Everything is in {result.root}")
    if result.report:
        click.echo(f"  report:  {result.report}")
    if result.sandbox_state:
        click.echo(f"  channel: mlprod sandbox serve --state {result.sandbox_state}"
                   "  (then open /_sandbox/state)")
