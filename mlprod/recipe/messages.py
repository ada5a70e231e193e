"""Turning pydantic's validation errors into problems a communication officer can fix.

Each error gets a field path in the recipe's own terms (``clips[1].file``, never the union tag
``tutorial``), a plain problem and a fix: the allowed keys or values, an example, a suggestion for
a typo.
"""

from __future__ import annotations

import difflib
import types
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from mlprod.recipe.problems import field_path, split_fix

Loc = tuple[str | int, ...]
KINDS = ("tutorial", "job_offer")

EXAMPLES: dict[str, str] = {
    "kind": "`kind: tutorial` (or job_offer)",
    "title": "`title: Préparer son entretien d'embauche`",
    "clips": "`clips:` with a `- file: media/clip.mp4` line below it",
    "file": "`file: media/clip.mp4` (relative to the recipe)",
    "name": "`name: Boulangerie du Cours`",
    "employer": "`employer:` with `name: …` indented below it",
    "offer": "`offer:` with position, contract, location, start and contact indented below it",
    "position": "`position: Vendeur·se en boulangerie`",
    "location": "`location: Salon-de-Provence`",
    "start": "`start: 2027-01-04`",
    "contact": "`contact: Mission Locale du Pays Salonais, 04 90 00 00 00`",
}


# the keys are English; the people writing recipes often think in French
FRENCH_KEYS: dict[str, str] = {
    "titre": "title", "marque": "brand", "présentateur": "presenter", "presentateur": "presenter",
    "présentatrice": "presenter", "nom": "name", "rôle": "role", "fonction": "role", "fichier": "file",
    "début": "start", "debut": "start", "fin": "end", "sous-titres": "subtitles", "sous_titres": "subtitles",
    "musique": "music", "volume": "volume_db", "sortie": "output", "qualité": "quality",
    "qualite": "quality", "publication": "publish", "titre_youtube": "title", "étiquettes": "tags",
    "mots-clés": "tags", "mots_cles": "tags", "liste": "playlist", "confidentialité": "privacy",
    "visibilité": "privacy", "visibilite": "privacy", "date_publication": "publish_at",
    "catégorie": "category", "employeur": "employer", "offre": "offer", "poste": "position",
    "contrat": "contract", "lieu": "location", "ville": "location", "clôture": "closes",
    "cloture": "closes", "horaires": "hours", "profil": "requirements", "candidature": "apply",
    "postuler": "apply", "consentement": "consent", "type": "kind", "genre": "kind",
}


@dataclass(frozen=True)
class Explained:
    loc: Loc          # path in the recipe, without the kind tag
    problem: str
    fix: str


def suggest(word: str, choices: list[str]) -> str | None:
    """The closest choice to a mistyped ``word``, if one is close enough."""
    lowered = {c.lower(): c for c in choices}
    if word.lower() in lowered:
        return lowered[word.lower()]
    found = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[found[0]] if found else None


def show(value: Any) -> str:
    """A value as the user wrote it, short."""
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping (key: value lines)"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:39] + "…"
        return f"'{text}'"
    return str(value)


def _unwrap(tp: Any) -> Any:
    """Annotated[X, …] → X; X | None → X."""
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            tp = get_args(tp)[0]
        elif origin in (Union, types.UnionType):
            args = [a for a in get_args(tp) if a is not type(None)]
            if len(args) != 1:
                return tp
            tp = args[0]
        else:
            return tp


def annotation_at(root: type[BaseModel], loc: Loc) -> tuple[type[BaseModel] | None, Any]:
    """The model holding the last element of ``loc`` and the annotation found there (or None)."""
    tp: Any = root
    parent: type[BaseModel] | None = None
    for part in loc:
        tp = _unwrap(tp)
        if isinstance(part, int) and get_origin(tp) is list:
            tp = get_args(tp)[0]
        elif isinstance(part, str) and isinstance(tp, type) and issubclass(tp, BaseModel):
            parent = tp
            info = tp.model_fields.get(part)
            if info is None:
                return parent, None
            tp = info.annotation
        else:
            return parent, None
    return parent, _unwrap(tp)


def allowed_values(annotation: Any) -> list[str]:
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return [str(m.value) for m in annotation]
    if get_origin(annotation) is Literal:
        return [str(a) for a in get_args(annotation)]
    if get_origin(annotation) is list:
        return allowed_values(_unwrap(get_args(annotation)[0]))
    return []


def _where(loc: Loc) -> str:
    return f"under `{field_path(loc)}:`" if loc else "at the top of the recipe"


def _missing(loc: Loc, annotation: Any) -> tuple[str, str]:
    name = str(loc[-1])
    choices = allowed_values(annotation)
    if choices:
        fix = f"add `{name}: {choices[0]}` (one of: {', '.join(choices)})"
    else:
        fix = "add " + EXAMPLES.get(name, f"`{name}:`")
    return f"'{name}' is missing", f"{fix} {_where(loc[:-1])}"


def _unknown_key(loc: Loc, parent: type[BaseModel] | None) -> tuple[str, str]:
    key = str(loc[-1])
    allowed = list(parent.model_fields) if parent else []
    french = FRENCH_KEYS.get(key.lower())
    close = french if french in allowed else suggest(key, allowed)
    problem = f"unknown key '{key}'"
    if close:
        return problem, f"did you mean '{close}'?"
    return problem, "remove it or fix its spelling; keys allowed here: " + ", ".join(allowed)


