"""Rendering: recipe → timeline → pieces (cached by content) → joined video, captions and thumbnail.

``prepare`` works out each format's files and content hash; ``render_target`` renders one of them.
Render knows nothing of the database: the build workflow (mlprod/jobs/build.py) decides whether a
current build can be reused and records what was made.
"""

from mlprod.render.build import ProgressFactory, RecipeBuild, Rendered, Target, prepare, render_target

__all__ = ["ProgressFactory", "RecipeBuild", "Rendered", "Target", "prepare", "render_target"]
