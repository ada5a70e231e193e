"""`mlprod intake …`: invitation links, the employer page, and reviewing what employers sent."""

from __future__ import annotations

import click

from mlprod.commands.common import App, echo_json, pass_app
from mlprod.intake import (
    approve,
    create_invitation,
    get_submission,
    invitation_url,
    list_invitations,
    list_submissions,
    load_intake_options,
    reject,
    revoke_invitation,
    serve,
)
from mlprod.intake.display import describe, summary_line, terminal_safe
from mlprod.intake.options import parse_size


@click.group("intake")
def intake_group() -> None:
    """Employers' job offers: invite, receive on a web page, review.

    Example: mlprod intake invite "Boulangerie du Cours", send the printed link,
    then `mlprod intake list` and `mlprod intake approve sub-2026-0001`.
    """


@intake_group.command("serve")
@click.option("--host", help="Address to listen on (default: intake.host in mlprod.toml, or 127.0.0.1).")
@click.option("--port", type=int, help="Port (default: intake.port, or 8765).")
@click.option("--max-upload", help="Largest form accepted, e.g. 500M or 2G (default: intake.max_upload, 2G).")
@pass_app
def serve_command(app: App, host: str | None, port: int | None, max_upload: str | None) -> None:
    """Run the employer page (uvicorn) until Ctrl-C.

    Example: mlprod intake serve --host 0.0.0.0 --port 8765
    """
    options = load_intake_options(app.settings)
    if max_upload:
        options = options.with_overrides(max_upload_bytes=parse_size(max_upload, "--max-upload"))
    app.close()  # the server opens its own database connections
    serve(app.settings, host, port, options)


@intake_group.command("invite")
@click.argument("employer")
@click.option("--expires", default="30d", show_default=True, help="How long the link works: 30d, 12h, 2w.")
@click.option("--base-url", help="What the link starts with (default: intake.base_url in mlprod.toml).")
@pass_app
def invite_command(app: App, employer: str, expires: str, base_url: str | None) -> None:
    """Make an invitation link for EMPLOYER and print it.

    Example: mlprod intake invite "Boulangerie du Cours" --expires 30d
    """
    base = base_url or load_intake_options(app.settings).base_url
    view, path = create_invitation(app.settings, app.db, employer, expires)
    click.echo(f"Invitation {view.id} for {view.employer}, valid until {view.expires_at:%Y-%m-%d %H:%M} UTC:")
    click.echo(invitation_url(base, path))


@intake_group.command("revoke")
@click.argument("invitation_id", type=int)
@pass_app
def revoke_command(app: App, invitation_id: int) -> None:
    """Stop invitation INVITATION_ID's link from working (what was sent is kept).

    Example: mlprod intake revoke 3
    """
    view = revoke_invitation(app.db, invitation_id)
    click.echo(f"Invitation {view.id} ({view.employer}) revoked: its link no longer opens the page.")


@intake_group.command("invitations")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def invitations_command(app: App, as_json: bool) -> None:
    """List invitations: number, employer, active / expired / revoked."""
    views = list_invitations(app.db)
    if as_json:
        echo_json([v.as_dict() for v in views])
        return
    for v in views:
        click.echo(terminal_safe(f"{v.id:>4}  {v.state:<8} until {v.expires_at:%Y-%m-%d}  {v.employer}"))
    if not views:
        click.echo('No invitation yet. Make one with: mlprod intake invite "Employer name"')


@intake_group.command("list")
@click.option("--status", type=click.Choice(["pending", "approved", "rejected"]), help="Only these.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def list_command(app: App, status: str | None, as_json: bool) -> None:
    """List what employers sent, newest first.

    Example: mlprod intake list --status pending
    """
    views = list_submissions(app.db, status)
    if as_json:
        echo_json([v.as_dict() for v in views])
        return
    for v in views:
        click.echo(summary_line(v))
    if not views:
        click.echo("No submission yet.")


@intake_group.command("show")
@click.argument("submission_id")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def show_command(app: App, submission_id: str, as_json: bool) -> None:
    """Show one submission: the offer, the consent given, the files.

    Example: mlprod intake show sub-2026-0001
    """
    view = get_submission(app.db, submission_id)
    if as_json:
        echo_json(view.as_dict())
    else:
        click.echo(describe(view))


@intake_group.command("approve")
@click.argument("submission_id")
@pass_app
def approve_command(app: App, submission_id: str) -> None:
    """Write SUBMISSION_ID's job_offer recipe (recipes/offres/…) and mark it approved.

    Example: mlprod intake approve sub-2026-0001, then mlprod build recipes/offres/<slug>.yaml
    """
    path = approve(app.settings, app.db, submission_id)
    rel = path.relative_to(app.settings.root)
    click.echo(f"{submission_id} approved: recipe written to {rel}")
    click.echo(f"Next: mlprod build {rel}")


@intake_group.command("reject")
@click.argument("submission_id")
@click.option("--reason", required=True, help="Why, for the employer (their page shows it).")
@pass_app
def reject_command(app: App, submission_id: str, reason: str) -> None:
    """Mark SUBMISSION_ID rejected; the employer's page shows the reason.

    Example: mlprod intake reject sub-2026-0001 --reason "Le son est inaudible : merci de refilmer."
    """
    view = reject(app.settings, app.db, submission_id, reason)
    click.echo(f"{view.public_id} rejected; the employer's page now shows the reason.")
