from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from mlprod.commands.common import App, pass_app
from mlprod.jobs.report import write_network_report, write_report

DAY = click.DateTime(formats=["%Y-%m-%d"])


def _day(value: dt.datetime | None) -> dt.date | None:
    return value.date() if value is not None else None


@click.command("report")
@click.option("--from", "start", type=DAY, help="First day (YYYY-MM-DD); default: the first day synced.")
@click.option("--to", "end", type=DAY, help="Last day (YYYY-MM-DD); default: the last day YouTube delivered.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=True),
              help="The file to write: .html, .pdf or .csv (daily table). A folder gets"
                   " rapport-START_END.html. Default: output/.")
@click.option("--network", is_flag=True,
              help="Every site of a regional installation side by side (reseau-START_END.html in the"
                   " workspace's output/; the .csv has one line per site).")
@pass_app
def report_command(app: App, start: dt.datetime | None, end: dt.datetime | None, output: Path | None,
                   network: bool) -> None:
    """Write the channel's growth report, in French, for directors and funders.

    Subscribers at the start and the end of the period, the net gain and the growth compared
    with the previous period of the same length, a chart of subscribers with the publications
    marked, views and watch time per week, the videos that brought the most, tutorials by theme,
    job offers. Run `mlprod stats sync` first. The .html file is self-contained (open it offline,
    print it on A4); .pdf is the same report on A4 pages. `mlprod videos` sets a video's kind and theme.

    With --network, the regional directors' report: every Mission Locale of the installation side by
    side (subscribers at the start and the end, net gain, growth, views, the best videos), over the
    period asked, else over every day all of them have delivered. Each site runs its own
    `mlprod --site NAME stats sync` first.

    Example: mlprod report --from 2020-03-16 --to 2020-05-16 -o rapport.pdf

    Example: mlprod report --network --from 2026-01-01 --to 2026-03-31 -o reseau.pdf
    """
    if network:
        target = output.resolve() if output is not None else app.settings.network_output_dir
        path = write_network_report(app.settings, app.every_site(), target, _day(start), _day(end))
    else:
        target = output.resolve() if output is not None else app.settings.output_dir
        app.settings.check_own_file(target, "report")
        path = write_report(app.settings, app.db, target, _day(start), _day(end))
    click.echo(f"Report written to {path}")
