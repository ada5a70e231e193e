"""Plain data for the templates: what the employer sees of their submissions, in French."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from typing import Any

from mlprod.french import numeric_date, numeric_date_time
from mlprod.intake.offer_form import CONTRACTS, FIELDS
from mlprod.intake.views import SubmissionView
from mlprod.recipe.schema import Contract

try:
    PARIS: dt.tzinfo = zoneinfo.ZoneInfo("Europe/Paris")
except zoneinfo.ZoneInfoNotFoundError:  # pragma: no cover - a system without time zone data
    PARIS = dt.UTC

STATUS_LABELS = {
    "pending": ("Reçue, en cours d'examen", "La Mission Locale regarde vos vidéos et votre offre."),
    "approved": ("Acceptée", "La vidéo de votre offre est en préparation. Nous vous contactons avant sa"
                             " publication."),
    "rejected": ("Non retenue", "La Mission Locale ne peut pas utiliser cet envoi. Vous pouvez envoyer une"
                                " nouvelle version ci-dessous."),
}
ERROR_TITLES = {400: "Envoi impossible", 403: "Accès refusé", 404: "Page introuvable",
                405: "Action impossible", 409: "Offre déjà envoyée", 410: "Lien expiré",
                413: "Fichiers trop lourds", 500: "Une erreur est survenue"}


def french_date(value: dt.date | dt.datetime | str | None, with_time: bool = False) -> str:
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    if isinstance(value, dt.datetime):
        local = value.astimezone(PARIS)
        return numeric_date_time(local, PARIS) if with_time else numeric_date(local.date())
    return numeric_date(value)


@dataclass(frozen=True)
class SubmissionCard:
    public_id: str
    status: str
    status_label: str
    status_help: str
    reject_reason: str | None
    sent_at: str
    offer_lines: list[tuple[str, str]]
    files: list[str]


def card(view: SubmissionView) -> SubmissionCard:
    label, help_text = STATUS_LABELS.get(view.status, (view.status, ""))
    lines: list[tuple[str, str]] = []
    for spec in FIELDS:
        value = view.offer.get(spec.name) if spec.name != "contact_person" else view.contact_person
        if not value:
            continue
        if spec.kind == "date":
            value = french_date(value)
        elif spec.kind == "select":
            value = CONTRACTS.get(Contract(value), value) if value in CONTRACTS else value
        lines.append((spec.label, str(value)))
    files = [f"{'Vidéo' if f.role == 'clip' else 'Logo'} : {f.original_name}" for f in view.files]
    return SubmissionCard(public_id=view.public_id, status=view.status, status_label=label,
                          status_help=help_text, reject_reason=view.reject_reason,
                          sent_at=french_date(view.created_at, with_time=True), offer_lines=lines,
                          files=files)


def can_submit(submissions: list[SubmissionView]) -> bool:
    """A new form is offered when nothing was sent yet, or the last one was not retained."""
    return not submissions or submissions[0].status == "rejected"


def form_context(values: dict[str, str] | None, problems: dict[str, str] | None,
                 consent_checked: bool) -> dict[str, Any]:
    return {"fields": FIELDS, "contracts": [(c.value, label) for c, label in CONTRACTS.items()],
            "values": values or {}, "problems": problems or {}, "consent_checked": consent_checked,
            "today": dt.date.today().isoformat()}
