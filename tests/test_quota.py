"""The quota ledger: Pacific-time days, the reset time in Paris, refusing a batch up front."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from click.testing import Result

from mlprod.config import Settings
from mlprod.errors import QuotaExceeded
from mlprod.store import open_database
from mlprod.youtube.quota import (
    ensure_budget,
    failed_call_cost,
    quota_day,
    record_spend,
    reset_text,
    spent_today,
)

UTC = dt.UTC


def test_the_quota_day_is_the_date_in_california() -> None:
    assert quota_day(dt.datetime(2026, 11, 26, 7, 59, tzinfo=UTC)) == dt.date(2026, 11, 25)
    assert quota_day(dt.datetime(2026, 11, 26, 8, 0, tzinfo=UTC)) == dt.date(2026, 11, 26)
    assert quota_day(dt.datetime(2026, 7, 1, 6, 59, tzinfo=UTC)) == dt.date(2026, 6, 30)  # PDT


def test_the_reset_is_told_in_paris_time() -> None:
    winter = dt.datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    assert reset_text(winter) == "the quota resets at midnight Pacific time, 09:00 in Paris"
    # 8 to 29 March 2026: California is on summer time, Paris not yet
    assert reset_text(dt.datetime(2026, 3, 20, 12, 0, tzinfo=UTC)).endswith("08:00 in Paris")


def test_the_ledger_sums_today_only(database_url: str) -> None:
    db = open_database(database_url)
    now = dt.datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    record_spend(db, "youtube.videos.insert", 100, now=now)
    record_spend(db, "youtube.thumbnails.set", 50, now=now)
    record_spend(db, "youtube.videos.insert", 100, now=now - dt.timedelta(days=1))
    with db.transaction() as session:  # inside a caller's transaction too
        record_spend(session, "youtube.playlists.list", 1, now=now)
    assert spent_today(db, now) == 151
    db.close()


def test_a_budget_too_small_is_refused_with_the_figures(database_url: str) -> None:
    db = open_database(database_url)
    now = dt.datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    record_spend(db, "youtube.videos.insert", 9_700, now=now)
    ensure_budget(db, 300, now=now)  # exactly what is left: fine
    with pytest.raises(QuotaExceeded) as caught:
        ensure_budget(db, 1_050, now=now)
    assert ("today 9,700 of 10,000 units used; this publish needs about 1,050 — the quota resets at"
            " midnight Pacific time, 09:00 in Paris") in str(caught.value)
    db.close()


def test_refused_calls_cost_what_the_api_charges() -> None:
    assert failed_call_cost("youtube.videos.insert", 400, "invalidTitle") == 1
    assert failed_call_cost("youtube.videos.insert", 403, "quotaExceeded") == 0
    assert failed_call_cost("youtube.videos.list", 401, "authError") == 0
    assert failed_call_cost("youtube.videos.update", 404, "videoNotFound") == 50
    assert failed_call_cost("youtube.videos.update", 503, "backendError") == 0


RECIPE = """\
kind: tutorial
title: Préparer son entretien
clips:
  - file: ../media/a.mp4
publish:
  playlist: Entretiens
"""


def test_publish_refuses_up_front_when_the_quota_left_is_too_small(
        workspace: Settings, run_cli: Callable[..., Result]) -> None:
    recipe = workspace.recipes_dir / "entretien.yaml"
    recipe.write_text(RECIPE, encoding="utf-8")
    db = open_database(workspace.database_url)
    record_spend(db, "youtube.videos.insert", 9_700)
    db.close()

    result = run_cli("publish", "recipes/entretien.yaml", env={"MLPROD_YOUTUBE_URL": "http://127.0.0.1:9"})

    assert result.exit_code == 1
    assert "today 9,700 of 10,000 units used; this publish needs about" in result.output
    assert "midnight Pacific time" in result.output
    assert "Traceback" not in result.output


def test_the_budget_option_changes_the_limit(workspace: Settings, run_cli: Callable[..., Result]) -> None:
    (workspace.recipes_dir / "entretien.yaml").write_text(RECIPE, encoding="utf-8")

    result = run_cli("publish", "--quota-budget", "500", "recipes/entretien.yaml")

    assert result.exit_code == 1
    # videos.insert 100, looking for it on the channel 3, thumbnail 50, captions 400, playlist 101,
    # then making it public 50
    assert "today 0 of 500 units used; this publish needs about 704" in result.output
