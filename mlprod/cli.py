"""The command line: click wiring only. Each command lives in mlprod/commands/."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from mlprod import __version__
from mlprod.commands.auth import auth_group
from mlprod.commands.build import build_command
from mlprod.commands.common import App
from mlprod.commands.demo import demo_command
from mlprod.commands.expire import expire_command
from mlprod.commands.init import init_command
from mlprod.commands.intake import intake_group
from mlprod.commands.publish import publish_command
from mlprod.commands.report import report_command
from mlprod.commands.sandbox import sandbox_group
from mlprod.commands.stats import stats_group
from mlprod.commands.status import status_command
from mlprod.commands.validate import validate_command
from mlprod.errors import MlprodError


class MlprodGroup(click.Group):
    """Turns our errors into one clear paragraph on stderr and a non-zero exit: the one place."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except MlprodError as err:
            click.echo(f"Error: {err}", err=True)
            ctx.exit(err.exit_code)
        except KeyboardInterrupt:
            click.echo("Interrupted: nothing half-written was kept.", err=True)
            ctx.exit(130)
        finally:
            if isinstance(ctx.obj, App):
                ctx.obj.close()


@click.group(cls=MlprodGroup)
@click.version_option(__version__, prog_name="mlprod")
@click.option("-C", "--workspace", type=click.Path(path_type=Path), envvar="MLPROD_WORKSPACE",
              help="Run as if started in this folder (default: the current folder).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bars.")
@click.option("-v", "--verbose", is_flag=True, help="Log every command mlprod runs.")
@click.pass_context
def cli(ctx: click.Context, workspace: Path | None, quiet: bool, verbose: bool) -> None:
    """mlprod: from recipes to the ML Prod YouTube channel.

    Write a recipe (YAML) for each video in recipes/, check it with `mlprod validate`,
    render it with `mlprod build`, put it online with `mlprod publish`.
    """
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING, format="%(message)s")
    ctx.obj = App(workspace=workspace, quiet=quiet)


COMMANDS = (
    init_command, validate_command, build_command, demo_command,
    auth_group, publish_command, status_command, expire_command,
    stats_group, report_command, intake_group, sandbox_group,
)
for command in COMMANDS:
    cli.add_command(command)


def main() -> None:
    cli(prog_name="mlprod")
