"""What is wrong with a recipe, where, and the fix: one :class:`Problem` per finding.

``mlprod validate`` prints them as ``FILE:LINE: field.path: problem — fix``; ``load_recipe`` puts
them in :class:`~mlprod.errors.RecipeError`. Warnings are shown but do not fail validation.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mlprod.problems import Problem, Severity, display_path


def field_path(loc: Iterable[str | int]) -> str:
    """('clips', 1, 'file') → 'clips[1].file'."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def split_fix(message: str) -> tuple[str, str]:
    """'problem — fix' → ('problem', 'fix'); the fix is after the last em dash."""
    problem, sep, fix = message.rpartition(" — ")
    return (problem, fix) if sep else (message, "")


@dataclass(frozen=True)
class FileReport:
    """Everything found in one recipe file."""

    path: Path
    problems: Sequence[Problem] = field(default_factory=tuple)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]

    @property
    def valid(self) -> bool:
        return not self.errors

    def to_json(self, base: Path | None = None) -> dict[str, object]:
        return {
            "file": display_path(self.path, base),
            "valid": self.valid,
            "problems": [
                {"file": display_path(p.file, base), "line": p.line, "field": p.field,
                 "problem": p.problem, "fix": p.fix, "severity": p.severity}
                for p in self.problems
            ],
        }


def format_problems(problems: Iterable[Problem], base: Path | None = None) -> str:
    return "\n".join(p.format(base) for p in problems)


__all__ = ["FileReport", "Problem", "Severity", "display_path", "field_path", "format_problems", "split_fix"]
