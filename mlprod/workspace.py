"""Creating a workspace: mlprod.toml, recipes/, media/, output/, the default brand."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from mlprod.brand import write_default_brand
from mlprod.config import (
    CONFIG_NAME,
    CONFIG_TEMPLATE,
    DEFAULT_BRAND,
    STATE_DIR,
    Settings,
    load_settings,
)
from mlprod.errors import ConfigError
from mlprod.files import write_atomic

GITIGNORE = f"""\
# written by mlprod init: per-machine state, secrets and rendered videos stay out of git
{STATE_DIR}/
output/
token*.json
client_secret*.json
"""


@dataclass
class InitResult:
    settings: Settings
    created: list[Path] = field(default_factory=list)
    existed: bool = False


def init_workspace(folder: Path) -> InitResult:
    """Create (or complete) a workspace in ``folder``; what is there already is kept."""
    folder = folder.resolve()
    if folder.exists() and not folder.is_dir():
        raise ConfigError(f"{folder}: is a file, not a folder — choose another name")
    created: list[Path] = []
    existed = (folder / CONFIG_NAME).exists()
    for sub in (folder, folder / "recipes", folder / "media", folder / "output", folder / STATE_DIR):
        if not sub.exists():
            sub.mkdir(parents=True)
            created.append(sub)
    (folder / STATE_DIR).chmod(0o700)  # tokens and the intake secret live here
    for path, text in ((folder / CONFIG_NAME, CONFIG_TEMPLATE), (folder / ".gitignore", GITIGNORE)):
        if not path.exists():
            write_atomic(path, text)
            created.append(path)
    brand_dir = folder / "assets" / "brands" / DEFAULT_BRAND
    if not (brand_dir / "brand.toml").exists():
        created.append(brand_dir)
    write_default_brand(brand_dir)
    return InitResult(settings=load_settings(folder), created=created, existed=existed)
