"""Recipes: the schema (one model per kind) and loading YAML with line numbers for errors."""

from mlprod.recipe.loader import LoadedRecipe, load_recipe

__all__ = ["LoadedRecipe", "load_recipe"]
