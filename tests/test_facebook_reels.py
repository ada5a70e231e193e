"""Publishing the vertical cut as a Page Reel: start, resumable upload, finish — never twice.

Real client code over HTTP against the sandbox's Graph API; builds are real MP4s (the sandbox reads
their size and duration), padded to several upload parts where resuming is tested.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import subprocess
import sys
import time

import pytest
from meta_helpers import PART, MetaPage, offer_recipe, reel_recipe, sha256
from sqlalchemy import select

from mlprod.errors import QuotaExceeded
from mlprod.jobs.publish_results import Outcome
from mlprod.states import Format, PlatformName, PublicationState, SubmissionStatus
from mlprod.store.models import Publication, Submission, UploadSession

FACEBOOK = (PlatformName.facebook,)


def reels(meta: MetaPage) -> list[dict]:
    return [v for v in meta.state()["facebook"]["videos"] if v["kind"] == "reel"]


def test_a_reel_is_uploaded_then_published_with_its_marker(meta: MetaPage, vertical_clip) -> None:
    recipe = meta.recipe("a.yaml", reel_recipe(extra="publish:\n  tags: [emploi, mission locale]\n"))
    build = meta.ready_build(recipe, vertical_clip, size=None)

    batch = meta.publish(recipe, platforms=FACEBOOK)

    [result] = batch.results
    assert result.outcome is Outcome.published, result.message
    [reel] = reels(meta)
    assert reel["state"] == "published" and reel["id"] == result.remote_id
    assert reel["sha256"] == sha256(build.video) and reel["bytes_received"] == build.size_bytes
    assert "Préparer son entretien" in reel["description"] and "#missionlocale" in reel["description"]
    assert "réf. mlprod-" in reel["description"]
    db = meta.db()
    with db.transaction() as s:
        row = s.scalar(select(Publication))
        assert row.state is PublicationState.published and "/reel/" in (row.url or "")
    db.close()

    again = meta.publish(recipe, platforms=FACEBOOK)
    assert again.results[0].outcome is Outcome.already
    assert len(reels(meta)) == 1


def test_a_dropped_reel_upload_resumes_at_the_offset_meta_reports(meta_factory, vertical_clip) -> None:
    meta: MetaPage = meta_factory(faults="fbreset@3")
    recipe = meta.recipe("a.yaml", reel_recipe())
    build = meta.ready_build(recipe, vertical_clip, size=None)

    batch = meta.publish(recipe, platforms=FACEBOOK, sleep=lambda _s: None)

    assert batch.results[0].outcome is Outcome.published, batch.results[0].message
    [reel] = reels(meta)
    assert reel["sha256"] == sha256(build.video)
    assert reel["bytes_received"] == build.size_bytes  # every byte once: resumed where Meta stood
    assert meta.state()["faults_fired"] == ["fbreset@3"]


def test_a_rate_limit_waits_and_says_so(meta_factory, vertical_clip, caplog) -> None:
    meta: MetaPage = meta_factory(faults="graph4@1,graph4@10", login=False)

    login = meta.cli("auth", "login", "--platform", "facebook")

    assert login.exit_code == 0, login.output  # the first Graph call was refused, then went through
    assert "Facebook is limiting mlprod's requests (code 4" in login.output
    assert "waiting 1 s, then trying again (2 of 7)" in login.output or "waiting 2 s" in login.output
    recipe = meta.recipe("a.yaml", reel_recipe())
    meta.ready_build(recipe, vertical_clip)
    waits: list[float] = []

    with caplog.at_level(logging.WARNING, logger="mlprod"):
        batch = meta.publish(recipe, platforms=FACEBOOK, sleep=waits.append)

    assert batch.results[0].outcome is Outcome.published, batch.results[0].message
    assert meta.state()["faults_fired"] == ["graph4@1", "graph4@10"]
    assert len(waits) == 1 and "Facebook is limiting mlprod's requests" in caplog.text
    assert "while publishing the Reel: waiting" in caplog.text  # a post refused is asked again
    assert len(reels(meta)) == 1


def test_the_31st_reel_of_the_day_is_refused_before_any_upload(meta: MetaPage, vertical_clip) -> None:
    db = meta.db()
    now = dt.datetime.now(dt.UTC)
    with db.transaction() as s:
        for n in range(30):
            s.add(Publication(recipe=f"recipes/r{n}.yaml", platform=PlatformName.facebook,
                              remote_id=f"10{n:012d}", kind="tutorial", title="Reel", missing=[],
                              state=PublicationState.published, privacy="public",
                              url=f"https://www.facebook.com/reel/10{n:012d}",
                              published_at=now - dt.timedelta(hours=23, minutes=30 - n)))
    db.close()
    recipe = meta.recipe("a.yaml", reel_recipe())
    meta.ready_build(recipe, vertical_clip)

    with pytest.raises(QuotaExceeded, match="30 Reels in 24 hours") as refused:
        meta.publish(recipe, platforms=FACEBOOK)

    assert "publish the rest after" in str(refused.value)
    facebook = meta.state()["facebook"]
    assert facebook["videos"] == [] and facebook["upload_sessions"] == []


def test_a_reel_too_short_is_refused_before_any_upload(meta: MetaPage, clip_factory) -> None:
    short = clip_factory("short-vertical.mp4", width=540, height=960, seconds=2.0)
    recipe = meta.recipe("a.yaml", reel_recipe())
    meta.ready_build(recipe, short)

    batch = meta.publish(recipe, platforms=FACEBOOK)

    [result] = batch.results
    assert result.outcome is Outcome.failed
    assert "recipes/a.yaml: facebook:" in result.message and "a Reel at least 3 s" in result.message
    assert reels(meta) == []


def test_the_landscape_cut_goes_to_the_page_as_a_video(meta_factory, landscape_clip) -> None:
    meta: MetaPage = meta_factory(faults="fbreset@2")  # the Resumable Upload API resumes too
    recipe = meta.recipe("a.yaml", reel_recipe(formats="[landscape]"))
    build = meta.ready_build(recipe, landscape_clip, fmt=Format.landscape)

    batch = meta.publish(recipe, platforms=FACEBOOK)

    [result] = batch.results
    assert result.outcome is Outcome.published, result.message
    [video] = [v for v in meta.state()["facebook"]["videos"] if v["kind"] == "video"]
    assert video["sha256"] == sha256(build.video) and video["title"] == "Préparer son entretien"
    assert video["bytes_received"] == build.size_bytes and video["state"] == "published"
    assert meta.state()["faults_fired"] == ["fbreset@2"]
    assert reels(meta) == []


def _publish_in_a_child(meta: MetaPage, recipe) -> subprocess.Popen[bytes]:
    code = ("import sys; from pathlib import Path; from mlprod.config import load_settings;"
            " from mlprod.store import open_database; from mlprod.jobs.publish import publish_recipes;"
            " from mlprod.jobs.publish_results import PublishOptions;"
            " from mlprod.states import PlatformName;"
            " s = load_settings(Path(sys.argv[1])); db = open_database(s.database_url);"
            " publish_recipes(s, db, [Path(sys.argv[2])],"
            " PublishOptions(platforms=(PlatformName.facebook,)))")
    env = {**os.environ, **meta.env, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.Popen([sys.executable, "-c", code, str(meta.settings.root), str(recipe)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _acknowledged(meta: MetaPage) -> int:
    db = meta.db()
    try:
        with db.transaction() as s:
            return int(s.scalar(select(UploadSession.offset).order_by(UploadSession.id.desc())) or 0)
    finally:
        db.close()


def test_a_killed_publish_resumes_and_never_posts_twice(meta_factory, vertical_clip) -> None:
    meta: MetaPage = meta_factory(throttle_kbps=8000)
    recipe = meta.recipe("a.yaml", reel_recipe())
    build = meta.ready_build(recipe, vertical_clip)
    size = build.size_bytes
    child = _publish_in_a_child(meta, recipe)
    deadline = time.monotonic() + 60
    while _acknowledged(meta) < 2 * PART:
        assert child.poll() is None, child.communicate()
        assert time.monotonic() < deadline, "the upload did not progress"
        time.sleep(0.05)

    child.send_signal(signal.SIGKILL)
    child.communicate(timeout=30)
    assert [r["state"] for r in reels(meta)] == ["uploading"]

    batch = meta.publish(recipe, platforms=FACEBOOK)

    assert batch.results[0].outcome is Outcome.published, batch.results[0].message
    [reel] = reels(meta)  # the same Reel, resumed: no second one
    assert reel["state"] == "published"
    assert reel["sha256"] == sha256(build.video) and reel["bytes_received"] == size


def test_an_empty_database_adopts_the_reel_instead_of_posting_it_again(meta: MetaPage,
                                                                       vertical_clip) -> None:
    recipe = meta.recipe("a.yaml", reel_recipe())
    meta.ready_build(recipe, vertical_clip)
    first = meta.publish(recipe, platforms=FACEBOOK)
    assert first.results[0].outcome is Outcome.published
    meta.settings.state_dir.joinpath("mlprod.db").unlink()  # a new machine: the workspace without .mlprod
    meta.ready_build(recipe, vertical_clip)

    [result] = meta.publish(recipe, platforms=FACEBOOK).results

    assert result.outcome is Outcome.adopted, result.message
    assert result.remote_id == first.results[0].remote_id
    assert "adopted: already on Facebook" in result.message and "published (public)" in result.message
    assert len(reels(meta)) == 1


def test_a_scheduled_reel_goes_online_at_its_time(meta: MetaPage, vertical_clip) -> None:
    when = (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).replace(microsecond=0)
    recipe = meta.recipe("a.yaml", reel_recipe(extra=f"publish:\n  publish_at: {when.isoformat()}\n"))
    meta.ready_build(recipe, vertical_clip)

    batch = meta.publish(recipe, platforms=FACEBOOK)

    [result] = batch.results
    assert result.outcome is Outcome.scheduled, result.message
    [reel] = reels(meta)
    assert reel["state"] == "scheduled" and reel["scheduled_publish_time"] == when.timestamp()


def test_a_closed_offer_is_deleted_from_the_page(meta: MetaPage, vertical_clip) -> None:
    db = meta.db()
    with db.transaction() as s:
        s.add(Submission(public_id="sub-2026-0001", employer="Boulangerie du Cours",
                         status=SubmissionStatus.approved, offer={"position": "Vendeur"},
                         consent_text="J'autorise la diffusion de cette vidéo.",
                         consent_at=dt.datetime.now(dt.UTC)))
    db.close()
    recipe = meta.recipe("offres/b.yaml", offer_recipe(closes="2027-02-26"))
    meta.ready_build(recipe, vertical_clip)
    assert meta.publish(recipe, platforms=FACEBOOK).results[0].outcome is Outcome.published

    answer = meta.cli("expire", "--as-of", "2027-03-01", "--json")

    assert answer.exit_code == 0, answer.output
    [reel] = reels(meta)
    assert reel["state"] == "deleted"
    assert "deleted from the Page" in answer.output


def test_an_expired_sign_in_stops_facebook_with_the_fix(meta: MetaPage, vertical_clip) -> None:
    recipe = meta.recipe("a.yaml", reel_recipe())
    meta.ready_build(recipe, vertical_clip)
    meta.admin("expire-tokens")

    batch = meta.publish(recipe, platforms=FACEBOOK)

    [result] = batch.results
    assert result.outcome is Outcome.failed
    assert "expired or was revoked" in result.message
    assert "run `mlprod auth login --platform facebook`" in result.message
    assert reels(meta) == []
