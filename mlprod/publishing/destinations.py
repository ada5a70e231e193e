"""Where a recipe is published: its ``publish.platforms``, else the workspace's default
(``[publish] platforms`` in mlprod.toml), else YouTube.

Always in one order, the videos first and the announcement last (``youtube``, ``youtube_short``,
``facebook``, ``instagram``, ``discord``), whatever order the recipe writes them in: a Discord
announcement links to the video published just before it in the same run, and a Short links to
the long video.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from mlprod.recipe import LoadedRecipe
from mlprod.states import PlatformName

ORDER: tuple[PlatformName, ...] = tuple(PlatformName)
VIDEO_PLATFORMS: tuple[PlatformName, ...] = (PlatformName.youtube, PlatformName.youtube_short,
                                             PlatformName.facebook, PlatformName.instagram)
"""Platforms that hold the video itself (an announcement links to one of them), by preference."""


def in_order(names: Iterable[PlatformName]) -> tuple[PlatformName, ...]:
    """``names`` once each, videos first, announcements last."""
    return tuple(sorted(set(names), key=ORDER.index))


def recipe_platforms(loaded: LoadedRecipe, default: Sequence[PlatformName]) -> tuple[PlatformName, ...]:
    """The platforms ``loaded`` names, else ``default`` (the workspace's), in :data:`ORDER`."""
    publish = loaded.recipe.publish
    named = publish.platforms if publish is not None and publish.platforms else default
    return in_order(named)
