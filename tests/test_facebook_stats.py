"""`mlprod stats sync` for Facebook and Instagram: the Page's and the account's followers per day,
each post's views — read from the sandbox's Graph API, stored once per day."""

from __future__ import annotations

import json

from meta_helpers import MetaPage, reel_recipe
from sqlalchemy import select

from mlprod.sandbox.history_spec import parse_history
from mlprod.states import PlatformName
from mlprod.store.models import PlatformFollowers, PublicationViews


def test_stats_sync_records_followers_and_views_once_a_day(meta_factory, vertical_clip) -> None:
    meta: MetaPage = meta_factory(history=parse_history("2025-01-01:200,2026-11-30:1800"))
    recipe = meta.recipe("a.yaml", reel_recipe())
    meta.ready_build(recipe, vertical_clip)
    batch = meta.publish(recipe, platforms=(PlatformName.facebook, PlatformName.instagram),
                         sleep=lambda _s: None)
    assert [r.outcome.value for r in batch.results] == ["published", "published"], batch.results

    first = meta.cli("stats", "sync", "--platform", "facebook", "--platform", "instagram", "--json")
    again = meta.cli("stats", "sync", "--platform", "facebook", "--platform", "instagram")

    assert first.exit_code == 0, first.output
    assert again.exit_code == 0, again.output
    state = meta.state()
    page = state["facebook"]["pages"][0]["followers_count"]
    account = state["instagram"]["accounts"][0]["followers_count"]
    synced = {p["platform"]: p for p in json.loads(first.output)["platforms"]}
    assert synced["facebook"]["followers"] == page and synced["instagram"]["followers"] == account
    assert f"Facebook: {page:,} followers" in again.output
    db = meta.db()
    with db.transaction() as s:
        followers = {(r.platform, r.followers) for r in s.scalars(select(PlatformFollowers))}
        views = list(s.scalars(select(PublicationViews)))
    db.close()
    assert followers == {(PlatformName.facebook, page), (PlatformName.instagram, account)}  # one day each
    assert sorted(v.platform.value for v in views) == ["facebook", "instagram"]
    assert {v.remote_id for v in views} == {r.remote_id for r in batch.results}


def test_a_lost_sign_in_is_reported_with_the_fix(meta: MetaPage, vertical_clip) -> None:
    recipe = meta.recipe("a.yaml", reel_recipe())
    meta.ready_build(recipe, vertical_clip)
    meta.publish(recipe, platforms=(PlatformName.facebook,))
    meta.admin("expire-tokens")

    answer = meta.cli("stats", "sync", "--platform", "facebook")

    assert answer.exit_code == 1
    assert "Facebook: not synced" in answer.output
    assert "mlprod auth login --platform facebook" in answer.output


def test_without_youtube_sign_in_the_other_platforms_still_sync(meta: MetaPage, vertical_clip) -> None:
    recipe = meta.recipe("a.yaml", reel_recipe())
    meta.ready_build(recipe, vertical_clip)
    meta.publish(recipe, platforms=(PlatformName.facebook,))

    answer = meta.cli("stats", "sync")  # YouTube and every platform published on

    assert answer.exit_code == 1
    assert "YouTube: not synced — not signed in to YouTube" in answer.output
    assert "Facebook: 0 followers" in answer.output
