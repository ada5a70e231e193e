"""Turning an approved submission into a ``job_offer`` recipe under recipes/offres/.

The recipe is written to a temporary name beside its place, checked as `mlprod validate` checks
it (so what lands is something `mlprod build` and `mlprod publish` accept), then renamed over the
final name: a crash or a refusal leaves either no recipe or the whole previous one. Paths
inside are relative to the recipe, as the format says.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import unicodedata
from dataclasses import replace
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import LiteralScalarString

from mlprod.config import Settings
from mlprod.errors import IntakeError, RecipeError
from mlprod.files import write_atomic
from mlprod.intake.views import SubmissionView
from mlprod.recipe import load_recipe
from mlprod.recipe.schema import JobOffer
from mlprod.recipe.validate import validate_recipe

OFFERS_DIR = "offres"
SLUG_MAX = 60
_OFFER_KEYS = ("position", "contract", "location", "start", "closes", "hours", "requirements", "apply")


def slugify(text: str) -> str:
    """"Boulangerie du Cours — Vendeur·se" → "boulangerie-du-cours-vendeur-se"."""
    spaced = re.sub(r"[^\w]+", " ", text)  # "Vendeur·se" → "Vendeur se", before accents go
    ascii_text = unicodedata.normalize("NFKD", spaced).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:SLUG_MAX].rstrip("-") or "offre"


def _belongs_to(path: Path, public_id: str) -> bool:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return re.search(rf"^consent:\s*['\"]?{re.escape(public_id)}['\"]?\s*$", text, re.MULTILINE) is not None


def recipe_path(settings: Settings, view: SubmissionView) -> Path:
    """recipes/offres/<employer>-<position>.yaml; the submission's number is added on a clash."""
    if view.recipe:
        return settings.root / view.recipe
    folder = settings.recipes_dir / OFFERS_DIR
    path = folder / f"{slugify(view.employer + ' ' + str(view.offer.get('position', '')))}.yaml"
    if path.exists() and not _belongs_to(path, view.public_id):
        path = path.with_name(f"{path.stem}-{view.public_id.removeprefix('sub-')}.yaml")
    return path


def _text(value: str) -> str | LiteralScalarString:
    return LiteralScalarString(value + "\n") if "\n" in value else value


def recipe_data(settings: Settings, view: SubmissionView, path: Path, contact: str) -> dict[str, Any]:
    """The recipe as plain data, in the order a person reads it."""
    def rel(stored: str) -> str:
        return Path(os.path.relpath(settings.root / stored, path.parent)).as_posix()

    offer: dict[str, Any] = {}
    for key in _OFFER_KEYS:
        value = view.offer.get(key)
        if value in (None, ""):
            continue
        offer[key] = dt.date.fromisoformat(value) if key in ("start", "closes") else _text(str(value))
    offer["contact"] = contact
    employer: dict[str, Any] = {"name": view.employer}
    if view.logo is not None:
        employer["logo"] = rel(view.logo.stored_path)
    return {"kind": "job_offer", "employer": employer, "offer": offer, "consent": view.public_id,
            "clips": [{"file": rel(c.stored_path)} for c in view.clips]}


def _dump(data: dict[str, Any], view: SubmissionView) -> str:
    yaml = YAML()
    yaml.default_flow_style = False
    yaml.width = 100
    out = io.StringIO()
    yaml.dump(data, out)
    header = (f"# Written by `mlprod intake approve {view.public_id}` from what {view.employer!r} sent"
              f" on {view.created_at:%Y-%m-%d}.\n# Edit freely; `mlprod validate` checks it.\n")
    return header.replace("\r", " ") + out.getvalue()


def write_recipe(settings: Settings, view: SubmissionView, contact: str) -> Path:
    """Write the recipe if it passes `mlprod validate`; return its path (overwrites this submission's
    own recipe). A recipe that does not validate is not written, and the error lists its problems."""
    if not view.clips:
        raise IntakeError(f"{view.public_id}: holds no clip — nothing to build; reject it instead")
    path = recipe_path(settings, view)
    return write_atomic(path, _dump(recipe_data(settings, view, path, contact), view),
                        check=lambda tmp: _validate(settings, tmp, path, view))


def _validate(settings: Settings, tmp: Path, path: Path, view: SubmissionView) -> None:
    """The same checks as `mlprod validate` in the workspace, on the written file before it lands."""
    try:
        loaded = load_recipe(tmp)
    except RecipeError as err:
        raise IntakeError(f"{view.public_id}: the recipe made from it does not load ({err}) — this is a bug"
                          " in mlprod intake; the recipe was not written") from err
    recipe = loaded.recipe
    if not isinstance(recipe, JobOffer):  # pragma: no cover - we write kind: job_offer
        raise IntakeError(f"{view.public_id}: the recipe is not a job_offer")
    missing = [str(c.file) for c in recipe.clips if not c.file.is_file()]
    if recipe.employer.logo is not None and not recipe.employer.logo.is_file():
        missing.append(str(recipe.employer.logo))
    if missing:
        raise IntakeError(f"{view.public_id}: its files are missing from the workspace ({', '.join(missing)})"
                          " — they were moved or deleted; ask the employer to send them again")
    errors = [replace(p, file=path) for p in validate_recipe(tmp, settings) if p.is_error]
    if errors:
        lines = "\n".join("  " + p.format(settings.root) for p in errors)
        raise IntakeError(
            f"{view.public_id}: the recipe made from it does not pass `mlprod validate`, so it was not"
            f" written and the submission stays pending:\n{lines}\n— ask the employer for a corrected"
            f" version (`mlprod intake reject {view.public_id} --reason …`), or write the recipe by hand")
