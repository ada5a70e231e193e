from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from mlprod.commands.common import App, pass_app
from mlprod.jobs.report import write_report

DAY = click.DateTime(formats=["%Y-%m-%d"])


def _day(value: dt.datetime | None) -> dt.date | None:
    return value.date() if value is not None else None


@click.command("report")
@click.option("--from", "start", type=DAY, help="First day (YYYY-MM-DD); default: the first day synced.")
@click.option("--to", "end", type=DAY, help="Last day (YYYY-MM-DD); default: the last day YouTube delivered.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=True),
              help="The file to write: .html, .pdf or .csv (daily table). A folder gets"
                   " rapport-START_END.html. Default: output/.")
@pass_app
def report_command(app: App, start: dt.datetime | None, end: dt.datetime | None, output: Path | None) -> None:
    """Write the channel's growth report, in French, for directors and funders.

    Subscribers at the start and the end of the period, the net gain and the growth compared
    with the previous period of the same length, a chart of subscribers with the publications
    marked, views and watch time per week, the videos that brought the most, tutorials by theme,
    job offers. Run `mlprod stats sync` first. The .html file is self-contained (open it offline,
    print it on A4); .pdf is the same report on A4 pages. `mlprod videos` sets a video's kind and theme.

    Example: mlprod report --from 2020-03-16 --to 2020-05-16 -o rapport.pdf
    """
    target = output.resolve() if output is not None else app.settings.output_dir
    path = write_report(app.settings, app.db, target, _day(start), _day(end))
    click.echo(f"Report written to {path}")
