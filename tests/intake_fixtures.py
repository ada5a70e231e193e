"""Fixtures for the intake tests: the database and the real uvicorn server in a thread.

Listed once in conftest.py's ``pytest_plugins``; the plain helpers are in intake_helpers.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from intake_helpers import Server

from mlprod.config import Settings
from mlprod.intake import load_intake_options, serve_in_thread
from mlprod.store import Database, open_database


@pytest.fixture
def intake_db(workspace: Settings) -> Iterator[Database]:
    db = open_database(workspace.database_url)
    yield db
    db.close()


@pytest.fixture
def intake_factory(workspace: Settings, intake_db: Database) -> Iterator[Callable[..., Server]]:
    """start(**IntakeOptions fields) → the real uvicorn server in a thread, stopped after the test."""
    stops: list[Callable[[], None]] = []

    def start(**options: Any) -> Server:
        opts = load_intake_options(workspace).with_overrides(**options)
        url, stop = serve_in_thread(workspace, options=opts, db=intake_db)
        stops.append(stop)
        return Server(url, workspace, intake_db)

    yield start
    for stop in stops:
        stop()


@pytest.fixture
def intake_server(intake_factory: Callable[..., Server]) -> Server:
    return intake_factory()


@pytest.fixture
def shared_db_server(workspace: Settings, database_url: str) -> Iterator[Server]:
    """The real server on the ``database_url`` fixture's database: SQLite, and PostgreSQL when configured."""
    db = open_database(database_url)
    url, stop = serve_in_thread(workspace, options=load_intake_options(workspace), db=db)
    yield Server(url, workspace, db)
    stop()
    db.close()
