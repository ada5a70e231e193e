"""``mlprod validate``'s library side: every check a recipe must pass before it is built.

Beyond the schema (loader.py): the files it names (media_checks.py), YouTube's metadata rules
(youtube_rules.py), the job offer's dates and consent, and the brand when a workspace is known.
Errors fail validation; warnings are shown and do not.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Iterable
from pathlib import Path

from mlprod.brand import BRAND_FILE, load_brand
from mlprod.config import Settings
from mlprod.errors import ConfigError
from mlprod.recipe import youtube_rules as rules
from mlprod.recipe.arguments import expand_argument
from mlprod.recipe.loader import RecipeCheck, check_recipe_file
from mlprod.recipe.media_checks import Prober, clip_problems, logo_problems, music_problems
from mlprod.recipe.messages import Loc
from mlprod.recipe.problems import FileReport, Problem, display_path, split_fix
from mlprod.recipe.schema import JobOffer, Tutorial

_BRAND_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def _title_loc(check: RecipeCheck, recipe: Tutorial | JobOffer) -> Loc:
    if recipe.publish is not None and recipe.publish.title:
        return ("publish", "title")
    if check.source.has(("title",)) or isinstance(recipe, Tutorial):
        return ("title",)
    return ("offer", "position")


def _add(found: list[Problem], check: RecipeCheck, loc: Loc, messages: Iterable[str],
         severity: str = "error") -> None:
    for message in messages:
        problem, fix = split_fix(message)
        found.append(check.problem(loc, problem, fix, severity))


def publish_problems(check: RecipeCheck, recipe: Tutorial | JobOffer,
                     now: dt.datetime | None = None) -> list[Problem]:
    """YouTube's rules on the title, description, tags and schedule (see YOUTUBE.md)."""
    found: list[Problem] = []
    title_loc = _title_loc(check, recipe)
    title_messages = rules.title_problems(recipe.youtube_title)
    if title_loc == ("offer", "position"):
        title_messages = [m.replace(" — ", " (made from the offer) — ", 1) + "; or set `title:`"
                          for m in title_messages]
    _add(found, check, title_loc, title_messages)
    publish = recipe.publish
    if publish is None:
        return found
    _add(found, check, ("publish", "description"), rules.description_problems(publish.description))
    _add(found, check, ("publish", "tags"), rules.tags_problems(publish.tags, rules.MARKER_TAG_CHARS))
    at: Loc = ("publish", "publish_at")
    _add(found, check, at, rules.publish_at_problems(publish.privacy.value, publish.publish_at))
    # a recipe already published keeps its date: a past one is worth a warning, not a failure
    _add(found, check, at, rules.publish_at_timing_problems(publish.publish_at, now), "warning")
    return found


def offer_problems(check: RecipeCheck, recipe: Tutorial | JobOffer,
                   today: dt.date | None = None) -> list[Problem]:
    if not isinstance(recipe, JobOffer):
        return []
    found: list[Problem] = []
    if not recipe.consent:
        found.append(check.problem(
            ("consent",), "no consent is named for this job offer",
            "add `consent: sub-…` (the submission whose consent covers this video); publishing needs it",
            "warning"))
    closes = recipe.offer.closes
    today = today or dt.date.today()
    if closes is not None and closes < today:
        found.append(check.problem(
            ("offer", "closes"), f"the offer closed on {closes.isoformat()}",
            "set a later date if it is still open; `mlprod expire` unlists closed offers", "warning"))
    return found


def brand_problems(check: RecipeCheck, recipe: Tutorial | JobOffer,
                   settings: Settings | None) -> list[Problem]:
    loc: Loc = ("brand",)
    if recipe.brand is not None and not _BRAND_NAME.match(recipe.brand):
        return [check.problem(loc, f"'{recipe.brand}' is not a brand name",
                              "name a folder of assets/brands/, e.g. ml-prod")]
    if settings is None:
        return []
    name = recipe.brand or settings.brand
    if (settings.brand_dir(name) / BRAND_FILE).is_file():
        try:
            load_brand(settings.brand_dir(name))
        except ConfigError as err:
            return [check.problem(loc, f"brand '{name}' is broken: {err}", "fix the brand's brand.toml")]
        return []
    known = sorted(p.parent.name for p in settings.brands_dir.glob(f"*/{BRAND_FILE}"))
    if recipe.brand is None:
        return [check.problem(loc, f"the workspace's default brand '{name}' is missing",
                              "run `mlprod init` in the workspace to write it again")]
    close = difflib.get_close_matches(name, known, n=1)
    fix = f"did you mean '{close[0]}'?" if close else (
        f"use one of: {', '.join(known)}" if known else "run `mlprod init` to write the default brand")
    folder = display_path(settings.brands_dir, settings.root)
    return [check.problem(loc, f"brand '{name}' not found in the workspace's {folder}/", fix)]


def validate_recipe(path: Path | str, settings: Settings | None = None, *,
                    prober: Prober | None = None, now: dt.datetime | None = None) -> list[Problem]:
    """Every problem of the recipe in ``path`` (empty: it can be built and published)."""
    check = check_recipe_file(path)
    if check.loaded is None:
        return check.problems
    recipe = check.loaded.recipe
    prober = prober or Prober()
    found = clip_problems(check, recipe, prober)
    found += music_problems(check, recipe, prober)
    found += logo_problems(check, recipe)
    found += publish_problems(check, recipe, now)
    found += offer_problems(check, recipe, now.date() if now else None)
    found += brand_problems(check, recipe, settings)
    in_recipe = sorted((p for p in found if p.file == check.path), key=lambda p: p.line or 0)
    return in_recipe + [p for p in found if p.file != check.path]


def validate_paths(arguments: Iterable[str | Path], settings: Settings | None = None, *,
                   base: Path | None = None,
                   progress: Callable[[Path], None] | None = None) -> list[FileReport]:
    """One report per recipe file the arguments name (files, folders, patterns: see
    :mod:`mlprod.recipe.arguments`); an argument that names none is reported as its problem."""
    prober = Prober()
    reports = []
    seen: set[Path] = set()
    for argument in arguments:
        expanded = expand_argument(argument, base or Path.cwd())
        if expanded.bad is not None:
            bad = expanded.bad
            problem = Problem(bad.path.resolve(), None, "", bad.problem, bad.fix)
            reports.append(FileReport(bad.path, (problem,)))
        for path in expanded.recipes:
            if path in seen:
                continue
            seen.add(path)
            if progress is not None:
                progress(path)
            reports.append(FileReport(path, tuple(validate_recipe(path, settings, prober=prober))))
    return reports
