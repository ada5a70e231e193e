"""RECIPE arguments, one rule for build, validate and publish: files as given, folders recursively,
quoted patterns expanded, and a clear error for whatever names no recipe."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from click.testing import Result

from mlprod.config import Settings

RunCli = Callable[..., Result]
RECIPE = "kind: tutorial\ntitle: {title}\nclips:\n  - file: ../media/absent.mp4\n"
UNREACHABLE = {"MLPROD_YOUTUBE_URL": "http://127.0.0.1:9"}


@pytest.fixture
def recipes(workspace: Settings) -> Settings:
    for name in ("recipes/a.yaml", "recipes/offres/b.yml", "recipes/offres/.brouillons/c.yaml"):
        path = workspace.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(RECIPE.format(title=path.stem), encoding="utf-8")
    (workspace.recipes_dir / "notes.txt").write_text("pas une recette\n", encoding="utf-8")
    (workspace.recipes_dir / "vide").mkdir()
    return workspace


def checked(result: Result) -> list[str]:
    return [report["file"] for report in json.loads(result.output)]


def test_a_folder_stands_for_its_recipes_at_any_depth_sorted(recipes: Settings, run_cli: RunCli) -> None:
    result = run_cli("validate", "--json", "recipes")
    assert checked(result) == ["recipes/a.yaml", "recipes/offres/b.yml"]  # no hidden folder, no .txt


def test_a_quoted_pattern_is_expanded_and_each_recipe_comes_once(recipes: Settings, run_cli: RunCli) -> None:
    result = run_cli("validate", "--json", "recipes/offres/b.yml", "recipes/*.yaml", "recipes/**/*.yml",
                     "recipes/a.yaml")
    assert checked(result) == ["recipes/offres/b.yml", "recipes/a.yaml"]


def test_validate_reports_what_names_no_recipe_beside_the_others(recipes: Settings, run_cli: RunCli) -> None:
    result = run_cli("validate", "recipes/absent.yaml", "recipes/vide", "recipes/*.mp4", "recipes/a.yaml")

    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert "recipes/absent.yaml: file not found — check the path and the file name" in lines
    assert "recipes/vide: no recipe (.yaml) in this folder — name recipe files, or a folder that holds some" \
        in lines
    assert ("recipes/*.mp4: no recipe matches this pattern — check the pattern and the folder it starts"
            " from") in lines
    assert any(line.startswith("recipes/a.yaml:4: clips[0].file:") for line in lines)  # still checked


def test_build_refuses_what_names_no_recipe_before_building_anything(
        recipes: Settings, run_cli: RunCli) -> None:
    result = run_cli("build", "recipes/a.yaml", "recipes/absent.yaml", "recipes/*.mov")

    assert result.exit_code == 1
    assert "recipes/absent.yaml: file not found — check the path and the file name" in result.output
    assert "recipes/*.mov: no recipe matches this pattern" in result.output
    assert "failed" not in result.output and not (recipes.output_dir / "a").exists()  # a.yaml not tried


def test_publish_refuses_them_before_reaching_youtube(recipes: Settings, run_cli: RunCli) -> None:
    result = run_cli("publish", "recipes/vide", env=UNREACHABLE)

    assert result.exit_code == 1
    assert "recipes/vide: no recipe (.yaml) in this folder" in result.output
    assert "Traceback" not in result.output


def test_build_takes_a_quoted_pattern_like_validate(recipes: Settings, run_cli: RunCli) -> None:
    result = run_cli("build", "recipes/**/*.yml")

    assert result.exit_code == 1  # its clip is missing: the recipe was found and tried
    assert "failed      recipes/offres/b.yml" in result.output
    assert "recipes/a.yaml" not in result.output
