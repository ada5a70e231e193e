"""Recipes: the schema (one model per kind), loading YAML with line numbers for errors, validation.

``load_recipe`` gives a typed recipe or a RecipeError listing every problem; ``mlprod validate``
goes further (files, subtitles, YouTube rules, brand) through :mod:`mlprod.recipe.validate`.
"""

from mlprod.recipe.loader import LoadedRecipe, RecipeCheck, check_recipe_file, load_recipe
from mlprod.recipe.problems import FileReport, Problem

__all__ = ["FileReport", "LoadedRecipe", "Problem", "RecipeCheck", "check_recipe_file", "load_recipe"]
