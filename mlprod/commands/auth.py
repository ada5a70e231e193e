from __future__ import annotations

import click

from mlprod.commands.common import App, echo_json, pass_app
from mlprod.youtube.auth import approve_by_fetching, auth_status, login, logout


@click.group("auth")
def auth_group() -> None:
    """Sign in to YouTube, check the sign-in, or sign out."""


@auth_group.command("login")
@click.option("--no-browser", is_flag=True, help="Print the sign-in address instead of opening a browser.")
@pass_app
def login_command(app: App, no_browser: bool) -> None:
    """Sign in to the YouTube channel (opens a browser) and keep the token.

    The token is saved in .mlprod/token.json, readable by you only. Against a sandbox
    (MLPROD_YOUTUBE_URL) without a client secret file, the sandbox approves at once.

    Example: mlprod auth login
    """
    settings = app.settings
    automatic = bool(settings.youtube_url) and not settings.client_secret_file.is_file()
    login(settings, open_browser=not no_browser, approve=approve_by_fetching if automatic else None,
          announce=click.echo)
    where = settings.youtube_url or "YouTube"
    click.echo(f"Signed in to {where}; the token is in {settings.token_file} (readable by you only).")


@auth_group.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object.")
@pass_app
def status_command(app: App, as_json: bool) -> None:
    """Say whether mlprod is signed in, and whether the sign-in still works (exit 1 if not).

    Example: mlprod auth status
    """
    status = auth_status(app.settings)
    if as_json:
        echo_json({"signed_in": status.signed_in, "server": status.server,
                   "token_file": str(status.token_file), "scopes": status.scopes,
                   "expires_at": status.expires_at, "problem": status.problem})
    elif status.signed_in:
        click.echo(f"Signed in to {status.server} (token: {status.token_file}).")
        click.echo(f"Access token valid until {status.expires_at:%Y-%m-%d %H:%M} UTC; it renews itself."
                   if status.expires_at else "Access token renews itself.")
        for scope in status.scopes:
            click.echo(f"  permission: {scope.rsplit('/', 1)[-1]}")
    else:
        click.echo(f"Not signed in: {status.problem}", err=True)
    if not status.signed_in:
        raise click.exceptions.Exit(1)


@auth_group.command("logout")
@pass_app
def logout_command(app: App) -> None:
    """Revoke mlprod's access to the channel and delete the saved token.

    Example: mlprod auth logout
    """
    result = logout(app.settings)
    if not result.removed:
        click.echo("Not signed in: nothing to do.")
        return
    if result.revoked:
        click.echo("Signed out: access revoked and the token deleted.")
    else:
        click.echo(f"Signed out: the token is deleted, but {result.problem}.")
