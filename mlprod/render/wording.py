"""The French words on cards and lower thirds, made from a recipe's fields (pure functions)."""

from __future__ import annotations

from mlprod.french import fr_date
from mlprod.recipe.schema import Contract, JobOffer, Offer, Recipe, Tutorial

CONTRACTS = {
    Contract.CDI: "CDI",
    Contract.CDD: "CDD",
    Contract.alternance: "Alternance",
    Contract.interim: "Intérim",
    Contract.stage: "Stage",
    Contract.saisonnier: "Emploi saisonnier",
}
OFFER_HEADING = "Offre d'emploi"


def start_line(offer: Offer) -> str:
    return f"À partir du {fr_date(offer.start)}"


def offer_lines(offer: Offer) -> tuple[str, ...]:
    """The rows of the offer card, in reading order: contract, start, place, hours, contact."""
    lines = [CONTRACTS[offer.contract], start_line(offer), offer.location]
    if offer.hours:
        lines.append(offer.hours)
    if offer.requirements:
        lines.append(offer.requirements)
    if offer.apply:
        lines.append(offer.apply)
    lines.append(f"Contact : {offer.contact}")
    return tuple(lines)


def lower_third_text(recipe: Tutorial | JobOffer | Recipe) -> tuple[str, str | None] | None:
    """(name, role) for the first clip: the presenter; for a job offer, the employer too."""
    presenter = recipe.presenter
    if isinstance(recipe, JobOffer):
        employer = recipe.employer.name
        if presenter is None:
            return employer, f"Recrute : {recipe.offer.position}"
        role = f"{presenter.role} — {employer}" if presenter.role else employer
        return presenter.name, role
    if presenter is None:
        return None
    return presenter.name, presenter.role
