"""The marker mlprod writes on everything it publishes, to find it again without its database.

A new machine, a lost or emptied database: ``mlprod publish`` must not upload a second copy of a
video the channel already has. So every publication carries a short marker derived from the
platform and the recipe's path in the workspace (``recipes/entretien.yaml``), which stays the same
whatever the database holds; before a first upload, the platform looks for it
(:meth:`~mlprod.publishing.platform.Platform.find`) and the workflow adopts what it finds.
YouTube keeps it as a tag (invisible on the watch page); each platform chooses where it goes.
"""

from __future__ import annotations

import hashlib

from mlprod.recipe.youtube_rules import MARKER_TAG_CHARS
from mlprod.states import PlatformName

PREFIX = "mlprod-"
DIGITS = 12  # 48 bits: no two recipes of one workspace share one


def marker_for(platform: PlatformName, recipe_key: str) -> str:
    """``mlprod-3f9a2c1b7d0e`` for this recipe (its path relative to the workspace) on ``platform``."""
    digest = hashlib.sha256(f"{platform.value}:{recipe_key}".encode()).hexdigest()
    return PREFIX + digest[:DIGITS]


MARKER_LENGTH = len(PREFIX) + DIGITS
assert MARKER_LENGTH + 1 == MARKER_TAG_CHARS, "the recipe checks keep room for the marker tag and its comma"
