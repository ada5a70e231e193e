"""Site names: what a site (one Mission Locale of a shared installation) may be called.

A bottom-layer module: the settings (config.py) and the database (store/) both check names here.
"""

from __future__ import annotations

import re

from mlprod.errors import ConfigError

DEFAULT_SITE = "default"
"""The site of a single-site workspace, and of every record written before sites existed."""
SITE_LENGTH = 40
SITE_NAME = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")
SITE_NAME_RULE = ("a site name is 1 to 40 lowercase letters, digits and hyphens, starting and ending"
                  " with a letter or digit, e.g. salon or istres-ouest")


def check_site_name(name: str, source: str) -> str:
    """``name`` if it can name a site (it becomes a folder name), else a ConfigError naming
    ``source`` (the option or setting it came from)."""
    if not SITE_NAME.match(name):
        raise ConfigError(f"{source}: {name!r} is not a site name — {SITE_NAME_RULE}")
    return name
