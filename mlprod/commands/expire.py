from __future__ import annotations

import datetime as dt

import click

from mlprod.commands.common import App, echo_json, pass_app
from mlprod.jobs.expire import expire_offers


@click.command("expire")
@click.option("--dry-run", is_flag=True, help="List the closed offers without changing anything.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of the offers.")
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="Act as if today were this day (to rehearse, or to catch up after a pause).")
@pass_app
def expire_command(app: App, dry_run: bool, as_json: bool, as_of: dt.datetime | None) -> None:
    """Unlist job-offer videos whose offer has closed.

    Each published offer whose closing date is past (Paris time) becomes unlisted, leaves its
    playlist, and its description says the offer is filled or closed. Run it daily; running it
    again changes nothing.

    Example: mlprod expire --dry-run
    """
    # noon in Paris on that day, whatever the machine's zone
    now = as_of.replace(hour=12, tzinfo=dt.timezone(dt.timedelta(hours=1))) if as_of else None
    offers = expire_offers(app.settings, app.db, dry_run=dry_run, now=now)
    if as_json:
        echo_json([o.to_json() for o in offers])
        return
    if not offers:
        click.echo("No closed offer left online.")
        return
    for offer in offers:
        if offer.by_hand:
            click.echo(f"{offer.recipe}: closed on {offer.closes}, to remove by hand on"
                       f" {offer.platform.value}: {offer.by_hand}\n    {offer.url}")
            continue
        state = "would be unlisted" if dry_run else "unlisted"
        note = f" ({offer.note})" if offer.note else ""
        click.echo(f"{offer.recipe}: closed on {offer.closes}, {state}{note}\n    {offer.url}")
    if dry_run:
        click.echo(f"{len(offers)} offer(s) to unlist; run `mlprod expire` to do it.")
