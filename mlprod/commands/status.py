from __future__ import annotations

import datetime as dt

import click

from mlprod.clock import paris_today
from mlprod.commands.common import App, echo_json, pass_app
from mlprod.jobs.status import RecipeStatus, workspace_status


def _line(entry: RecipeStatus, now: dt.datetime) -> str:
    parts = []
    if entry.builds:
        parts.append("built " + ", ".join(b.format for b in entry.builds))
    if entry.upload:
        done, total = entry.upload
        parts.append(f"upload stopped at {done / total:.0%} (run `mlprod publish` to resume)")
    if entry.youtube_id and entry.incomplete:
        parts.append(f"uploaded, not visible yet: {', '.join(entry.missing)} missing"
                     " (run `mlprod publish` to finish it)")
        parts.append(entry.url or "")
    elif entry.youtube_id:
        if entry.scheduled(now) and entry.publish_at:
            parts.append(f"scheduled for {entry.publish_at:%Y-%m-%d %H:%M} UTC")
        else:
            parts.append(f"published ({entry.privacy_now(now)})")
        if entry.missing:
            parts.append(f"{', '.join(entry.missing)} not done yet (run `mlprod publish` to finish)")
        parts.append(entry.url or "")
    elif not entry.upload:
        parts.append("not published")
    if entry.expired_at:
        parts.append(f"offer closed, unlisted on {entry.expired_at:%Y-%m-%d}")
    elif entry.closed(paris_today(now)):
        parts.append(f"offer closed on {entry.offer_closes} — run `mlprod expire`")
    elif entry.offer_closes:
        parts.append(f"offer closes {entry.offer_closes}")
    if entry.problem:
        parts.append(entry.problem)
    title = f" — {entry.title}" if entry.title else ""
    return f"{entry.recipe}{title}\n    " + "; ".join(p for p in parts if p)


@click.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list, one object per recipe.")
@pass_app
def status_command(app: App, as_json: bool) -> None:
    """Show what is built, published, scheduled and expiring, recipe by recipe.

    Reads the database only: no network, no quota.

    Example: mlprod status --json
    """
    now = dt.datetime.now(dt.UTC)
    entries = workspace_status(app.settings, app.db)
    if as_json:
        echo_json([e.to_json(now) for e in entries])
        return
    if not entries:
        click.echo("No recipe yet: write one in recipes/, then `mlprod build` and `mlprod publish`.")
    for entry in entries:
        click.echo(_line(entry, now))
