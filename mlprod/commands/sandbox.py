from __future__ import annotations

from pathlib import Path

import click

from mlprod.sandbox import SandboxConfig, serve
from mlprod.sandbox.costs import COST_TABLES, DAILY_QUOTA
from mlprod.sandbox.history import PRE_HISTORY_DAYS

FAULTS_HELP = (
    "Break things on purpose, comma-separated. YouTube: 503@N, reset@N, expire@N (the Nth upload "
    "chunk), quota (videos.insert refused). Facebook: fb503@N, fbreset@N (the Nth upload request). "
    "Instagram: ig503@N, igreset@N (the Nth upload request), igerror@N (the Nth container fails). "
    "Graph: graph4@N (the Nth call hits the app rate limit). Discord: discord429@N, discord503@N "
    "(the Nth webhook request)."
)


@click.group("sandbox")
def sandbox_group() -> None:
    """The local YouTube, Facebook, Instagram and Discord servers, for rehearsals, tests and the demo."""


@sandbox_group.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", "-p", type=int, default=8090, show_default=True, help="0 picks a free port.")
@click.option("--state", type=click.Path(dir_okay=False, path_type=Path),
              help="Keep the channel, Pages and webhooks in this JSON file between restarts.")
@click.option("--faults", metavar="SPEC", help=FAULTS_HELP)
@click.option("--throttle-kbps", type=int, metavar="N", help="Read uploads at most N kilobits/s.")
@click.option("--history", metavar="START:COUNT,END:COUNT",
              help="A channel whose subscribers grew between two dates, e.g. 2020-03-16:600,2020-05-16:2300"
                   f" (created with none {PRE_HISTORY_DAYS} days before the first); the Facebook Page and"
                   " the Instagram account follow it (x1.4 and x0.9 followers).")
@click.option("--quota", type=int, default=DAILY_QUOTA, show_default=True, help="Daily quota units.")
@click.option("--costs", type=click.Choice(sorted(COST_TABLES)), default="2026", show_default=True,
              help="Quota cost table: 2026 (videos.insert 100) or legacy (1600).")
def serve_command(host: str, port: int, state: Path | None, faults: str | None, throttle_kbps: int | None,
                  history: str | None, quota: int, costs: str) -> None:
    """Serve the platform sandboxes on loopback until Ctrl-C, all on one port.

    YouTube: point mlprod at it with MLPROD_YOUTUBE_URL (or youtube.url in mlprod.toml), then
    `mlprod auth login` and `mlprod publish` as with the real channel. Facebook and Instagram: the
    Graph API is at URL/graph/v21.0. Discord: create a webhook with
    `curl -X POST URL/_sandbox/discord/webhooks` and use the url it gives.
    Everything the sandboxes hold: URL/_sandbox/state.

    Example: mlprod sandbox serve --port 8090 --faults 503@2,fbreset@1,discord429@1 --state bac.json
    """
    config = SandboxConfig.from_options(host=host, port=port, state=state, faults=faults,
                                        throttle_kbps=throttle_kbps, history=history, quota=quota,
                                        costs=costs)

    def ready(url: str) -> None:
        click.echo(f"Sandbox listening on {url}")
        click.echo(f"  YouTube:   export MLPROD_YOUTUBE_URL={url}")
        click.echo(f"  Graph API: {url}/graph/v21.0   (Facebook Page and Instagram account)")
        click.echo(f"  Discord:   curl -X POST {url}/_sandbox/discord/webhooks   (a new webhook URL)")
        click.echo(f"  state:     {url}/_sandbox/state   (Ctrl-C to stop)")

    serve(config, on_ready=ready)
