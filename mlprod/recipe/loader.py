"""Loading a recipe file into a typed model (first version; validation with lines comes next)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import TypeAdapter, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from mlprod.errors import RecipeError
from mlprod.recipe.schema import JobOffer, Recipe, Tutorial

_ADAPTER: TypeAdapter[Tutorial | JobOffer] = TypeAdapter(Recipe)


@dataclass(frozen=True)
class LoadedRecipe:
    path: Path                 # absolute
    slug: str                  # file name without .yaml: output/<slug>/...
    recipe: Tutorial | JobOffer

    @property
    def kind(self) -> str:
        return self.recipe.kind

    @property
    def title(self) -> str:
        return self.recipe.display_title


def load_recipe(path: Path) -> LoadedRecipe:
    path = Path(path).resolve()
    try:
        data = YAML(typ="rt").load(path.read_text(encoding="utf-8"))
        recipe = _ADAPTER.validate_python(data, context={"base": path.parent})
    except (OSError, UnicodeDecodeError, YAMLError, ValidationError) as err:
        raise RecipeError(f"{path}: {err} — run `mlprod validate {path}` for details") from err
    return LoadedRecipe(path=path, slug=path.stem, recipe=recipe)
