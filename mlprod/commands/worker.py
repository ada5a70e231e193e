from __future__ import annotations

from pathlib import Path

import click

from mlprod.cluster.worker import WorkerOptions, run_worker
from mlprod.commands.common import App, pass_app
from mlprod.config import Settings, find_workspace
from mlprod.errors import ConfigError


def _workspace_settings(app: App) -> Settings | None:
    """The workspace's settings when there is one: a render machine may have none."""
    try:
        find_workspace(app.workspace)
    except ConfigError:
        return None
    return app.settings  # a workspace whose mlprod.toml is wrong says so


@click.command("worker")
@click.option("--queue", envvar="MLPROD_RENDER_QUEUE", metavar="URL",
              help="The Redis broker (default: render.queue of the workspace).")
@click.option("--shared", envvar="MLPROD_RENDER_SHARED", metavar="FOLDER|s3://…",
              help="Where the shared storage is on this machine (default: render.shared).")
@click.option("-c", "--concurrency", type=int, help="Pieces rendered at once (default: one per core).")
@click.option("-n", "--name", help="This worker's name in messages (default: mlprod@<host name>).")
@click.option("--scratch", type=click.Path(path_type=Path),
              help="A local folder for temporary files (default: the system's temporary folder).")
@pass_app
def worker_command(app: App, queue: str | None, shared: str | None, concurrency: int | None,
                   name: str | None, scratch: Path | None) -> None:
    """Render pieces for the builds of every machine that sends them to the render queue.

    The queue (Redis) and the shared storage come from the workspace's mlprod.toml ([render] queue
    and shared), from MLPROD_RENDER_QUEUE and MLPROD_RENDER_SHARED, or from the options; a render
    machine needs no workspace. Every worker and builder must run the same mlprod and ffmpeg.
    Stop it with Ctrl-C: the pieces it is rendering finish first (a killed worker loses nothing:
    its pieces go to another worker).

    \b
    Examples:
      mlprod worker
      mlprod worker --queue redis://render.example.org:6379/0 --shared /mnt/mlprod -c 4
    """
    settings = _workspace_settings(app)
    if settings is not None:
        queue = queue or settings.render_queue
        shared = shared or settings.render_shared
    options = WorkerOptions.make(queue, shared, concurrency=concurrency, name=name, scratch=scratch,
                                 ffmpeg=settings.ffmpeg if settings is not None else None)
    run_worker(options, click.echo)
