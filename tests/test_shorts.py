"""YouTube Shorts (`youtube_short` in publish.platforms): the vertical cut on the same channel, at
most 3 minutes, linked with the long video in both descriptions; through the real CLI and the real
Google client against the sandbox, on real MP4s (the Short's file is probed)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from publish_helpers import Channel, tutorial
from sqlalchemy import select

from mlprod.states import Format, PlatformName, Step
from mlprod.store.models import Publication

BOTH = "\n".join(["output:", "  formats: [landscape, vertical]", "publish:",
                  "  platforms: [youtube_short, youtube]", "  playlist: Entretiens",
                  "  description: Nos conseils pour réussir votre entretien."])


def pair_recipe(channel: Channel, text: str = BOTH, name: str = "entretien.yaml") -> Path:
    return channel.recipe(name, tutorial() + text + "\n")


def videos(channel: Channel) -> dict[str, dict[str, Any]]:
    """The channel's videos by kind of cut: "long" (landscape) and "short"."""
    found = {}
    for video in channel.state()["videos"]:
        tags = video["snippet"].get("tags", [])
        found["short" if video["media_bytes"] < 400_000 else "long"] = video
        assert any(t.startswith("mlprod-") for t in tags)
    return found


def test_a_recipe_makes_a_video_and_its_short_linked_both_ways(
        channel: Channel, mp4_factory: Callable[..., Path]) -> None:
    recipe = pair_recipe(channel)
    channel.ready_build(recipe, size=2 * 1024 * 1024)  # the long video: the landscape cut
    channel.ready_build(recipe, fmt=Format.vertical, source=mp4_factory(540, 960, 4.0))

    result = channel.cli("publish", "recipes/entretien.yaml")

    assert result.exit_code == 0, result.output
    found = videos(channel)
    long, short = found["long"], found["short"]
    assert "recipes/entretien.yaml on YouTube: published (public)" in result.output
    assert "recipes/entretien.yaml on YouTube Shorts: published (public)" in result.output
    assert f"https://www.youtube.com/shorts/{short['id']}" in result.output
    assert short["snippet"]["description"].endswith(
        f"La vidéo complète : https://www.youtube.com/watch?v={long['id']}")
    assert long["snippet"]["description"].endswith(
        f"La version courte (Short) : https://www.youtube.com/shorts/{short['id']}")
    assert long["snippet"]["description"].startswith("Nos conseils pour réussir votre entretien.")
    assert short["status"]["privacyStatus"] == long["status"]["privacyStatus"] == "public"
    assert short["thumbnail"] is not None and [c["language"] for c in short["captions"]] == ["fr"]
    [playlist] = channel.state()["playlists"]
    assert playlist["video_ids"] == [long["id"]]  # the Short joins no playlist
    assert channel.state()["quota_used"] == channel.ledger()
    db = channel.db()
    with db.transaction() as s:
        rows = {p.platform: p for p in s.scalars(select(Publication))}
    assert rows[PlatformName.youtube_short].url == f"https://www.youtube.com/shorts/{short['id']}"
    assert rows[PlatformName.youtube].missing == rows[PlatformName.youtube_short].missing == []
    db.close()

    before = channel.state()
    again = channel.cli("publish", "recipes/entretien.yaml")
    assert again.exit_code == 0 and again.output.count("already published") == 2
    assert channel.state()["requests"] == before["requests"]


def test_the_short_first_then_the_long_video_links_them_too(
        channel: Channel, mp4_factory: Callable[..., Path]) -> None:
    recipe = pair_recipe(channel)
    channel.ready_build(recipe, size=2 * 1024 * 1024)
    channel.ready_build(recipe, fmt=Format.vertical, source=mp4_factory(540, 960, 4.0))

    first = channel.cli("publish", "recipes/entretien.yaml", "--platform", "youtube_short")
    assert first.exit_code == 0, first.output
    assert "on YouTube:" not in first.output
    [short] = channel.state()["videos"]
    assert "La vidéo complète" not in short["snippet"]["description"]  # no long video to link yet

    second = channel.cli("publish", "recipes/entretien.yaml")

    assert second.exit_code == 0, second.output
    found = videos(channel)
    assert found["short"]["snippet"]["description"].endswith(
        f"La vidéo complète : https://www.youtube.com/watch?v={found['long']['id']}")
    assert found["long"]["snippet"]["description"].endswith(
        f"https://www.youtube.com/shorts/{found['short']['id']}")
    assert found["short"]["snippet"]["tags"] == short["snippet"]["tags"]  # the snippet sent back whole
    assert channel.state()["quota_used"] == channel.ledger()


def test_a_short_needs_a_vertical_cut_and_the_long_video_goes_anyway(channel: Channel) -> None:
    recipe = pair_recipe(channel, BOTH.replace("[landscape, vertical]", "[landscape]"))
    channel.ready_build(recipe)

    result = channel.cli("publish", "recipes/entretien.yaml")

    assert result.exit_code == 1
    assert ("recipes/entretien.yaml on YouTube Shorts: youtube_short: a Short is the vertical (or square)"
            " cut, and this recipe makes none — add vertical to output.formats") in result.output
    assert "recipes/entretien.yaml on YouTube: published (public)" in result.output
    [long] = channel.state()["videos"]
    # the link step found no Short: nothing was linked, and it is not left missing either
    assert "Short" not in long["snippet"]["description"]
    db = channel.db()
    with db.transaction() as s:
        publication = s.scalar(select(Publication))
        assert publication is not None and Step.link.value not in publication.missing
    db.close()


def test_a_short_over_three_minutes_is_refused_before_any_upload(
        channel: Channel, mp4_factory: Callable[..., Path]) -> None:
    recipe = pair_recipe(channel, BOTH.replace("youtube_short, youtube", "youtube_short"))
    channel.ready_build(recipe, fmt=Format.vertical, source=mp4_factory(540, 960, 181.0))

    result = channel.cli("publish", "recipes/entretien.yaml")

    assert result.exit_code == 1
    assert ("recipes/entretien.yaml on YouTube Shorts: youtube_short: entretien-vertical.mp4 lasts"
            " 3 min 01 s, and a Short lasts at most 3 minutes — trim the clips") in result.output
    assert channel.state()["videos"] == [] and channel.state()["quota_used"] == 0


def test_a_landscape_cut_is_not_a_short(channel: Channel) -> None:
    recipe = pair_recipe(channel, BOTH.replace("youtube_short, youtube", "youtube_short"))
    channel.ready_build(recipe, fmt=Format.vertical)

    result = channel.cli("publish", "recipes/entretien.yaml", "--format", "landscape")

    assert result.exit_code == 1
    assert "a Short is the vertical (or square) cut, and --format landscape was asked" in result.output
    assert channel.state()["videos"] == []
