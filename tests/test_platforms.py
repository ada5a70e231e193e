"""Platforms in recipes and in mlprod.toml, `--platform` on publish and status, one line per
recipe and platform, one platform failing without holding back the others; through the real CLI
against the sandbox (YouTube and Discord)."""

from __future__ import annotations

import json
from pathlib import Path

from publish_helpers import Channel, tutorial
from reach_helpers import messages

from mlprod.sandbox.testing import delete_discord_webhook


def default_platforms(channel: Channel, names: str) -> Path:
    """mlprod.toml's ``[publish] platforms`` set to ``names`` (as written in the file)."""
    config = channel.settings.root / "mlprod.toml"
    config.write_text(config.read_text().replace('platforms = ["youtube"]', f"platforms = {names}"))
    return config


def test_mlprod_toml_names_the_platforms_of_recipes_that_do_not(channel: Channel, webhook) -> None:
    default_platforms(channel, '["discord", "youtube"]')
    channel.ready_build(channel.recipe("entretien.yaml", tutorial()))
    channel.ready_build(channel.recipe("cv.yaml", tutorial("Rédiger son CV", platforms=["youtube"])), seed=2)

    result = channel.cli("publish", "recipes/")

    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if not line.startswith(" ")]
    assert lines[:3] == ["recipes/cv.yaml on YouTube: published (public)",
                         "recipes/entretien.yaml on YouTube: published (public)",
                         "recipes/entretien.yaml on Discord: published (public)"]  # videos first
    assert len(channel.state()["videos"]) == 2 and len(messages(channel)) == 1


def test_a_bad_platform_in_mlprod_toml_names_the_file_and_the_fix(channel: Channel) -> None:
    config = default_platforms(channel, '["youtube", "tiktok"]')

    result = channel.cli("status")

    assert result.exit_code == 1
    assert (f"{config}: publish.platforms: 'tiktok' is not a platform — use youtube, youtube_short,"
            " facebook, instagram, discord") in result.output


def test_a_recipe_names_each_platform_once(channel: Channel) -> None:
    channel.recipe("entretien.yaml", tutorial(platforms=["youtube", "discord", "youtube"]))
    channel.recipe("cv.yaml", tutorial(platforms=["youtube", "tiktok"]))

    result = channel.cli("validate", "recipes/")

    assert result.exit_code == 1
    assert "recipes/entretien.yaml:6: publish.platforms: youtube named twice — name each platform once" in (
        result.output)
    assert ("recipes/cv.yaml:6: publish.platforms[1]: 'tiktok' is not allowed here — use one of: youtube,"
            " youtube_short, facebook, instagram, discord") in result.output


def test_platform_limits_publish_to_one_of_each_recipe_s_platforms(channel: Channel, webhook) -> None:
    channel.ready_build(channel.recipe("entretien.yaml", tutorial(platforms=["youtube", "discord"])))
    channel.ready_build(channel.recipe("cv.yaml", tutorial("Rédiger son CV")), seed=2)

    videos = channel.cli("publish", "recipes/", "--platform", "youtube")
    assert videos.exit_code == 0, videos.output
    assert "on Discord" not in videos.output and messages(channel) == []
    assert len(channel.state()["videos"]) == 2

    announced = channel.cli("publish", "recipes/", "--platform", "discord", "--json")

    assert announced.exit_code == 0, announced.output
    results = {(r["recipe"], r["platform"]): r for r in json.loads(announced.output)["results"]}
    assert results["recipes/entretien.yaml", "discord"]["outcome"] == "published"
    assert results["recipes/cv.yaml", "discord"]["outcome"] == "not_named"
    assert results["recipes/cv.yaml", "discord"]["message"] == (
        "not for discord: the recipe is published on youtube — add discord to its publish.platforms to"
        " publish it there too")
    assert len(results) == 2 and len(messages(channel)) == 1


def test_one_platform_failing_holds_back_none_and_the_exit_code_says_so(channel: Channel, webhook) -> None:
    delete_discord_webhook(channel.sandbox.url, webhook["id"])
    channel.ready_build(channel.recipe("entretien.yaml", tutorial(platforms=["youtube", "discord"])))
    cv = tutorial("Rédiger son CV", platforms=["discord", "youtube"])
    channel.ready_build(channel.recipe("cv.yaml", cv), seed=2)

    result = channel.cli("publish", "recipes/", "--json")

    assert result.exit_code == 1
    outcomes = [(r["recipe"], r["platform"], r["outcome"]) for r in json.loads(result.output)["results"]]
    assert outcomes == [("recipes/cv.yaml", "youtube", "published"), ("recipes/cv.yaml", "discord", "failed"),
                        ("recipes/entretien.yaml", "youtube", "published"),
                        ("recipes/entretien.yaml", "discord", "failed")]
    assert len(channel.state()["videos"]) == 2


def test_status_shows_each_platform_s_state_and_link(channel: Channel, webhook) -> None:
    channel.ready_build(channel.recipe("entretien.yaml", tutorial(platforms=["youtube", "discord"])))
    channel.ready_build(channel.recipe("cv.yaml", tutorial("Rédiger son CV")), seed=2)
    assert channel.cli("publish", "recipes/entretien.yaml", "--platform", "youtube").exit_code == 0
    [video] = channel.state()["videos"]

    before = channel.cli("status")

    assert before.exit_code == 0
    assert (f"recipes/entretien.yaml — Préparer son entretien\n    built landscape\n"
            f"    YouTube: published (public)\n      https://www.youtube.com/watch?v={video['id']}\n"
            "    Discord: not published yet\n") in before.output
    assert "recipes/cv.yaml — Rédiger son CV\n    built landscape\n    YouTube: not published yet" in (
        before.output)

    assert channel.cli("publish", "recipes/entretien.yaml").exit_code == 0
    [message] = messages(channel)
    only = channel.cli("status", "--platform", "discord")
    link = f"https://discord.com/channels/1000000000000000001/{webhook['channel_id']}/{message['id']}"
    assert only.output == (f"recipes/entretien.yaml — Préparer son entretien\n    built landscape\n"
                           f"    Discord: announced\n      {link}\n")
    [listed] = json.loads(channel.cli("status", "--platform", "discord", "--json").output)
    assert listed["platforms"] == [{"platform": "discord", "state": "published", "text": "announced",
                                    "url": link}]
    assert listed["youtube_id"] == video["id"]  # the top-level fields still describe the YouTube video
