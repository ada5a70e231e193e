"""`mlprod expire`: closed job offers become unlisted, say so, and leave their playlist; once."""

from __future__ import annotations

import json

from publish_helpers import Channel, job_offer, tutorial
from sqlalchemy import select

from mlprod.store.models import Publication

NOTICE = "Cette offre est pourvue ou close depuis le 1er février 2026."


def publish_offers(channel: Channel) -> None:
    channel.approve_submission("sub-2026-0001")
    channel.approve_submission("sub-2026-0002")
    closed = job_offer("sub-2026-0001", closes="2026-02-01").replace("start: 2027-01-04", "start: 2026-01-05")
    channel.ready_build(channel.recipe("offres/closed.yaml", closed))
    channel.ready_build(channel.recipe("offres/open.yaml", job_offer("sub-2026-0002", closes="2099-02-26")),
                        seed=2)
    channel.ready_build(channel.recipe("tutorial.yaml", tutorial()), seed=3)
    result = channel.cli("publish", "recipes/")
    assert result.exit_code == 0, result.output


def video_of(channel: Channel, recipe: str) -> dict:
    db = channel.db()
    with db.transaction() as s:
        youtube_id = s.scalar(select(Publication.remote_id).where(Publication.recipe == recipe))
    db.close()
    return next(v for v in channel.state()["videos"] if v["id"] == youtube_id)


def test_a_closed_offer_is_unlisted_marked_and_leaves_its_playlist(channel: Channel) -> None:
    publish_offers(channel)
    before = video_of(channel, "recipes/offres/closed.yaml")
    assert before["playlist_ids"]

    dry = channel.cli("expire", "--dry-run")
    assert dry.exit_code == 0
    assert "recipes/offres/closed.yaml on YouTube: closed on 2026-02-01, would be unlisted" in dry.output
    assert "open.yaml" not in dry.output and "tutorial" not in dry.output
    assert video_of(channel, "recipes/offres/closed.yaml") == before

    result = channel.cli("expire")

    assert result.exit_code == 0, result.output
    after = video_of(channel, "recipes/offres/closed.yaml")
    assert after["status"]["privacyStatus"] == "unlisted"
    assert after["snippet"]["description"].startswith(NOTICE + "\n\n" + before["snippet"]["description"][:40])
    assert {k: after["snippet"][k] for k in ("title", "tags", "categoryId", "defaultLanguage")} == {
        k: before["snippet"][k] for k in ("title", "tags", "categoryId", "defaultLanguage")}
    assert after["status"]["selfDeclaredMadeForKids"] is False  # the whole status part was sent back
    assert after["playlist_ids"] == []
    assert video_of(channel, "recipes/offres/open.yaml")["status"]["privacyStatus"] == "public"
    assert channel.state()["quota_used"] == channel.ledger()
    listed = {e["recipe"]: e for e in json.loads(channel.cli("status", "--json").output)}
    assert listed["recipes/offres/closed.yaml"]["expired_at"]
    assert listed["recipes/offres/open.yaml"]["offer_closes"] == "2099-02-26"


def test_expire_and_publish_again_change_nothing_more(channel: Channel) -> None:
    publish_offers(channel)
    channel.cli("expire")
    state = channel.state()

    again = channel.cli("expire")
    update = channel.cli("publish", "--update", "recipes/offres/closed.yaml")

    assert "No closed offer left online" in again.output
    assert update.exit_code == 0 and "unchanged" in update.output
    assert channel.state()["videos"] == state["videos"]
    assert channel.state()["requests"] == state["requests"]
