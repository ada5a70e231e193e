"""Rendering: recipe → timeline → one ffmpeg pass → video, captions and thumbnail.

``build_recipe`` and ``current_build`` are the library API the CLI, the publisher and the demo use.
"""

from mlprod.render.build import ProgressFactory, build_recipe, current_build
from mlprod.render.records import BuildResult

__all__ = ["BuildResult", "ProgressFactory", "build_recipe", "current_build"]
