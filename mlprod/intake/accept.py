"""Accepting a received form: check the offer, the consent and every file, then store it all.

Runs in a worker thread (probing and the database are blocking). Returns the stored submission,
or the problems to show beside the fields (French); the caller discards what was not stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mlprod.config import Settings
from mlprod.intake.checks import CheckedFile, check_clip, check_logo
from mlprod.intake.errors import UploadRefused
from mlprod.intake.invitations import OpenInvitation
from mlprod.intake.offer_form import check_offer, consent_digest, consent_text, read_fields
from mlprod.intake.options import IntakeOptions
from mlprod.intake.storage import ReceivedForm
from mlprod.intake.submissions import store_submission
from mlprod.intake.views import SubmissionView
from mlprod.store import Database

CONSENT_VALUE = "oui"


@dataclass
class Outcome:
    submission: SubmissionView | None = None
    problems: dict[str, str] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)
    consent_checked: bool = False


def _check_files(form: ReceivedForm, problems: dict[str, str]) -> list[CheckedFile]:
    checked: list[CheckedFile] = []
    clips = form.files_for("clips")
    if not clips:
        problems["clips"] = "Ajoutez au moins une vidéo."
    for item in clips:
        try:
            checked.append(check_clip(item))
        except UploadRefused as err:
            problems["clips"] = str(err)
            break
    logos = form.files_for("logo")
    if len(logos) > 1:
        problems["logo"] = "Envoyez un seul logo."
    elif logos:
        try:
            checked.append(check_logo(logos[0]))
        except UploadRefused as err:
            problems["logo"] = str(err)
    return checked


def accept_form(settings: Settings, db: Database, invitation: OpenInvitation, form: ReceivedForm,
                options: IntakeOptions) -> Outcome:
    values = read_fields(form.fields)
    consent = consent_text(options.organisation, invitation.employer)
    consent_checked = form.value("consent") == CONSENT_VALUE
    outcome = Outcome(values=values, consent_checked=consent_checked)
    checked_offer, outcome.problems = check_offer(values, options.contact, invitation.employer)
    if not consent_checked:
        outcome.problems["consent"] = ("Cochez cette case pour accepter la publication : sans votre accord,"
                                       " la Mission Locale ne peut pas diffuser la vidéo.")
    elif form.value("consent_version") != consent_digest(consent):
        # the page showed another wording (settings changed meanwhile): what was agreed must be what we keep
        outcome.consent_checked = False
        outcome.problems["consent"] = ("Le texte de l'accord a été mis à jour : relisez-le et cochez"
                                       " à nouveau.")
    files = _check_files(form, outcome.problems)
    if outcome.problems or checked_offer is None:
        return outcome
    outcome.submission = store_submission(settings, db, invitation.id, invitation.employer, checked_offer,
                                          consent, files)
    return outcome
