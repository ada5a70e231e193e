"""`mlprod videos …`: how the report sorts the channel's videos, and staff's word on one of them."""

from __future__ import annotations

import click

from mlprod.commands.common import App, echo_json, pass_app
from mlprod.intake.display import terminal_safe
from mlprod.jobs.videos import VideoEntry, list_videos, set_label
from mlprod.report import THEMES, Kind, Source

BY = {Source.STAFF: "staff", Source.MLPROD: "mlprod", Source.TITLE: "title", Source.NONE: "-"}


@click.group("videos")
def videos_group() -> None:
    """The channel's videos by kind and theme, as the report groups them.

    A video published by mlprod has its recipe's kind and its playlist as theme; the channel's
    other videos are sorted by their titles ("Préparer son entretien" is a tutorial on job
    interviews); staff can set any video's kind and theme by its id, which wins over both.

    Example: mlprod videos list, then mlprod videos set dQw4w9WgXcQ --kind tutorial --theme entretien
    """


def _line(entry: VideoEntry) -> str:
    day = entry.published_on.isoformat() if entry.published_on else "-"
    return terminal_safe(f"{entry.youtube_id:<12} {day:<10}  {entry.kind.value:<9}  "
                         f"{(entry.theme or '-')[:28]:<28}  {BY[entry.classified_by]:<6}  {entry.title}")


@videos_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--other", "only_other", is_flag=True, help="Only the videos nothing classifies yet.")
@pass_app
def list_command(app: App, as_json: bool, only_other: bool) -> None:
    """List the videos the database knows, newest first: id, date, kind, theme, who decided, title.

    Example: mlprod videos list --other
    """
    entries = [e for e in list_videos(app.db) if not only_other or e.kind is Kind.OTHER]
    if as_json:
        echo_json([e.as_dict() for e in entries])
        return
    if entries:
        click.echo(f"{'VIDEO':<12} {'PUBLISHED':<10}  {'KIND':<9}  {'THEME':<28}  {'BY':<6}  TITLE")
    for entry in entries:
        click.echo(_line(entry))
    if not entries:
        click.echo("No video to list." if only_other else
                   "No video yet: run `mlprod stats sync` (the channel's videos) or `mlprod publish`.")


@videos_group.command("set")
@click.argument("video_id")
@click.option("--kind", type=click.Choice([k.value for k in Kind]), help="tutorial, job_offer or other.")
@click.option("--theme", help="A theme key (" + ", ".join(t.key for t in THEMES) + ") or a theme's name in"
                              " quotes.")
@click.option("--clear", is_flag=True, help="Forget staff's label: the title and mlprod's records decide.")
@pass_app
def set_command(app: App, video_id: str, kind: str | None, theme: str | None, clear: bool) -> None:
    """Set VIDEO_ID's kind and/or theme in the report (what is not given is kept).

    Example: mlprod videos set dQw4w9WgXcQ --kind tutorial --theme entretien
    """
    entry = set_label(app.db, video_id, kind=Kind(kind) if kind else None, theme=theme, clear=clear)
    what = f"{entry.kind.value}" + (f", theme {entry.theme}" if entry.theme else "")
    click.echo(terminal_safe(f"{entry.youtube_id} ({entry.title}): {what}"
                             + (" — as the title and mlprod's records say" if clear else "")))
