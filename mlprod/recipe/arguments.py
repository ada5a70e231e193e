"""RECIPE arguments, the same for every command: files, folders and glob patterns.

One rule: a file is taken as given; a folder stands for the .yaml/.yml files inside it, at any
depth, sorted (a folder without any is an error); a glob pattern that the shell did not expand
(quoted, or matching nothing there) is expanded, each match taken as if it were given; a path
that does not exist is an error naming it. Relative paths start at ``base`` (the -C folder, else
the current one). Each recipe comes once, in the order given.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from mlprod.errors import RecipeError

RECIPE_SUFFIXES = (".yaml", ".yml")
_GLOB_CHARS = frozenset("*?[")


@dataclass(frozen=True)
class BadArgument:
    """An argument that names no recipe: what was typed, where it points, why, and the fix."""

    argument: str
    path: Path
    problem: str
    fix: str

    def __str__(self) -> str:
        return f"{self.argument}: {self.problem} — {self.fix}"


@dataclass(frozen=True)
class Expanded:
    """One argument and the recipe files it stands for (or why it stands for none)."""

    argument: str
    recipes: tuple[Path, ...] = ()
    bad: BadArgument | None = None


def recipes_in(folder: Path) -> list[Path]:
    """The recipe files under ``folder`` (at any depth), sorted; hidden files and folders skipped."""
    if not folder.is_dir():
        return []
    found = (p for p in folder.rglob("*")
             if p.suffix.lower() in RECIPE_SUFFIXES and p.is_file()
             and not any(part.startswith(".") for part in p.relative_to(folder).parts))
    return sorted(found)


def _is_pattern(text: str) -> bool:
    return any(c in _GLOB_CHARS for c in text)


def _glob(pattern: Path) -> list[Path]:
    """What an absolute ``pattern`` matches: globbed from its last folder without a pattern."""
    parts = pattern.parts
    first = next(i for i, part in enumerate(parts) if _is_pattern(part))
    return sorted(Path(*parts[:first]).glob("/".join(parts[first:])))


def expand_argument(argument: str | Path, base: Path) -> Expanded:
    """The recipe files of one argument, by the module's rule."""
    text = str(argument)
    path = Path(text).expanduser()
    path = path if path.is_absolute() else base / path
    if path.is_dir():
        inside = recipes_in(path)
        if not inside:
            return Expanded(text, bad=BadArgument(text, path, "no recipe (.yaml) in this folder",
                                                  "name recipe files, or a folder that holds some"))
        return Expanded(text, tuple(inside))
    if path.exists():
        return Expanded(text, (path,))
    if _is_pattern(text):
        matches = _glob(path)
        found = [p for match in matches for p in (recipes_in(match) if match.is_dir() else [match])]
        if found:
            return Expanded(text, tuple(found))
        return Expanded(text, bad=BadArgument(text, path, "no recipe matches this pattern",
                                              "check the pattern and the folder it starts from"))
    return Expanded(text, bad=BadArgument(text, path, "file not found", "check the path and the file name"))


def expand_recipe_arguments(arguments: Iterable[str | Path], base: Path) -> list[Path]:
    """Every recipe file the arguments name, once each, in order; :class:`RecipeError` listing
    every argument that names none, before anything is done."""
    found: dict[Path, None] = {}
    bad: list[BadArgument] = []
    for argument in arguments:
        expanded = expand_argument(argument, base)
        if expanded.bad is not None:
            bad.append(expanded.bad)
        found.update(dict.fromkeys(expanded.recipes))
    if bad:
        raise RecipeError("\n".join(str(b) for b in bad))
    return list(found)
