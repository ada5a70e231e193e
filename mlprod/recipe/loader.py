"""Loading a recipe file into a typed model, with every problem tied to its file and line.

The YAML is read with ruamel.yaml's round-trip loader, which remembers where each key is; pydantic
validates the data, and each of its errors is mapped back to the line of the key it concerns.
Dates and times stay text until pydantic reads them, so a bad date (``2027-02-30``) is a problem
on its line, and ``publish_at`` keeps its time zone.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from mlprod.errors import RecipeError
from mlprod.recipe.messages import KINDS, Loc, explain
from mlprod.recipe.problems import Problem, field_path
from mlprod.recipe.schema import JobOffer, Recipe, Tutorial
from mlprod.states import VideoKind

_ADAPTER: TypeAdapter[Tutorial | JobOffer] = TypeAdapter(Recipe)
_MODELS: dict[str, type[Tutorial | JobOffer]] = {"tutorial": Tutorial, "job_offer": JobOffer}
EMPTY_FIX = "a recipe starts with `kind: tutorial` or `kind: job_offer`"
NOT_TEXT = ("not a text file (it holds binary data)",
            "a recipe is a YAML text file; name videos and images inside a recipe instead")
MAX_BYTES = 1_000_000  # a recipe is a page of text; anything bigger is not one


class _RecipeConstructor(RoundTripConstructor):
    """Round-trip loading, except that timestamps stay text for pydantic to parse and report."""


_RecipeConstructor.add_constructor(
    "tag:yaml.org,2002:timestamp", lambda self, node: self.construct_scalar(node)
)


@dataclass(frozen=True)
class LoadedRecipe:
    path: Path                 # absolute
    slug: str                  # file name without .yaml: output/<slug>/...
    recipe: Tutorial | JobOffer

    @property
    def kind(self) -> VideoKind:
        return VideoKind(self.recipe.kind)

    @property
    def title(self) -> str:
        return self.recipe.display_title


@dataclass(frozen=True)
class SourceMap:
    """Where each key of a loaded YAML document is, to point problems at lines."""

    data: Any = None

    def line(self, loc: Loc = ()) -> int:
        """1-based line of the deepest key of ``loc`` found in the document (1 when none is)."""
        node = self.data
        line = node.lc.line + 1 if isinstance(node, CommentedMap | CommentedSeq) else 1
        for part in loc:
            try:
                if isinstance(node, CommentedMap) and part in node:
                    place = node.lc.key(part) if part in node.lc.data else None  # merged keys have none
                elif isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
                    place = node.lc.item(part)
                else:
                    break
            except (KeyError, IndexError, TypeError):
                place = None
            if place is not None:
                line = place[0] + 1
            node = node[part]
        return line

    def has(self, loc: Loc) -> bool:
        node = self.data
        for part in loc:
            in_map = isinstance(node, dict) and part in node
            in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
            if not (in_map or in_list):
                return False
            node = node[part]
        return True


@dataclass(frozen=True)
class RecipeCheck:
    """The outcome of reading one recipe file: the recipe when valid, the problems otherwise."""

    path: Path
    loaded: LoadedRecipe | None
    problems: list[Problem] = field(default_factory=list)
    source: SourceMap = field(default_factory=SourceMap)

    def problem(self, loc: Loc, problem: str, fix: str = "", severity: str = "error") -> Problem:
        """A problem at the line of ``loc`` in this recipe."""
        return Problem(self.path, self.source.line(loc), field_path(loc), problem, fix,
                       "warning" if severity == "warning" else "error")


class _Unreadable(Exception):
    """Internal signal: the file cannot be a recipe. Never leaves this module."""

    def __init__(self, problem: str, fix: str, line: int | None = None) -> None:
        super().__init__(problem)
        self.problem, self.fix, self.line = problem, fix, line


def _decode(data: bytes) -> str:
    for bom, codec in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                       (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                break
    if b"\0" in data:
        raise _Unreadable(*NOT_TEXT)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        text = data.decode("cp1252", errors="replace")
        if sum(not c.isprintable() and c not in "\r\n\t" for c in text) > len(text) // 100 + 1:
            raise _Unreadable("not a text file", "a recipe is a YAML text file") from None
        raise _Unreadable("the file is not saved as UTF-8 (probably Windows-1252)",
                          "save it as UTF-8 in your editor", line) from None


def _read(path: Path) -> Any:
    if not path.exists():
        raise _Unreadable("file not found", "check the path and the file name")
    if path.is_dir():
        raise _Unreadable("is a folder, not a recipe", "name a .yaml file inside it")
    try:
        with path.open("rb") as file:
            data = file.read(MAX_BYTES + 1)
    except OSError as err:
        raise _Unreadable(f"cannot be read ({err.strerror})", "check its permissions") from err
    if len(data) > MAX_BYTES:
        if b"\0" in data[:8192]:  # a video named as a recipe is "not a text file" rather than "too big"
            raise _Unreadable(*NOT_TEXT)
        raise _Unreadable("too big to be a recipe", "a recipe is a short YAML text file")
    text = _decode(data)
    yaml = YAML(typ="rt")
    yaml.Constructor = _RecipeConstructor
    try:
        document = yaml.load(text)
    except MarkedYAMLError as err:
        raise _yaml_problem(err) from err
    except (YAMLError, ValueError, TypeError, RecursionError) as err:
        raise _Unreadable(f"invalid YAML ({err})", "check the indentation and the colons") from err
    if document is None:
        raise _Unreadable("the file is empty", EMPTY_FIX)
    if not isinstance(document, CommentedMap):
        what = "a list" if isinstance(document, list) else f"the value {str(document)[:30]!r}"
        raise _Unreadable(f"the recipe is {what}, not a set of `key: value` lines", EMPTY_FIX, 1)
    return document


def _yaml_problem(err: MarkedYAMLError) -> _Unreadable:
    mark = err.problem_mark or err.context_mark
    line = mark.line + 1 if mark else None
    problem = str(err.problem or err.context or "cannot be read")
    fix = "check the indentation and the colons on this line and the one before"
    if "duplicate key" in problem:
        key = problem.split('"')[1] if '"' in problem else ""
        problem, fix = f"'{key}' appears twice", "keep only one of them"
    elif "'\\t'" in problem:
        problem, fix = "a tab character", "indent with spaces, not tabs"
    elif "end of stream" in problem and err.context_mark is not None:
        line = err.context_mark.line + 1
        problem, fix = f"unfinished: {err.context}", "close the quote or bracket opened on this line"
    elif "mapping values are not allowed" in problem:
        fix = "indent keys evenly; quote a value that contains ': ' (\"like: this\")"
    return _Unreadable(f"invalid YAML: {problem}", fix, line)


def check_recipe_file(path: Path | str) -> RecipeCheck:
    """Read and validate one recipe; never raises for a problem with the file itself."""
    path = Path(path).resolve()
    try:
        document = _read(path)
    except _Unreadable as bad:
        return RecipeCheck(path, None, [Problem(path, bad.line, "", bad.problem, bad.fix)])
    source = SourceMap(document)
    try:
        recipe = _ADAPTER.validate_python(document, context={"base": path.parent})
    except ValidationError as err:
        kind = document.get("kind")
        root = _MODELS.get(kind, Tutorial) if isinstance(kind, str) else Tutorial
        found = []
        for error in err.errors(include_url=False):
            what = explain(error, root)
            found.append(Problem(path, source.line(what.loc), field_path(what.loc), what.problem, what.fix))
        return RecipeCheck(path, None, sorted(found, key=lambda p: p.line or 0), source)
    return RecipeCheck(path, LoadedRecipe(path=path, slug=path.stem, recipe=recipe), [], source)


def load_recipe(path: Path | str) -> LoadedRecipe:
    """The typed recipe in ``path``, or :class:`RecipeError` listing every problem found."""
    check = check_recipe_file(path)
    if check.loaded is None:
        lines = "\n".join(p.format() for p in check.problems)
        count = len(check.problems)
        raise RecipeError(
            f"{check.path}: {count} problem{'s' if count > 1 else ''} in this recipe:\n{lines}",
            check.problems,
        )
    return check.loaded


__all__ = ["KINDS", "LoadedRecipe", "RecipeCheck", "SourceMap", "check_recipe_file", "load_recipe"]
