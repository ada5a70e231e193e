from __future__ import annotations

import datetime as dt

import click

from mlprod.commands.common import App, echo_json, pass_app
from mlprod.jobs.expire import ExpiredOffer, expire_offers
from mlprod.states import PlatformName

DONE = {PlatformName.youtube: "unlisted", PlatformName.youtube_short: "unlisted",
        PlatformName.discord: "announcement edited to say the offer is filled"}
"""What taking an offer down does on each platform, as the listing says it."""


def _done(offer: ExpiredOffer, dry_run: bool) -> str:
    done = DONE.get(offer.platform, "taken down")
    if not dry_run:
        return done
    return done.replace(" edited", " would be edited") if " edited" in done else f"would be {done}"


@click.command("expire")
@click.option("--dry-run", is_flag=True, help="List the closed offers without changing anything.")
@click.option("--platform", type=click.Choice([p.value for p in PlatformName]),
              help="Only on this platform.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of the offers.")
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="Act as if today were this day (to rehearse, or to catch up after a pause).")
@pass_app
def expire_command(app: App, dry_run: bool, platform: str | None, as_json: bool,
                   as_of: dt.datetime | None) -> None:
    """Take down job offers whose offer has closed, on every platform they were published on.

    YouTube (and its Shorts): the video becomes unlisted, leaves its playlist, and its description
    says the offer is filled or closed. Discord: the announcement is edited to say so (no link,
    no contact). Where a platform's API cannot take it down, the offer is listed last with what to
    remove by hand. A platform that fails does not stop the others (exit 1 then). Run it daily;
    running it again changes nothing.

    Example: mlprod expire --dry-run
    """
    # noon in Paris on that day, whatever the machine's zone
    now = as_of.replace(hour=12, tzinfo=dt.timezone(dt.timedelta(hours=1))) if as_of else None
    offers = expire_offers(app.settings, app.db, dry_run=dry_run, now=now,
                           only=PlatformName(platform) if platform else None)
    if as_json:
        echo_json([o.to_json() for o in offers])
    elif not offers:
        click.echo("No closed offer left online.")
    else:
        _print(offers, dry_run)
    if any(o.problem for o in offers):
        raise click.exceptions.Exit(1)


def _print(offers: list[ExpiredOffer], dry_run: bool) -> None:
    for offer in offers:
        where = f"{offer.recipe} on {offer.platform.label}"
        if offer.problem:
            click.echo(f"{where}: closed on {offer.closes}, not taken down: {offer.problem}", err=True)
        elif not offer.by_hand:
            note = f" ({offer.note})" if offer.note else ""
            click.echo(f"{where}: closed on {offer.closes}, {_done(offer, dry_run)}{note}\n    {offer.url}")
    by_hand = [o for o in offers if o.by_hand and not o.problem]
    if by_hand:
        click.echo(f"To remove by hand ({len(by_hand)}: the platform's API cannot take them down):")
        for offer in by_hand:
            click.echo(f"  {offer.recipe} on {offer.platform.label}, closed on {offer.closes}:"
                       f" {offer.by_hand}\n    {offer.url}")
    if dry_run:
        click.echo(f"{len(offers)} offer(s) to take down; run `mlprod expire` to do it.")
