from __future__ import annotations

from pathlib import Path

import click

from mlprod.commands.common import App, echo_json, pass_app
from mlprod.config import Settings, find_workspace
from mlprod.errors import ConfigError
from mlprod.recipe.problems import FileReport
from mlprod.recipe.validate import validate_paths


def _base_folder(app: App) -> Path:
    """Where relative paths start: the -C folder, else the current one."""
    if app.workspace is None:
        return Path.cwd()
    if not app.workspace.is_dir():
        raise ConfigError(f"{app.workspace}: this folder does not exist — check the -C option"
                          " (or MLPROD_WORKSPACE)")
    return app.workspace.resolve()


def _optional_settings(app: App) -> Settings | None:
    """The workspace's settings, or None outside a workspace (validate then skips the brand check)."""
    try:
        find_workspace(app.workspace)
    except ConfigError:
        return None
    return app.settings


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary(reports: list[FileReport]) -> str:
    valid = sum(r.valid for r in reports)
    invalid = len(reports) - valid
    errors = sum(len(r.errors) for r in reports)
    warnings = sum(len(r.warnings) for r in reports)
    text = f"{_plural(len(reports), 'recipe')} checked: {valid} valid"
    if invalid:
        text += f", {invalid} with {_plural(errors, 'problem')}"
    if warnings:
        text += f" ({_plural(warnings, 'warning')})"
    return text


@click.command("validate")
@click.argument("recipes", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of {file, valid, problems}.")
@pass_app
def validate_command(app: App, recipes: tuple[str, ...], as_json: bool) -> None:
    """Check RECIPE files (or folders of them) before building.

    Reads each recipe, checks its keys and values, probes the clips, music and logo it names,
    parses its subtitles, and applies YouTube's rules to the title, description, tags and
    schedule. Prints FILE:LINE: field: problem — fix for each problem; exits 1 if any recipe
    has an error (warnings do not fail).

    Example: mlprod validate recipes/entretien.yaml recipes/offres/
    """
    base = _base_folder(app)
    settings = _optional_settings(app)
    reports = validate_paths(recipes, settings, base=base)
    if as_json:
        echo_json([report.to_json(base) for report in reports])
    else:
        for report in reports:
            for problem in report.problems:
                click.echo(problem.format(base))
        click.echo(summary(reports))
    if not all(report.valid for report in reports):
        raise click.exceptions.Exit(1)
