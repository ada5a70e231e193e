from __future__ import annotations

from pathlib import Path

import click

from mlprod.commands.common import App, pass_app
from mlprod.errors import MlprodError
from mlprod.jobs.build import BuildResult, build_recipe
from mlprod.media.ffmpeg import ProgressCallback
from mlprod.progress import ProgressBar
from mlprod.recipe.schema import Format, Quality

FORMATS = ", ".join(f.value for f in Format)


def _formats(values: tuple[str, ...]) -> list[Format] | None:
    """--format landscape --format vertical, or --format landscape,vertical."""
    chosen = []
    for value in values:
        for name in filter(None, (v.strip().lower() for v in value.split(","))):
            try:
                chosen.append(Format(name))
            except ValueError:
                raise click.BadParameter(f"{name!r} is not a format — use {FORMATS}",
                                         param_hint="--format") from None
    return chosen or None


def _shown(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def _duration(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def _describe(result: BuildResult, root: Path) -> str:
    extras = [p.suffix.lstrip(".") for p in (result.captions, result.thumbnail) if p is not None]
    what = f"{_duration(result.duration)}, {result.size_bytes / 1e6:.1f} MB, with {' and '.join(extras)}"
    if result.reused:
        return f"up to date  {_shown(result.video, root)} ({what})"
    return f"built       {_shown(result.video, root)} ({what}) in {result.render_seconds:.1f} s"


def _pieces(result: BuildResult) -> str:
    """With -v: which pieces (and the sound, the thumbnail) were reused and which rendered."""
    if result.reused:
        return "  every piece reused: the recipe, its media and its brand are unchanged"
    lines = [f"  {'rendered' if o.rendered else 'reused  '}  {o.label}" for o in result.outcomes]
    made = sum(o.rendered for o in result.outcomes)
    lines.append(f"  {made} rendered, {len(result.outcomes) - made} reused from the render cache")
    return "\n".join(lines)


class _Bars:
    """One progress bar per rendered format, each closed when the next one starts."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.current: ProgressBar | None = None

    def __call__(self, label: str) -> ProgressCallback:
        self.close()
        self.current = ProgressBar(f"rendering {label}", unit="s", enabled=self.enabled)
        return self.current.update

    def close(self) -> None:
        if self.current is not None:
            self.current.close()
            self.current = None


@click.command("build")
@click.argument("recipes", nargs=-1, required=True)
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="The video file to write (one recipe and one format only); .srt and .jpg go beside it.")
@click.option("--format", "formats", multiple=True, metavar="F",
              help=f"{FORMATS}; repeat it or separate with commas (default: the recipe's output.formats).")
@click.option("--quality", type=click.Choice([q.value for q in Quality]),
              help="draft (540p, fast, to check a cut), standard (default) or master.")
@pass_app
def build_command(app: App, recipes: tuple[str, ...], output: Path | None, formats: tuple[str, ...],
                  quality: str | None) -> None:
    """Render RECIPE files (or folders of them) into videos, captions and thumbnails.

    For each recipe and format: output/<slug>/<slug>-<format>.mp4 (H.264/AAC, −14 LUFS), beside it
    the captions on the final timeline (.srt, for YouTube) and the thumbnail (.jpg, 1280×720).
    A build whose recipe, media and brand have not changed is reused at once. Otherwise only the
    pieces that changed are rendered again (a card, a few seconds of a clip, the sound): the
    others come from the render cache (see `mlprod cache`); `mlprod -v build` lists them.
    A failing recipe does not stop the others; the command then exits 1.

    \b
    Examples:
      mlprod build recipes/entretien.yaml
      mlprod build recipes/*.yaml --format vertical,square --quality draft
      mlprod build recipes/entretien.yaml --format landscape -o ~/Bureau/entretien.mp4
    """
    chosen = _formats(formats)
    verbose = bool(click.get_current_context().find_root().params.get("verbose"))
    base = app.base
    files = app.recipes(recipes)
    if output is not None and (len(files) != 1 or (chosen is not None and len(chosen) != 1)):
        raise click.UsageError("-o/--output names one video: give one recipe and at most one --format")
    settings = app.settings
    out = None if output is None else (output if output.is_absolute() else base / output)
    failed: list[str] = []
    done: list[BuildResult] = []
    for recipe in files:
        bars = _Bars(app.show_progress)
        try:
            results = build_recipe(settings, app.db, recipe, formats=chosen,
                                   quality=Quality(quality) if quality else None, output=out, progress=bars)
        except MlprodError as err:
            bars.close()
            failed.append(_shown(recipe, settings.root))
            click.echo(f"failed      {_shown(recipe, settings.root)}\n  {err}", err=True)
            continue
        bars.close()
        done += results
        for result in results:
            click.echo(_describe(result, settings.root))
            if verbose:
                click.echo(_pieces(result))
    _summary(len(files), done, failed)


def _summary(total: int, done: list[BuildResult], failed: list[str]) -> None:
    built = sum(not r.reused for r in done)
    reused = len(done) - built
    if total > 1 or failed:
        line = f"{total} recipe{'s' if total != 1 else ''}: {built} video(s) built, {reused} up to date"
        if failed:
            line += f", {len(failed)} recipe(s) failed: {', '.join(failed)}"
        click.echo(line, err=bool(failed))
    if failed:
        raise click.exceptions.Exit(1)
