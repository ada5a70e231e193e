from __future__ import annotations

from pathlib import Path

import click

from mlprod.sandbox import SandboxConfig, serve
from mlprod.sandbox.costs import COST_TABLES, DAILY_QUOTA
from mlprod.sandbox.history import PRE_HISTORY_DAYS


@click.group("sandbox")
def sandbox_group() -> None:
    """The local YouTube API server, for rehearsals, tests and the demo."""


@sandbox_group.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", "-p", type=int, default=8090, show_default=True, help="0 picks a free port.")
@click.option("--state", type=click.Path(dir_okay=False, path_type=Path),
              help="Keep the channel in this JSON file between restarts.")
@click.option("--faults", metavar="SPEC",
              help="Break uploads on purpose: 503@N, reset@N, expire@N (Nth chunk), quota.")
@click.option("--throttle-kbps", type=int, metavar="N", help="Read uploads at most N kilobits/s.")
@click.option("--history", metavar="START:COUNT,END:COUNT",
              help="A channel whose subscribers grew between two dates, e.g. 2020-03-16:600,2020-05-16:2300"
                   f" (created with none {PRE_HISTORY_DAYS} days before the first).")
@click.option("--quota", type=int, default=DAILY_QUOTA, show_default=True, help="Daily quota units.")
@click.option("--costs", type=click.Choice(sorted(COST_TABLES)), default="2026", show_default=True,
              help="Quota cost table: 2026 (videos.insert 100) or legacy (1600).")
def serve_command(host: str, port: int, state: Path | None, faults: str | None, throttle_kbps: int | None,
                  history: str | None, quota: int, costs: str) -> None:
    """Serve a YouTube API sandbox on loopback until Ctrl-C.

    Point mlprod at it with MLPROD_YOUTUBE_URL (or youtube.url in mlprod.toml), then
    `mlprod auth login` and `mlprod publish` as with the real channel.

    Example: mlprod sandbox serve --port 8090 --faults 503@2,reset@4 --state chaine.json
    """
    config = SandboxConfig.from_options(host=host, port=port, state=state, faults=faults,
                                        throttle_kbps=throttle_kbps, history=history, quota=quota,
                                        costs=costs)

    def ready(url: str) -> None:
        click.echo(f"YouTube sandbox listening on {url}")
        click.echo(f"  export MLPROD_YOUTUBE_URL={url}")
        click.echo(f"  state: {url}/_sandbox/state   (Ctrl-C to stop)")

    serve(config, on_ready=ready)
