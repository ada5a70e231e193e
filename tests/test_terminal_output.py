"""What the terminal shows: `-v` is mlprod's own story, libraries stay quiet, no bars when piped."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from click.testing import Result
from publish_helpers import Channel
from publish_helpers import tutorial as publish_tutorial
from render_helpers import quick_brand, tutorial, write_recipe

from mlprod.config import Settings
from mlprod.progress import ProgressBar
from mlprod.recipe.examples import install_examples, write_example_media

LIBRARY_CHATTER = ("STREAM b'", "setup plugin alembic", "Running upgrade", "Context impl")


def test_verbose_build_shows_mlprod_commands_and_no_library_debug(
        workspace: Settings, clip_factory: Callable[..., Path], run_cli: Callable[..., Result]) -> None:
    quick_brand(workspace)
    write_recipe(workspace, "a.yaml", tutorial(f"file: {clip_factory(seconds=1.0)}"))

    result = run_cli("-v", "build", "recipes/a.yaml")

    assert result.exit_code == 0, result.output
    runs = [line for line in result.stderr.splitlines() if line.startswith(("run: ", "spawn: "))]
    assert any("ffmpeg" in line and "output/a/" in line for line in runs), result.stderr
    assert not [line for line in result.output.splitlines() if line.startswith(LIBRARY_CHATTER)]


def test_verbose_validate_shows_no_library_debug(workspace: Settings, run_cli: Callable[..., Result]) -> None:
    write_example_media(workspace.root)  # the job offer's logo is a PNG: Pillow logs every chunk
    install_examples(workspace.root)

    result = run_cli("-v", "validate", "recipes/entretien.yaml", "recipes/offres/boulangerie.yaml")

    assert "2 recipes checked: 2 valid" in result.output
    assert not [line for line in result.output.splitlines() if line.startswith(LIBRARY_CHATTER)]


def test_a_library_warning_shows_with_v_only(channel_factory: Callable[..., Channel]) -> None:
    """googleapiclient warns of each 403 it meets; without -v the user reads our own message only."""
    # the lookup on the channel (2 units) and the upload (100) fit, the calls after them do not
    channel = channel_factory(quota=2 + 100)
    channel.ready_build(channel.recipe("a.yaml", publish_tutorial(playlist="Entretiens")))

    quiet = channel.cli("publish", "recipes/a.yaml")
    verbose = channel.cli("-v", "publish", "recipes/a.yaml")

    for result in (quiet, verbose):
        assert result.exit_code == 1 and "the project's daily quota is spent" in result.output
    assert "Encountered 403 Forbidden" not in quiet.output
    assert 'Encountered 403 Forbidden with reason "quotaExceeded"' in verbose.output


def test_a_batch_build_not_on_a_terminal_prints_one_line_per_recipe(
        workspace: Settings, clip_factory: Callable[..., Path], run_cli: Callable[..., Result]) -> None:
    quick_brand(workspace)
    for name in ("a", "b"):
        write_recipe(workspace, f"{name}.yaml", tutorial(f"file: {clip_factory(seconds=1.0)}"))

    result = run_cli("build", "recipes/a.yaml", "recipes/b.yaml")

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line.split()[:2] for line in lines[:2]] == [
        ["built", "output/a/a-landscape.mp4"], ["built", "output/b/b-landscape.mp4"]]
    assert lines[2:] == ["2 recipes: 2 video(s) built, 0 up to date"]
    assert "\r" not in result.output


def test_a_bar_draws_nothing_when_its_stream_is_not_a_terminal() -> None:
    piped = io.StringIO()
    with ProgressBar("rendering landscape", stream=piped) as bar:
        bar.update(1, 2)
        bar.update(2, 2)
    assert piped.getvalue() == ""
