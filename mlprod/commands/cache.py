from __future__ import annotations

import click

from mlprod.commands.common import App, echo_json, pass_app
from mlprod.jobs.cache import CacheUsage, cache_usage, clean_cache


def _size(value: int) -> str:
    if value >= 1e9:
        return f"{value / 1e9:.1f} GB"
    return f"{value / 1e6:.1f} MB"


def _shown(usage: CacheUsage, root_name: str) -> str:
    lines = [f"render cache  {root_name}  {_size(usage.bytes)} of {_size(usage.limit)}"
             f" ({usage.files} files)"]
    lines += [f"  {part.name:<12}{part.files:>6} files  {_size(part.bytes):>9}" for part in usage.parts]
    return "\n".join(lines)


@click.command("cache")
@click.option("--clean", is_flag=True,
              help="Remove what no recipe in recipes/ uses (older cuts, deleted recipes, fixed lines).")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@pass_app
def cache_command(app: App, clean: bool, as_json: bool) -> None:
    """Show the render cache's size; with --clean, remove what no current recipe uses.

    Builds keep each rendered piece (a card, a few seconds of a clip), the sound and the
    thumbnail in .mlprod/cache, so that changing one subtitle line re-renders only the pieces it
    is shown on. The cache stays under `cache_limit_mb` ([render] in mlprod.toml): the pieces
    used the longest ago go first. --clean plans every recipe in recipes/ (nothing is rendered)
    and removes the rest; a later build of a removed piece renders it again.

    \b
    Examples:
      mlprod cache
      mlprod cache --clean
    """
    settings = app.settings
    folder = settings.cache_dir.relative_to(settings.root).as_posix()
    if clean:
        cleaned = clean_cache(settings, app.db)
        for problem in cleaned.skipped:
            click.echo(f"warning: {problem}\n  (its pieces count as unused)", err=True)
        if not as_json:
            click.echo(f"removed {cleaned.removed_files} files ({_size(cleaned.removed_bytes)}) that none of"
                       f" the {cleaned.recipes} recipes in recipes/ uses")
    usage = cache_usage(settings)
    if as_json:
        data: dict[str, object] = {
            "folder": folder, "bytes": usage.bytes, "files": usage.files, "limit_bytes": usage.limit,
            "parts": {p.name: {"files": p.files, "bytes": p.bytes} for p in usage.parts}}
        if clean:
            data["removed"] = {"files": cleaned.removed_files, "bytes": cleaned.removed_bytes,
                               "recipes": cleaned.recipes, "skipped": cleaned.skipped}
        echo_json(data)
        return
    click.echo(_shown(usage, folder))
