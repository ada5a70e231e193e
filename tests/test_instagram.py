"""Publishing the vertical cut as an Instagram Reel: a resumable container, polled until ready,
published once; the caption's rules and the missing cut refused before anything is sent."""

from __future__ import annotations

import datetime as dt
import json
import logging

from meta_helpers import MetaPage, offer_recipe, reel_recipe, sha256

from mlprod.jobs.publish_results import Outcome
from mlprod.states import PlatformName, SubmissionStatus
from mlprod.store.models import Submission

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


def test_an_empty_database_adopts_the_post_instead_of_publishing_it_again(meta: MetaPage,
                                                                          vertical_clip) -> None:
    recipe = meta.recipe("a.yaml", reel_recipe())
    meta.ready_build(recipe, vertical_clip)
    first = meta.publish(recipe, platforms=INSTAGRAM, sleep=lambda _s: None)
    meta.settings.state_dir.joinpath("mlprod.db").unlink()  # a new machine: the workspace without .mlprod
    meta.ready_build(recipe, vertical_clip)

    [result] = meta.publish(recipe, platforms=INSTAGRAM, sleep=lambda _s: None).results

    assert result.outcome is Outcome.adopted, result.message
    assert result.remote_id == first.results[0].remote_id and result.url == first.results[0].url
    assert "adopted: already on Instagram" in result.message
    assert len(media(meta)) == 1 and len(containers(meta)) == 1


def test_a_scheduled_recipe_is_refused_as_instagram_cannot_schedule(meta: MetaPage, vertical_clip) -> None:
    recipe = meta.recipe("a.yaml", reel_recipe(extra="publish:\n  publish_at: 2099-09-01T10:00:00+02:00\n"))
    meta.ready_build(recipe, vertical_clip)

    [result] = meta.publish(recipe, platforms=INSTAGRAM).results

    assert result.outcome is Outcome.failed
    assert "instagram: Instagram's API cannot schedule a post" in result.message
    assert "--platform instagram` after that time" in result.message
    assert containers(meta) == []


def test_a_closed_offer_is_listed_for_staff_to_delete_in_the_app(meta: MetaPage, vertical_clip) -> None:
    db = meta.db()
    with db.transaction() as s:
        s.add(Submission(public_id="sub-2026-0001", employer="Boulangerie du Cours",
                         status=SubmissionStatus.approved, offer={"position": "Vendeur"},
                         consent_text="J'autorise la diffusion de cette vidéo.",
                         consent_at=dt.datetime.now(dt.UTC)))
    db.close()
    recipe = meta.recipe("offres/b.yaml", offer_recipe(closes="2027-02-26"))
    meta.ready_build(recipe, vertical_clip)
    [published] = meta.publish(recipe, platforms=INSTAGRAM, sleep=lambda _s: None).results

    answer = meta.cli("expire", "--as-of", "2027-03-01", "--json")

    assert answer.exit_code == 0, answer.output
    [offer] = json.loads(answer.output)
    assert offer["platform"] == "instagram" and offer["done"] is False
    assert "supprimer la publication Instagram" in offer["by_hand"] and published.url in offer["by_hand"]
    assert len(media(meta)) == 1  # Instagram's API deletes nothing: staff do it in the app


def test_a_dropped_upload_resumes_at_the_offset_instagram_reports(meta_factory, vertical_clip) -> None:
    meta: MetaPage = meta_factory(faults="igreset@2")
    recipe = meta.recipe("a.yaml", reel_recipe())
    build = meta.ready_build(recipe, vertical_clip)

    [result] = meta.publish(recipe, platforms=INSTAGRAM, sleep=lambda _s: None).results

    assert result.outcome is Outcome.published, result.message
    [container] = containers(meta)
    assert container["sha256"] == sha256(build.video) and container["bytes_received"] == build.size_bytes
    assert meta.state()["faults_fired"] == ["igreset@2"]
