"""The offer fields of the employer's form: labels and help in French, checks, the consent text.

The page is built from :data:`FIELDS` and checked with :func:`check_offer`, so a label, its help
text and its check never drift apart. Problems are French sentences keyed by field name.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from mlprod.french import numeric_date
from mlprod.intake.storage import clean_text
from mlprod.recipe.schema import Contract, Employer, JobOffer, Offer
from mlprod.recipe.youtube_rules import FORBIDDEN_CHARS, description_problems, title_problems

CONTRACTS = {
    Contract.CDI: "CDI (contrat à durée indéterminée)",
    Contract.CDD: "CDD (contrat à durée déterminée)",
    Contract.alternance: "Alternance (apprentissage ou professionnalisation)",
    Contract.interim: "Intérim",
    Contract.stage: "Stage",
    Contract.saisonnier: "Saisonnier",
}
_FR_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
PUBLISHED = ("location", "hours", "requirements", "apply")  # besides the position: the video's description
PAST = "Cette date est déjà passée : choisissez une date à venir."
TITLE_SIGNS = ("YouTube refuse les signes < et > dans le titre de la vidéo, qui est fait de ce poste :"
               " retirez-les.")
TITLE_LONG = "Ce poste ne peut pas faire un titre de vidéo sur YouTube : raccourcissez-le."
DESCRIPTION_SIGNS = ("YouTube refuse les signes < et > dans la description de la vidéo, où ce texte"
                     " paraît : retirez-les.")


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    help: str
    kind: str = "text"          # text | textarea | date | select
    required: bool = True
    max_length: int = 100
    example: str = ""


FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("position", "Poste proposé",
              "Le nom du métier : il fait le titre de la vidéo sur YouTube (100 caractères au plus, sans"
              " les signes < ni >).", example="Vendeur ou vendeuse en boulangerie"),
    FieldSpec("contract", "Type de contrat", "Choisissez dans la liste.", kind="select"),
    FieldSpec("location", "Lieu de travail", "La ville (et le quartier si utile).",
              example="Salon-de-Provence, centre-ville"),
    FieldSpec("start", "Date de début du poste",
              "Le premier jour de travail, même approximatif (aujourd'hui si le poste est à pourvoir tout"
              " de suite).", kind="date"),
    FieldSpec("closes", "Date de fin de l'annonce",
              "Après cette date, la vidéo est retirée de nos chaînes. Elle doit être après la date de"
              " début du poste.", kind="date"),
    FieldSpec("hours", "Horaires", "Facultatif. Le nombre d'heures et les jours de travail.",
              required=False, max_length=200, example="35 h par semaine, du mardi au samedi"),
    FieldSpec("requirements", "Ce que le poste demande",
              "Facultatif. Expérience, diplôme, permis, qualités… Écrivez « débutant accepté » si c'est"
              " le cas.",
              kind="textarea", required=False, max_length=2000),
    FieldSpec("apply", "Comment postuler",
              "Ce que la personne intéressée doit faire : venir avec un CV, appeler, écrire…",
              kind="textarea", max_length=1000, example="Déposer un CV à la boutique, 12 cours Carnot"),
    FieldSpec("contact_person", "Vos coordonnées (non publiées)",
              "Votre nom et un numéro de téléphone ou un e-mail : la Mission Locale vous contacte pour"
              " la suite. Ils ne sont pas publiés.", kind="textarea", max_length=300,
              example="Marie Dupont, 06 12 34 56 78"),
)
FIELD_NAMES = tuple(f.name for f in FIELDS)


def consent_text(organisation: str, employer: str) -> str:
    """The exact sentence the employer agrees to; stored with the submission, word for word."""
    return (
        f"J'accepte que la {organisation} publie les vidéos envoyées ici, avec mon image et ma voix"
        " (et celles des personnes filmées, qui m'ont donné leur accord), sur ses chaînes (YouTube,"
        f" site internet, réseaux sociaux) pour présenter l'offre d'emploi de « {employer} »."
        " Les vidéos sont retirées après la date de fin de l'annonce."
    )


def consent_digest(text: str) -> str:
    """Sent with the form, so the text stored is the text the page showed."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class CheckedOffer:
    offer: dict[str, Any]      # Submission.offer: the recipe's offer fields, dates as ISO text
    contact_person: str


