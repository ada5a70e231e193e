from __future__ import annotations

import datetime as dt

import click

from mlprod.clock import paris_today
from mlprod.commands.common import App, echo_json, pass_app
from mlprod.jobs.status import PlatformState, RecipeStatus, workspace_status
from mlprod.states import PlatformName

TAKEN_DOWN = ("expired", "remove_by_hand")


def _offer(entry: RecipeStatus, today: dt.date) -> str | None:
    if not entry.offer_closes:
        return None
    if entry.offer_closes >= today:
        return f"offer closes {entry.offer_closes}"
    online = [p for p in entry.publications if p.expired_at is None and p.state.value not in TAKEN_DOWN]
    if online:
        return f"offer closed on {entry.offer_closes} — run `mlprod expire`"
    return f"offer closed on {entry.offer_closes}"


def _line(entry: RecipeStatus, lines: list[PlatformState], now: dt.datetime) -> str:
    parts = []
    if entry.builds:
        parts.append("built " + ", ".join(b.format for b in entry.builds))
    offer = _offer(entry, paris_today(now))
    if offer:
        parts.append(offer)
    if entry.problem:
        parts.append(entry.problem)
    title = f" — {entry.title}" if entry.title else ""
    text = f"{entry.recipe}{title}"
    if parts:
        text += "\n    " + "; ".join(parts)
    for line in lines:
        text += f"\n    {line.platform.label}: {line.text}" + (f"\n      {line.url}" if line.url else "")
    return text


@click.command("status")
@click.option("--platform", type=click.Choice([p.value for p in PlatformName]),
              help="Only this platform: the recipes it holds or that name it, and where they stand there.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list, one object per recipe.")
@pass_app
def status_command(app: App, platform: str | None, as_json: bool) -> None:
    """Show what is built, published, scheduled and expiring, recipe by recipe and platform by platform.

    Each platform a recipe names (publish.platforms, else mlprod.toml's) or is published on gets a
    line: its state there (published, scheduled, not visible yet and what is missing, waiting,
    taken down…) and its link. Reads the database and the recipes only: no network, no quota.

    Example: mlprod status --platform discord
    """
    now = dt.datetime.now(dt.UTC)
    only = PlatformName(platform) if platform else None
    entries = workspace_status(app.settings, app.db)
    shown = []
    for entry in entries:
        lines = [line for line in entry.platform_states(now) if only is None or line.platform is only]
        if only is None or lines:
            shown.append((entry, lines))
    if as_json:
        echo_json([e.to_json(now) | ({"platforms": [line.to_json() for line in lines]} if only else {})
                   for e, lines in shown])
        return
    if not entries:
        click.echo("No recipe yet: write one in recipes/, then `mlprod build` and `mlprod publish`.")
    elif not shown:
        click.echo(f"No recipe names {only.value if only else ''} or is published there.")
    for entry, lines in shown:
        click.echo(_line(entry, lines, now))
