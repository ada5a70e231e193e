"""Publishing the vertical cut as an Instagram Reel: a resumable container, polled until ready,
published once; the caption's rules and the missing cut refused before anything is sent."""

from __future__ import annotations

import logging

from meta_helpers import PART, MetaPage, reel_recipe, sha256

from mlprod.jobs.publish_results import Outcome
from mlprod.states import PlatformName

INSTAGRAM = (PlatformName.instagram,)


def media(meta: MetaPage) -> list[dict]:
    return meta.state()["instagram"]["media"]


def containers(meta: MetaPage) -> list[dict]:
    return meta.state()["instagram"]["containers"]


def test_a_reel_is_uploaded_polled_until_ready_then_published(meta: MetaPage, vertical_clip, caplog) -> None:
    recipe = meta.recipe("a.yaml", reel_recipe(extra="publish:\n  description: 'Nos conseils #emploi'\n"))
    build = meta.ready_build(recipe, vertical_clip, size=None)
    waits: list[float] = []

    with caplog.at_level(logging.WARNING, logger="mlprod"):
        batch = meta.publish(recipe, platforms=INSTAGRAM, sleep=waits.append)

    [result] = batch.results
    assert result.outcome is Outcome.published, result.message
    [post] = media(meta)
    assert post["id"] == result.remote_id and result.url == post["permalink"]
    assert "réf. mlprod-" in post["caption"] and "#emploi" in post["caption"]
    [container] = containers(meta)
    assert container["status_code"] == "PUBLISHED"
    assert container["sha256"] == sha256(build.video)
    assert waits, "the container was IN_PROGRESS for a while: mlprod polled it"

    again = meta.publish(recipe, platforms=INSTAGRAM)
    assert again.results[0].outcome is Outcome.already and len(media(meta)) == 1


def test_a_caption_over_the_rules_is_refused_before_any_upload(meta: MetaPage, vertical_clip) -> None:
    tags = ", ".join(f"tag{n}" for n in range(31))
    recipe = meta.recipe("a.yaml", reel_recipe(extra=f"publish:\n  tags: [{tags}]\n"))
    meta.ready_build(recipe, vertical_clip)

    batch = meta.publish(recipe, platforms=INSTAGRAM)

    [result] = batch.results
    assert result.outcome is Outcome.failed
    assert result.message.startswith("recipes/a.yaml: instagram: the caption has 31 hashtags")
    assert "remove some tags" in result.message
    assert containers(meta) == []


def test_a_recipe_without_a_vertical_cut_is_refused(meta: MetaPage) -> None:
    recipe = meta.recipe("a.yaml", reel_recipe(formats="[landscape]"))

    batch = meta.publish(recipe, platforms=INSTAGRAM)

    [result] = batch.results
    assert result.outcome is Outcome.failed
    assert "instagram: a Reel is the vertical cut" in result.message and "add vertical" in result.message
    assert containers(meta) == []


def test_a_container_in_error_is_replaced_by_a_new_upload_next_time(meta_factory, vertical_clip) -> None:
    meta: MetaPage = meta_factory(faults="igerror@1")
    recipe = meta.recipe("a.yaml", reel_recipe())
    meta.ready_build(recipe, vertical_clip)

    first = meta.publish(recipe, platforms=INSTAGRAM, sleep=lambda _s: None)
    assert first.results[0].outcome is Outcome.failed
    assert "Instagram could not process the video" in first.results[0].message
    second = meta.publish(recipe, platforms=INSTAGRAM, sleep=lambda _s: None)

    assert second.results[0].outcome is Outcome.published, second.results[0].message
    assert [c["status_code"] for c in containers(meta)] == ["ERROR", "PUBLISHED"]
    assert len(media(meta)) == 1
