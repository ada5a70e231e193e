"""`mlprod demo`: the whole job on embedded defaults, from generated sample media.

A new workspace (in a temporary folder unless one is given), sample clips made with ffmpeg's
lavfi sources, the example recipes, validated. Every step says what it did through ``say``.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from mlprod.errors import RecipeError
from mlprod.recipe.examples import install_examples, write_example_media
from mlprod.recipe.validate import validate_paths
from mlprod.workspace import init_workspace

Say = Callable[[str], None]


@dataclass
class DemoResult:
    root: Path
    recipes: list[Path] = field(default_factory=list)


def _prepare(folder: Path, say: Say) -> DemoResult:
    settings = init_workspace(folder).settings
    say(f"1. Workspace created in {settings.root}")
    media = write_example_media(settings.root)
    say(f"2. Sample media generated with ffmpeg (lavfi sources): {len(media)} files in media/")
    recipes = install_examples(settings.root)
    recipes = sorted(settings.recipes_dir.rglob("*.yaml"))
    say(f"3. Example recipes written: {', '.join(str(p.relative_to(settings.root)) for p in recipes)}")
    reports = validate_paths(recipes, settings)
    bad = [r for r in reports if not r.valid]
    if bad:
        lines = [p.format(settings.root) for r in bad for p in r.errors]
        raise RecipeError("the example recipes do not validate:\n" + "\n".join(lines))
    say(f"4. Recipes validated: {len(reports)} valid")
    return DemoResult(root=settings.root, recipes=recipes)


def run_demo(folder: Path | None, say: Say) -> DemoResult:
    """Run every step of the job in ``folder`` (a new temporary folder when None)."""
    root = folder or Path(tempfile.mkdtemp(prefix="mlprod-demo-"))
    return _prepare(root, say)
