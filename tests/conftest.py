"""Shared fixtures: a fresh workspace, generated media, the real CLI, both databases."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from mlprod.cli import cli
from mlprod.config import Settings
from mlprod.media.samples import ClipSpec, make_clip
from mlprod.workspace import init_workspace

# Every fixture module, listed once: test modules never list plugins themselves.
pytest_plugins = ["sandbox_fixtures", "intake_fixtures", "publish_fixtures", "meta_fixtures",
                  "cluster_fixtures", "sites_fixtures", "reach_fixtures"]

POSTGRES_URL = os.environ.get("MLPROD_TEST_POSTGRES_URL")


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's own overrides must not leak into tests."""
    for name in ("MLPROD_DATABASE_URL", "MLPROD_YOUTUBE_URL", "MLPROD_UPLOAD_CHUNK_SIZE",
                 "MLPROD_WORKSPACE", "MLPROD_GRAPH_URL", "MLPROD_RENDER_QUEUE", "MLPROD_RENDER_SHARED",
                 "MLPROD_SITE"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def workspace(tmp_path: Path) -> Settings:
    """A new workspace with the default brand, as `mlprod init` makes it."""
    return init_workspace(tmp_path / "ws").settings


@pytest.fixture(scope="session")
def media_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="session")
def clip_factory(media_cache: Path) -> Callable[..., Path]:
    """make(name, **ClipSpec fields) → a generated clip, made once per session and spec."""

    def make(name: str = "clip.mp4", **fields: object) -> Path:
        spec = ClipSpec(**fields)  # type: ignore[arg-type]
        key = f"{abs(hash(spec)):x}-{name}"
        path = media_cache / key
        if not path.exists():
            make_clip(path, spec)
        return path

    return make


@pytest.fixture
def run_cli(workspace: Settings) -> Callable[..., Result]:
    """Run the real CLI inside the workspace: run_cli("validate", "recipes/x.yaml")."""
    runner = CliRunner()

    def run(*args: str, env: dict[str, str] | None = None) -> Result:
        return runner.invoke(cli, ["-C", str(workspace.root), *args], env=env, catch_exceptions=False)

    return run


def _database_urls() -> list[object]:
    urls: list[object] = ["sqlite"]
    urls.append(pytest.param("postgres", marks=pytest.mark.skipif(
        not POSTGRES_URL, reason="set MLPROD_TEST_POSTGRES_URL to run against PostgreSQL (CI does)")))
    return urls


@pytest.fixture(params=_database_urls())
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Each database test runs on SQLite and, when configured, on a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    assert POSTGRES_URL
    from sqlalchemy import create_engine, text

    name = f"mlprod_test_{os.getpid()}_{abs(hash(request.node.nodeid)) % 10**8}"
    admin = create_engine(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1),
                          isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    base = POSTGRES_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
