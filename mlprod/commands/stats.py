from __future__ import annotations

import click

from mlprod.commands.common import App, echo_json, pass_app
from mlprod.errors import MlprodError
from mlprod.jobs.audience import AudienceResult, sync_audiences
from mlprod.jobs.stats import SyncResult, sync_stats
from mlprod.progress import ProgressBar
from mlprod.states import PlatformName


@click.group("stats")
def stats_group() -> None:
    """The channel's statistics: pull them from YouTube into the database.

    Then `mlprod report` writes the growth report from them.
    """


def _summary(result: SyncResult) -> list[str]:
    lines = [f"Channel {result.channel_title} ({result.channel_id}): {result.videos_known:,} videos known."]
    if result.synced_through is None:
        lines.append("YouTube has not delivered any day of statistics yet: run `mlprod stats sync` again"
                     " in a few days.")
        return lines
    if result.first_day and result.days_stored:
        lines.append(f"Stored {result.days_stored:,} days ({result.first_day} to {result.synced_through})"
                     f" and {result.video_rows:,} video-days.")
    else:
        lines.append("Nothing new: YouTube has not delivered more days yet.")
    lines.append(f"Figures are complete through {result.synced_through} (YouTube delivers each day two or"
                 " three days later).")
    if result.subscribers is not None:
        shown = "" if result.youtube_count is None else f"; YouTube shows {result.youtube_count:,} (rounded)"
        margin = f" (exact to within {result.subscribers_margin})" if result.subscribers_margin else ""
        lines.append(f"Subscribers at the end of {result.synced_through}: {result.subscribers:,}{margin}"
                     f"{shown}.")
    lines.append(f"Quota spent: {result.quota_units} units. Next: `mlprod report -o rapport.html`.")
    return lines


def _audience_line(result: AudienceResult) -> str:
    label = result.platform.value.capitalize()
    if result.problem:
        return f"{label}: not synced — {result.problem}"
    followers = "hidden" if result.followers is None else f"{result.followers:,}"
    return (f"{label}: {followers} followers on {result.day}; {result.views:,} views in all on"
            f" {result.posts} posts.")


@stats_group.command("sync")
@click.option("--full", is_flag=True, help="Read every day again, from the channel's creation.")
@click.option("--platform", "platforms", multiple=True,
              type=click.Choice(["youtube", "facebook", "instagram"]),
              help="Only these platforms (repeat it); default: YouTube, and every other platform mlprod"
              " published on.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@pass_app
def sync_command(app: App, full: bool, platforms: tuple[str, ...], as_json: bool) -> None:
    """Pull channel and video statistics since the last sync into the database.

    The first run reads the channel's whole history, by chunks of a month; each chunk is saved
    as it comes, so an interrupted sync carries on where it stopped. Running it twice stores each
    day once; the last days, which YouTube delivers late, are completed by the next run.
    Facebook and Instagram: the followers today and each post's views so far.

    Examples: mlprod stats sync
              mlprod stats sync --platform facebook --platform instagram
    """
    others = [PlatformName(p) for p in platforms if p != "youtube"] if platforms else None
    audiences = sync_audiences(app.settings, app.db, others)
    result, youtube_problem = None, None
    if not platforms or "youtube" in platforms:
        try:
            with ProgressBar("Syncing statistics", unit="days", enabled=app.show_progress) as bar:
                result = sync_stats(app.settings, app.db, progress=bar.update, full=full)
        except MlprodError as err:
            if not audiences:
                raise
            youtube_problem = str(err)  # the other platforms' figures are kept: say so, then fail
    if as_json:
        data = result.to_json() if result is not None else {}
        echo_json({**data, "platforms": [a.to_json() for a in audiences]} if audiences or not data else data)
    else:
        for line in _summary(result) if result is not None else []:
            click.echo(line)
        for audience in audiences:
            click.echo(_audience_line(audience))
    for warning in result.warnings if result is not None else []:
        click.echo(f"Note: {warning}", err=True)
    if youtube_problem:
        click.echo(f"YouTube: not synced — {youtube_problem}", err=True)
    if youtube_problem or any(a.problem for a in audiences):
        raise click.exceptions.Exit(1)