def _date(value: str) -> dt.date | None:
    match = _FR_DATE.match(value)
    try:
        if match:
            day, month, year = (int(g) for g in match.groups())
            return dt.date(year, month, day)
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _check_field(spec: FieldSpec, value: str, problems: dict[str, str]) -> Any:
    if not value:
        if spec.required:
            problems[spec.name] = f"Indiquez : {spec.label.lower()}."
        return None
    if spec.kind == "date":
        day = _date(value)
        if day is None:
            problems[spec.name] = "Cette date n'est pas valable : écrivez-la comme 01/09/2026."
        return day
    if spec.kind == "select":
        if value not in CONTRACTS:
            problems[spec.name] = "Choisissez un type de contrat dans la liste."
            return None
        return Contract(value)
    if len(value) > spec.max_length:
        problems[spec.name] = (f"Ce texte est trop long : {spec.max_length} caractères au plus"
                               f" ({len(value)} ici).")
    return value


def _youtube_problems(offer: Offer, employer: str, problems: dict[str, str]) -> None:
    """YouTube's rules on what the video will show: the title made from the offer (the recipe's own
    making, see JobOffer.display_title) and the texts its description is made of."""
    recipe = JobOffer.model_construct(kind="job_offer", employer=Employer.model_construct(name=employer),
                                      offer=offer, clips=[])
    title = recipe.youtube_title
    if title_problems(title):
        problems["position"] = TITLE_SIGNS if any(c in title for c in FORBIDDEN_CHARS) else TITLE_LONG
    for name in PUBLISHED:
        value = getattr(offer, name)
        if value and description_problems(value):
            problems[name] = (DESCRIPTION_SIGNS if any(c in value for c in FORBIDDEN_CHARS) else
                              "Ce texte est trop long pour la description de la vidéo : raccourcissez-le.")


def check_offer(fields: dict[str, str], contact: str, employer: str, today: dt.date | None = None,
                ) -> tuple[CheckedOffer | None, dict[str, str]]:
    """The offer, or the problems found (French, by field): the recipe's rules, and YouTube's on the
    title and description made from it. ``contact`` is the recipe's offer.contact, ``employer`` its
    employer.name."""
    today = today or dt.date.today()
    problems: dict[str, str] = {}
    values = {spec.name: _check_field(spec, fields.get(spec.name, ""), problems) for spec in FIELDS}
    start, closes = values["start"], values["closes"]
    if "start" not in problems and start is not None and start < today:
        problems["start"] = PAST
    if "closes" not in problems and closes is not None:
        if closes < today:
            problems["closes"] = PAST
        elif start is not None and closes <= start:
            problems["closes"] = ("La date de fin de l'annonce doit être après la date de début du poste"
                                  f" ({numeric_date(start)}).")
    if problems:
        return None, problems
    offer = {k: values[k] for k in ("position", "contract", "location", "start", "closes", "hours",
                                    "requirements", "apply") if values[k] is not None}
    try:
        model = Offer.model_validate({**offer, "contact": contact})
    except ValidationError as err:  # the form's checks mirror the schema; this is the safety net
        return None, {"position": f"L'offre n'est pas complète ({err.error_count()} problème(s))."}
    _youtube_problems(model, employer, problems)
    if problems:
        return None, problems
    stored = {k: v.isoformat() if isinstance(v, dt.date) else str(v) for k, v in offer.items()}
    return CheckedOffer(offer=stored, contact_person=values["contact_person"]), {}


def read_fields(raw: dict[str, list[str]]) -> dict[str, str]:
    """The form's text fields we know, cleaned of control characters."""
    return {name: clean_text(raw[name][0]) for name in FIELD_NAMES if raw.get(name)}
