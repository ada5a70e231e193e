from __future__ import annotations

import click

from mlprod.commands.common import App, echo_json, pass_app
from mlprod.jobs.publish import publish_recipes
from mlprod.jobs.publish_results import BarFactory, BatchResult, Outcome, PublishOptions, PublishResult
from mlprod.progress import ProgressBar
from mlprod.publishing import Budget
from mlprod.states import Format, PlatformName
from mlprod.youtube.quota_costs import DAILY_QUOTA


def _line(result: PublishResult) -> str:
    """``recipes/x.yaml on YouTube: published (public)``: one line per recipe and platform."""
    where = f"{result.recipe} on {result.platform.label}"
    if result.message.startswith(f"{result.recipe}:"):  # the error names the file
        return where + result.message.removeprefix(result.recipe)
    if result.message.startswith("/"):
        return result.message
    return f"{where}: {result.message}"


def _print(batch: BatchResult) -> None:
    for result in batch.results:
        text = _line(result)
        if result.url:
            text += f"\n    {result.url}"
        failed = result.outcome in (Outcome.failed, Outcome.skipped)
        click.echo(text, err=failed)
        for warning in result.warnings:
            click.echo(f"    warning: {warning}", err=True)
    counts: dict[str, int] = {}
    for result in batch.results:
        counts[result.outcome.value] = counts.get(result.outcome.value, 0) + 1
    summary = ", ".join(f"{n} {name}" for name, n in counts.items())
    click.echo(f"{summary}." + "".join(_budget(name, budget) for name, budget in batch.budgets.items()))
    for budget in batch.budgets.values():
        if budget.warning:
            click.echo(f"Note: {budget.warning}.", err=True)
    if batch.stopped:
        click.echo(f"The batch stopped: {batch.stopped}", err=True)


def _budget(name: PlatformName, budget: Budget) -> str:
    label = "Quota" if name is PlatformName.youtube else f"{name.label} quota"
    note = f" ({budget.note})" if budget.note else ""
    return (f" {label}: {budget.spent_now:,} {budget.unit} spent now; today {budget.used_today:,} of"
            f" {budget.limit:,} used{note}.")


def _bars(app: App, unit: str) -> BarFactory | None:
    """Progress bars on a terminal only (never when piped, nor with --quiet)."""
    if not app.show_progress:
        return None

    def make(label: str) -> ProgressBar:
        return ProgressBar(label, unit=unit, enabled=True)

    return make


@click.command("publish")
@click.argument("recipes", nargs=-1, required=True)
@click.option("--update", is_flag=True,
              help="Push changed metadata (title, description, tags, privacy, schedule, playlist) of"
                   " videos already online, without uploading them again.")
@click.option("--format", "fmt", type=click.Choice([f.value for f in Format]),
              help="Which build to publish (default: the recipe's first output format).")
@click.option("--quota-budget", type=click.IntRange(min=1), default=DAILY_QUOTA, show_default=True,
              envvar="MLPROD_QUOTA_BUDGET", help="The project's daily YouTube quota, in units.")
@click.option("--platform", type=click.Choice([p.value for p in PlatformName]),
              help="Only this platform, of those each recipe names (publish.platforms, else mlprod.toml's"
                   " [publish] platforms).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object of results.")
@pass_app
def publish_command(app: App, recipes: tuple[str, ...], update: bool, fmt: str | None,
                    quota_budget: int, platform: str | None, as_json: bool) -> None:
    """Publish RECIPE videos on each platform they name: build if needed, upload once, print the links.

    A recipe's publish.platforms (else mlprod.toml's [publish] platforms, else youtube) says where:
    youtube (the landscape cut), youtube_short (the vertical cut as a Short, linked with the long
    video), facebook, instagram, discord (an announcement linking to the video). An upload resumes
    where it stopped if it was interrupted (run the same command again), and nothing is published
    twice. Thumbnail, French captions and playlist follow the video; job offers need their
    employer's approved consent. Refuses up front when today's quota cannot cover the batch. One
    line per recipe and platform; a platform that fails does not stop the others. Exits 1 if
    anything failed.

    Example: mlprod publish recipes/entretien.yaml recipes/offres/ --platform discord
    """
    options = PublishOptions(update=update, quota_budget=quota_budget, format=Format(fmt) if fmt else None,
                             upload_bar=_bars(app, "bytes"), build_bar=_bars(app, "s"),
                             only=PlatformName(platform) if platform else None)
    paths = app.recipes(recipes)
    try:
        batch = publish_recipes(app.settings, app.db, paths, options)
    except KeyboardInterrupt:
        click.echo("Interrupted: run the same command again, the upload resumes where it stopped.",
                   err=True)
        raise click.exceptions.Exit(130) from None
    if as_json:
        youtube = batch.youtube_budget
        echo_json({"results": [r.to_json() for r in batch.results],
                   "quota_spent": youtube.spent_now if youtube else 0,
                   "quota_used_today": youtube.used_today if youtube else 0,
                   "quota_budget": youtube.limit if youtube else quota_budget, "stopped": batch.stopped})
    else:
        _print(batch)
    if batch.failed:
        raise click.exceptions.Exit(1)
