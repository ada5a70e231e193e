"""Intake errors: each says, in French for the employer, what is wrong and what to do.

They derive from :class:`mlprod.errors.IntakeError`, so the CLI reports them like any other
error; the web app's one handler turns them into the error page with ``http_status``.
"""

from __future__ import annotations

from mlprod.errors import IntakeError


class InvitationRefused(IntakeError):
    """A token that is missing, tampered with, or unknown here."""

    http_status = 403


class InvitationGone(IntakeError):
    """A genuine token whose invitation expired or was revoked."""

    http_status = 410


class CsrfRefused(IntakeError):
    """A form sent without the security code of the page it came from."""

    http_status = 403


ALREADY_SENT = ("Vous avez déjà envoyé votre offre : la Mission Locale l'examine. Pour la modifier,"
                " contactez votre conseiller.")


class AlreadySent(IntakeError):
    """A second form while the first is still being reviewed (or was approved)."""

    http_status = 409


class UploadTooLarge(IntakeError):
    http_status = 413


class UploadRefused(IntakeError):
    """A body that is not a form with files, or a file that is not what it must be."""

    http_status = 400


class SubmissionNotFound(IntakeError):
    http_status = 404


def http_status(err: IntakeError) -> int:
    return int(getattr(err, "http_status", 400))
