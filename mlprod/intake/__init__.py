"""The employer intake: invitation links, the web page where employers send clips and offer,
and the staff's review (list, show, approve into a job_offer recipe, reject).

Library API (also what `mlprod demo` uses)::

    view, path = create_invitation(settings, db, "Boulangerie du Cours", "30d")
    url, stop = serve_in_thread(settings)          # the page, on a free port
    public_id = submit_offer(url + path, fields, clips=[clip])   # as the employer would
    recipe = approve(settings, db, public_id)      # recipes/offres/<slug>.yaml
    stop()
"""

from __future__ import annotations

from mlprod.intake.app import create_app
from mlprod.intake.client import submit_offer
from mlprod.intake.invitations import (
    InvitationView,
    create_invitation,
    invitation_url,
    list_invitations,
    revoke_invitation,
)
from mlprod.intake.options import IntakeOptions, load_intake_options
from mlprod.intake.server import serve, serve_in_thread
from mlprod.intake.submissions import approve, get_submission, list_submissions, reject
from mlprod.intake.views import SubmissionView

__all__ = [
    "IntakeOptions",
    "InvitationView",
    "SubmissionView",
    "approve",
    "create_app",
    "create_invitation",
    "get_submission",
    "invitation_url",
    "list_invitations",
    "list_submissions",
    "load_intake_options",
    "reject",
    "revoke_invitation",
    "serve",
    "serve_in_thread",
    "submit_offer",
]
