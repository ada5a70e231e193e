from __future__ import annotations

from collections.abc import Sequence

import click

from mlprod.commands.common import App, echo_json, pass_app

PLATFORMS = ("youtube", "facebook", "instagram")
platform_option = click.option(
    "--platform", type=click.Choice(PLATFORMS), default="youtube", show_default=True,
    help="Which sign-in: YouTube's, or Facebook's (the Page and its linked Instagram account).")


def _meta(platform: str) -> bool:
    """Instagram publishes as the Facebook Page it is linked to: one sign-in for both."""
    return platform in ("facebook", "instagram")


@click.group("auth")
def auth_group() -> None:
    """Sign in to YouTube or Facebook/Instagram, check the sign-in, or sign out."""


@auth_group.command("login")
@platform_option
@click.option("--page", metavar="NAME", help="Facebook: the Page to publish on (its name or id), when"
              " the account manages several; asked otherwise.")
@click.option("--no-browser", is_flag=True, help="Print the sign-in address instead of opening a browser.")
@pass_app
def login_command(app: App, platform: str, page: str | None, no_browser: bool) -> None:
    """Sign in (opens a browser) and keep the token, readable by you only.

    YouTube's token goes to .mlprod/token.json. With --platform facebook, choose the Page once
    (and with it the Instagram professional account linked to it); its long-lived token goes to
    .mlprod/facebook_token.json. Against a sandbox (MLPROD_YOUTUBE_URL, MLPROD_GRAPH_URL) the
    sandbox approves at once.

    Examples: mlprod auth login
              mlprod auth login --platform facebook --page "Mission Locale du Pays Salonais"
    """
    if _meta(platform):
        _facebook_login(app, page, no_browser)
        return
    from mlprod.youtube.auth import approve_by_fetching, login

    settings = app.settings
    automatic = bool(settings.youtube_url) and not settings.client_secret_file.is_file()
    login(settings, open_browser=not no_browser, approve=approve_by_fetching if automatic else None,
          announce=click.echo)
    where = settings.youtube_url or "YouTube"
    click.echo(f"Signed in to {where}; the token is in {settings.token_file} (readable by you only).")


def _facebook_login(app: App, page: str | None, no_browser: bool) -> None:
    from mlprod.facebook.auth import PageChoice, app_file, approve_by_fetching, login
    from mlprod.graph.signin import token_file

    settings = app.settings
    automatic = bool(settings.graph_url) and not app_file(settings).is_file()

    def choose(pages: Sequence[PageChoice]) -> PageChoice:
        click.echo("This account manages several Pages:")
        for number, choice in enumerate(pages, 1):
            click.echo(f"  {number}. {choice.label()}")
        picked = click.prompt("Publish on which Page? (number)", type=click.IntRange(1, len(pages)))
        return pages[picked - 1]

    sign_in = login(settings, page=page, choose=choose, approve=approve_by_fetching if automatic else None,
                    open_browser=not no_browser, announce=click.echo)
    click.echo(f"Signed in to Facebook as the Page {sign_in.page_name}"
               f"; the token is in {token_file(settings)} (readable by you only).")
    if sign_in.instagram_id:
        name = f"@{sign_in.instagram_username}" if sign_in.instagram_username else sign_in.instagram_id
        click.echo(f"Instagram: publishing to {name}, the professional account linked to the Page.")
    else:
        click.echo("Instagram: no professional account is linked to this Page — link one in the Page's"
                   " settings, then sign in again to publish Reels there.")


@auth_group.command("status")
@platform_option
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object.")
@pass_app
def status_command(app: App, platform: str, as_json: bool) -> None:
    """Say whether mlprod is signed in, and whether the sign-in still works (exit 1 if not).

    Examples: mlprod auth status
              mlprod auth status --platform facebook
    """
    if _meta(platform):
        _facebook_status(app, as_json)
        return
    from mlprod.youtube.auth import auth_status

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


def _facebook_status(app: App, as_json: bool) -> None:
    from mlprod.facebook.auth import auth_status

    status = auth_status(app.settings)
    if as_json:
        echo_json({"signed_in": status.signed_in, "server": status.server,
                   "token_file": str(status.token_file), "page": status.page, "page_id": status.page_id,
                   "instagram": status.instagram,
                   "problem": status.problem})
    elif status.signed_in:
        click.echo(f"Signed in to Facebook ({status.server}) as the Page {status.page} ({status.page_id});"
                   f" token: {status.token_file}.")
        click.echo(f"Instagram: {status.instagram}." if status.instagram
                   else "Instagram: no professional account linked to the Page.")
        click.echo(f"The Page token expires: {status.expires}.")
    else:
        click.echo(f"Not signed in to Facebook: {status.problem}", err=True)
    if not status.signed_in:
        raise click.exceptions.Exit(1)


@auth_group.command("logout")
@platform_option
@pass_app
def logout_command(app: App, platform: str) -> None:
    """Revoke mlprod's access and delete the saved token.

    Examples: mlprod auth logout
              mlprod auth logout --platform facebook
    """
    if _meta(platform):
        from mlprod.facebook.auth import logout as facebook_logout

        meta = facebook_logout(app.settings)
        removed, revoked, problem = meta.removed, meta.revoked, meta.problem
    else:
        from mlprod.youtube.auth import logout

        google = logout(app.settings)
        removed, revoked, problem = google.removed, google.revoked, google.problem
    if not removed:
        click.echo("Not signed in: nothing to do.")
    elif revoked:
        click.echo("Signed out: access revoked and the token deleted.")
    else:
        click.echo(f"Signed out: the token is deleted, but {problem}.")