def _wrong_choice(value: Any, annotation: Any, ctx: dict[str, Any]) -> tuple[str, str]:
    choices = allowed_values(annotation) or [c.strip(" '") for c in
                                             str(ctx.get("expected", "")).replace(" or ", ", ").split(",")]
    close = suggest(str(value), choices) if isinstance(value, str) else None
    fix = f"did you mean '{close}'? " if close else ""
    return f"{show(value)} is not allowed here", fix + "use one of: " + ", ".join(choices)


def _type_problem(kind: str, value: Any, annotation: Any) -> tuple[str, str]:
    if value is None:
        return "has no value", "write a value after the colon (or remove the key if it is optional)"
    if kind in ("date_type", "date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact",
                "date_past", "date_future"):
        return f"{show(value)} is not a date", "write it as YYYY-MM-DD, e.g. 2027-01-04"
    if kind.startswith(("datetime", "timezone")):
        return (f"{show(value)} is not a date and time",
                "write it as YYYY-MM-DDTHH:MM:SS+01:00, e.g. 2027-01-04T10:00:00+01:00")
    if kind.startswith(("float", "int")):
        return f"{show(value)} is not a number", "write a number, e.g. -20"
    if kind.startswith("bool"):
        return f"{show(value)} is not true or false", "write true or false"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        keys = ", ".join(annotation.model_fields) if isinstance(annotation, type) and issubclass(
            annotation, BaseModel) else "…"
        return f"should be a mapping, not {show(value)}", f"write its keys ({keys}) indented below it"
    if kind == "list_type":
        return f"should be a list, not {show(value)}", "write one `- item` line per item, indented below it"
    if kind == "string_type":
        return (f"should be text, not {show(value)}",
                "write text; put quotes around values that look like numbers or dates")
    if annotation is Path or kind == "path_type":
        return f"should be a file path, not {show(value)}", "write a path relative to the recipe"
    return f"{show(value)} is not valid here", ""


def _num(value: Any) -> str:
    return f"{value:g}" if isinstance(value, int | float) else str(value)


def _bounds(kind: str, loc: Loc, ctx: dict[str, Any], value: Any) -> tuple[str, str]:
    if kind == "too_short":
        least = ctx.get("min_length", 1)
        if loc == ("clips",):
            return "there is no clip", "list at least one: `- file: media/clip.mp4` below `clips:`"
        return ("is empty" if not value else f"has fewer than {least} items",
                f"give at least {least} item{'s' if least > 1 else ''}")
    if kind == "string_too_short":
        return "is empty", "write some text, or remove the key if it is optional"
    if kind == "string_too_long":
        most = ctx.get("max_length")
        return f"is {len(str(value))} characters long", f"shorten it to {most} characters at most"
    if "ge" in ctx or "gt" in ctx:
        return f"{show(value)} is too low", f"use at least {_num(ctx.get('ge', ctx.get('gt')))}"
    if "le" in ctx or "lt" in ctx:
        return f"{show(value)} is too high", f"use at most {_num(ctx.get('le', ctx.get('lt')))}"
    return f"{show(value)} is out of range", "use a value in range"


def _top_level(error: ErrorDetails) -> tuple[str, str]:
    ctx = error.get("ctx") or {}
    value = error.get("input")
    if error["type"] == "union_tag_not_found":
        guess = "job_offer" if isinstance(value, dict) and ("offer" in value or "employer" in value) \
            else "tutorial"
        return "'kind' is missing", f"start the recipe with `kind: {guess}` (tutorial or job_offer)"
    tag = ctx.get("tag", "")
    close = suggest(str(tag), list(KINDS))
    hint = f"did you mean '{close}'? " if close else ""
    return f"unknown kind '{tag}'", f"{hint}a recipe's kind is tutorial or job_offer"


def explain(error: ErrorDetails, root: type[BaseModel]) -> Explained:
    """One pydantic error, in the recipe's terms (``root``: the model of the recipe's kind)."""
    kind = error["type"]
    loc: Loc = tuple(error["loc"])
    if loc and loc[0] in KINDS:
        loc = loc[1:]
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    value = error.get("input")
    if kind in ("union_tag_not_found", "union_tag_invalid"):
        problem, fix = _top_level(error)
        return Explained(("kind",), problem, fix)
    if kind == "field_check":
        loc = (*loc, ctx["field"])
        problem, fix = split_fix(error["msg"])
        return Explained(loc, problem, fix)
    parent, annotation = annotation_at(root, loc)
    if kind == "missing":
        problem, fix = _missing(loc, annotation)
    elif kind == "extra_forbidden":
        problem, fix = _unknown_key(loc, parent)
    elif kind in ("enum", "literal_error"):
        problem, fix = _wrong_choice(value, annotation, ctx)
    elif kind in ("value_error", "assertion_error"):
        problem, fix = split_fix(str(ctx.get("error", error["msg"])))
    elif kind in ("too_short", "too_long", "string_too_short", "string_too_long", "greater_than",
                  "greater_than_equal", "less_than", "less_than_equal"):
        problem, fix = _bounds(kind, loc, ctx, value)
    else:
        problem, fix = _type_problem(kind, value, annotation)
        if not fix:
            problem = error["msg"]
    return Explained(loc, problem, fix)

