"""`mlprod init`, workspace discovery and settings overrides, through the real CLI."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from mlprod.brand import load_brand
from mlprod.cli import cli
from mlprod.config import find_workspace, load_settings
from mlprod.errors import ConfigError


def test_init_creates_the_layout_and_default_brand(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "chaine")])
    assert result.exit_code == 0, result.output
    root = tmp_path / "chaine"
    for name in ("mlprod.toml", "recipes", "media", "output", ".gitignore"):
        assert (root / name).exists(), name
    brand = load_brand(root / "assets" / "brands" / "ml-prod")
    assert brand.primary.startswith("#") and brand.fps == 30
    with Image.open(brand.logo) as logo:
        assert logo.size == (512, 512)
    assert brand.title_font.read_bytes()[:4] == b"\x00\x01\x00\x00"  # a real TrueType font
    assert (brand.folder / "fonts" / "LICENSE_DEJAVU").is_file()
    assert ".mlprod/" in (root / ".gitignore").read_text()


def test_init_twice_keeps_what_is_there(tmp_path: Path) -> None:
    runner = CliRunner()
    runner.invoke(cli, ["init", str(tmp_path)])
    (tmp_path / "mlprod.toml").write_text('[workspace]\nbrand = "ml-prod"\n# mine\n')
    result = runner.invoke(cli, ["init", str(tmp_path)])
    assert result.exit_code == 0
    assert "nothing to do" in result.output
    assert "# mine" in (tmp_path / "mlprod.toml").read_text()


def test_commands_find_the_workspace_upward(tmp_path: Path) -> None:
    CliRunner().invoke(cli, ["init", str(tmp_path)])
    deep = tmp_path / "recipes" / "offres"
    deep.mkdir(parents=True)
    assert find_workspace(deep) == tmp_path.resolve()


def test_outside_a_workspace_the_message_says_to_run_init(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="mlprod init"):
        find_workspace(tmp_path)


def test_a_workspace_that_does_not_exist_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="nope: this folder does not exist"):
        load_settings(tmp_path / "nope", {})


def test_environment_overrides_the_file(tmp_path: Path) -> None:
    CliRunner().invoke(cli, ["init", str(tmp_path)])
    env = {"MLPROD_DATABASE_URL": "sqlite:////tmp/other.db", "MLPROD_YOUTUBE_URL": "http://127.0.0.1:9/",
           "MLPROD_UPLOAD_CHUNK_SIZE": str(262144 * 4), "MLPROD_FFMPEG": "/opt/ffmpeg"}
    settings = load_settings(tmp_path, env)
    assert settings.database_url == "sqlite:////tmp/other.db"
    assert settings.youtube_url == "http://127.0.0.1:9"
    assert settings.upload_chunk_size == 262144 * 4
    assert settings.ffmpeg == "/opt/ffmpeg"
    default = load_settings(tmp_path, {})
    assert default.database_url.endswith(".mlprod/mlprod.db") and default.youtube_url is None


def test_a_chunk_size_off_the_256k_grid_is_refused_with_the_fix(tmp_path: Path) -> None:
    CliRunner().invoke(cli, ["init", str(tmp_path)])
    with pytest.raises(ConfigError, match="multiple of 262144"):
        load_settings(tmp_path, {"MLPROD_UPLOAD_CHUNK_SIZE": "1000000"})


def test_a_broken_config_file_names_itself(tmp_path: Path) -> None:
    CliRunner().invoke(cli, ["init", str(tmp_path)])
    (tmp_path / "mlprod.toml").write_text("[workspace\n")
    with pytest.raises(ConfigError, match=r"mlprod\.toml: not valid TOML"):
        load_settings(tmp_path, {})


def test_state_folder_is_private(tmp_path: Path) -> None:
    CliRunner().invoke(cli, ["init", str(tmp_path)])
    mode = stat.S_IMODE(os.stat(tmp_path / ".mlprod").st_mode)
    assert mode & 0o077 == 0, oct(mode)
