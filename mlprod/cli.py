"""The command line: click wiring only. Each command lives in mlprod/commands/."""

from __future__ import annotations

import importlib
import logging
from pathlib import Path

import click

from mlprod import __version__
from mlprod.commands.common import App
from mlprod.errors import MlprodError

# command name → "module:object"; imported only when used, so that `mlprod build` on an unchanged
# recipe does not pay for importing the Google client, the web server and moviepy
COMMANDS = {
    "init": "init:init_command",
    "validate": "validate:validate_command",
    "build": "build:build_command",
    "cache": "cache:cache_command",
    "publish": "publish:publish_command",
    "status": "status:status_command",
    "auth": "auth:auth_group",
    "stats": "stats:stats_group",
    "report": "report:report_command",
    "videos": "videos:videos_group",
    "expire": "expire:expire_command",
    "intake": "intake:intake_group",
    "sandbox": "sandbox:sandbox_group",
    "demo": "demo:demo_command",
    "db": "db:db_group",
    "worker": "worker:worker_command",
    "discord": "discord:discord_group",
}


class MlprodGroup(click.Group):
    """Turns our errors into one clear paragraph on stderr and a non-zero exit: the one place.

    Commands are loaded lazily from mlprod/commands/ (see COMMANDS).
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *super().list_commands(ctx)})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return super().get_command(ctx, cmd_name)
        module, name = COMMANDS[cmd_name].split(":")
        command = getattr(importlib.import_module(f"mlprod.commands.{module}"), name)
        assert isinstance(command, click.Command)
        return command

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
@click.option("--site", metavar="NAME",
              help="In a regional installation, the Mission Locale to work for (a [sites.NAME] of"
                   " mlprod.toml; default: MLPROD_SITE, else the workspace's site setting).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bars.")
@click.option("-v", "--verbose", is_flag=True, help="Log every command mlprod runs.")
@click.pass_context
def cli(ctx: click.Context, workspace: Path | None, site: str | None, quiet: bool, verbose: bool) -> None:
    """mlprod: from recipes to the ML Prod YouTube channel.

    Write a recipe (YAML) for each video in recipes/, check it with `mlprod validate`,
    render it with `mlprod build`, put it online with `mlprod publish`.

    In a regional installation each command works for one site: mlprod --site salon build …
    """
    setup_logging(verbose)
    ctx.obj = App(workspace=workspace, quiet=quiet, site=site)


class _Terminal(logging.StreamHandler):
    """mlprod's one log handler on stderr (told apart from handlers others put on the root)."""


def setup_logging(verbose: bool) -> None:
    """``-v`` shows mlprod's own commands and decisions (the ``mlprod.*`` loggers at DEBUG).

    Other libraries (Alembic, Pillow, urllib3, googleapiclient…) keep their debug chatter to
    themselves: with ``-v`` their warnings show; without it only their errors do, since what a
    user must know of them (a 403 quotaExceeded, a retry) reaches the user as our own message.
    Python warnings go the same way (``py.warnings``).
    """
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _Terminal)]:
        root.removeHandler(handler)  # a second invocation in the same process (tests) replaces it
    handler = _Terminal()  # sys.stderr as it is now
    handler.setFormatter(logging.Formatter("%(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.WARNING if verbose else logging.ERROR)
    logging.getLogger("mlprod").setLevel(logging.DEBUG if verbose else logging.WARNING)
    logging.captureWarnings(True)


def main() -> None:
    cli(prog_name="mlprod")
