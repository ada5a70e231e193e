from __future__ import annotations

from pathlib import Path

import click

from mlprod.commands.common import App, echo_json, pass_app


@click.group("discord")
def discord_group() -> None:
    """Announcements in a Discord channel, through its webhook."""


@discord_group.command("add-webhook")
@click.argument("url", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@pass_app
def add_webhook_command(app: App, url: str | None, as_json: bool) -> None:
    """Announce videos in the Discord channel whose webhook URL is URL.

    In Discord: the channel's settings → Integrations → Webhooks → New Webhook → Copy Webhook URL.
    The URL is a password (whoever has it can post as the Mission Locale): mlprod checks it with
    Discord, keeps it in .mlprod/ readable by you only, and never shows it whole. Leave URL out to
    paste it at a hidden prompt (then it stays out of your shell's history). A second webhook
    replaces the first.

    Example: mlprod discord add-webhook
    """
    from mlprod.jobs.announcements import add_webhook

    if not url:
        url = click.prompt("Webhook URL (hidden)", hide_input=True)
    added = add_webhook(app.settings, url)
    saved = added.saved
    if as_json:
        echo_json({"webhook": saved.hook.masked(), "name": saved.name, "channel_id": saved.channel_id,
                   "guild_id": saved.guild_id, "replaced": added.replaced.hook.masked() if added.replaced
                   else None, "file": str(app.settings.discord_webhook_file)})
        return
    click.echo(f"Discord webhook \"{saved.name}\" saved: {saved.hook.masked()} (channel {saved.channel_id}).")
    if added.replaced is not None and added.replaced.url != saved.url:
        click.echo(f"It replaces {added.replaced.hook.masked()} (\"{added.replaced.name}\").")
    click.echo(f"Kept in {app.settings.discord_webhook_file.relative_to(app.settings.root)}, readable by"
               " you only. Recipes with discord in publish.platforms are announced there by `mlprod"
               " publish`.")


@discord_group.command("sent")
@click.argument("recipe", type=click.Path(path_type=Path))
@click.argument("link")
@pass_app
def sent_command(app: App, recipe: Path, link: str) -> None:
    """The announcement of RECIPE is in the channel: LINK is its message link.

    For when `mlprod publish` stopped while sending it, before Discord confirmed it (it says so):
    right-click the announcement → Copy Message Link. The next `mlprod publish` records it
    (and can edit it when the offer closes) instead of sending it again.

    Example: mlprod discord sent recipes/offres/boulangerie.yaml https://discord.com/channels/1/2/3
    """
    from mlprod.jobs.announcements import mark_sent

    message_id = mark_sent(app.settings, app.db, app.base / recipe, link)
    click.echo(f"Message {message_id} is the announcement of {recipe}: the next `mlprod publish` records"
               " it without sending it again.")


@discord_group.command("not-sent")
@click.argument("recipe", type=click.Path(path_type=Path))
@pass_app
def not_sent_command(app: App, recipe: Path) -> None:
    """The announcement of RECIPE is not in the channel: send it again.

    For when `mlprod publish` stopped while sending it, before Discord confirmed it, and the channel
    does not show it. The next `mlprod publish` sends it.

    Example: mlprod discord not-sent recipes/offres/boulangerie.yaml
    """
    from mlprod.jobs.announcements import mark_not_sent

    key = mark_not_sent(app.settings, app.db, app.base / recipe)
    click.echo(f"Noted: {key} was not announced; the next `mlprod publish` sends its announcement.")
