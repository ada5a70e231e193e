"""One finding about a user's file: where it is, what is wrong, and the fix.

The bottom layer, beside :mod:`mlprod.errors` (whose ``RecipeError`` carries them): recipes make
them (:mod:`mlprod.recipe.problems`), ``mlprod validate`` prints them as
``FILE:LINE: field.path: problem — fix``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Severity = Literal["error", "warning"]


def display_path(path: Path, base: Path | None = None) -> str:
    """``path`` relative to ``base`` (default: the current folder) when it is below it."""
    base = (base or Path.cwd()).resolve()
    try:
        return str(Path(path).resolve().relative_to(base))
    except ValueError:
        try:
            rel = os.path.relpath(Path(path).resolve(), base)
        except ValueError:  # another drive on Windows
            return str(path)
        return rel if rel.count("..") <= 2 else str(path)



@dataclass(frozen=True)
class Problem:
    file: Path
    line: int | None
    field: str
    problem: str
    fix: str = ""
    severity: Severity = "error"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def format(self, base: Path | None = None) -> str:
        where = display_path(self.file, base)
        if self.line:
            where += f":{self.line}"
        parts = [where]
        if self.field:
            parts.append(self.field)
        text = ("warning: " if self.severity == "warning" else "") + self.problem
        if self.fix:
            text += f" — {self.fix}"
        parts.append(text)
        return ": ".join(parts)

    def to_json(self) -> dict[str, object]:
        return {"file": str(self.file), "line": self.line, "field": self.field,
                "problem": self.problem, "fix": self.fix, "severity": self.severity}

    def __str__(self) -> str:
        return self.format()
