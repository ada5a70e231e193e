"""`mlprod publish` through the real CLI and the real Google client, against the sandbox."""

from __future__ import annotations

import datetime as dt
import json

from publish_helpers import (
    CHUNK,
    SRT,
    Channel,
    job_offer,
    sha256,
    tutorial,
)
from sqlalchemy import select

from mlprod.media.samples import ClipSpec, make_clip
from mlprod.sandbox.testing import FakeClock
from mlprod.store.models import Publication, UploadSession


def only_video(channel: Channel) -> dict:
    videos = channel.state()["videos"]
    assert len(videos) == 1, videos
    return videos[0]


def test_publish_builds_then_uploads_with_thumbnail_captions_and_playlist(channel: Channel) -> None:
    make_clip(channel.settings.media_dir / "a.mp4", ClipSpec(seconds=2))
    (channel.settings.media_dir / "a.srt").write_text(SRT, encoding="utf-8")
    channel.recipe("entretien.yaml", tutorial(description="Nos conseils.", tags=["emploi", "entretien"],
                                              playlist="Préparer son entretien").replace(
        "  - file: ../media/a.mp4", "  - file: ../media/a.mp4\n    subtitles: ../media/a.srt")
        .replace("kind: tutorial", "kind: tutorial\noutput:\n  quality: draft"))

    result = channel.cli("publish", "recipes/entretien.yaml")

    assert result.exit_code == 0, result.output
    video = only_video(channel)
    built = channel.settings.output_dir / "entretien" / "entretien-landscape.mp4"
    assert video["media_sha256"] == sha256(built)  # rendered first, then uploaded whole
    assert f"https://www.youtube.com/watch?v={video['id']}" in result.output
    assert video["snippet"]["title"] == "Préparer son entretien"
    assert video["snippet"]["categoryId"] == "27"
    assert video["snippet"]["defaultLanguage"] == video["snippet"]["defaultAudioLanguage"] == "fr"
    assert video["status"]["privacyStatus"] == "public"
    assert video["status"]["selfDeclaredMadeForKids"] is False
    assert video["thumbnail"]["sha256"] == sha256(built.with_suffix(".jpg"))
    [captions] = video["captions"]
    assert (captions["language"], captions["name"]) == ("fr", "Français")
    [playlist] = channel.state()["playlists"]
    assert playlist["title"] == "Préparer son entretien" and playlist["video_ids"] == [video["id"]]
    # looked for on the channel (channels.list, one page of uploads), uploaded private, thumbnail,
    # captions, playlist found or made and joined, then made public
    assert channel.state()["quota_used"] == channel.ledger() == 2 + 100 + 50 + 400 + 1 + 50 + 50 + 50


def test_a_second_publish_changes_nothing(channel: Channel) -> None:
    recipe = channel.recipe("entretien.yaml", tutorial(playlist="Entretiens"))
    channel.ready_build(recipe)
    assert channel.cli("publish", "recipes/entretien.yaml").exit_code == 0
    before = channel.state()

    again = channel.cli("publish", "recipes/entretien.yaml")

    assert again.exit_code == 0
    assert "already published: nothing changed on the channel" in again.output
    after = channel.state()
    assert after["videos"] == before["videos"] and after["playlists"] == before["playlists"]
    assert after["requests"] == before["requests"]  # not one call: no quota spent either


def test_an_upload_through_faults_completes_with_the_same_bytes(channel_factory) -> None:
    channel = channel_factory(faults="503@2,reset@4,expire@6")
    recipe = channel.recipe("entretien.yaml", tutorial())
    build = channel.ready_build(recipe, size=5 * CHUNK + 1234)

    result = channel.cli("publish", "recipes/entretien.yaml")

    assert result.exit_code == 0, result.output
    video = only_video(channel)
    assert video["media_sha256"] == sha256(build.video)
    assert channel.state()["faults_fired"] == ["503@2", "reset@4", "expire@6"]
    assert channel.state()["quota_used"] == channel.ledger()  # two sessions, both charged
    db = channel.db()
    with db.transaction() as s:
        assert s.scalar(select(Publication.remote_id)) == video["id"]
        statuses = s.scalars(select(UploadSession.status).order_by(UploadSession.id)).all()
    assert statuses == ["expired", "completed"]
    db.close()


def test_a_scheduled_video_is_private_until_publish_at(channel: Channel) -> None:
    when = (dt.datetime.now(dt.UTC) + dt.timedelta(days=10)).replace(microsecond=0)
    recipe = channel.recipe("entretien.yaml", tutorial(publish_at=when.isoformat()))
    channel.ready_build(recipe)

    result = channel.cli("publish", "recipes/entretien.yaml")

    assert result.exit_code == 0, result.output
    assert "scheduled" in result.output
    status = only_video(channel)["status"]
    assert status["privacyStatus"] == "private"
    assert status["publishAt"] == when.strftime("%Y-%m-%dT%H:%M:%SZ")
    listed = json.loads(channel.cli("status", "--json").output)
    assert listed[0]["scheduled"] is True


BAD = {
    "long title": (tutorial(title="T" * 101), ": title: the title is 101 characters long"),
    "title with <": (tutorial(title="Entretien <urgent>"), "the title contains '<' and '>'"),
    "long description": (tutorial(description="é" * 2600), "the description is 5200 bytes long"),
    "too many tags": (tutorial(tags=[f"mot clé {i}" for i in range(60)]), "the tags count for"),
    "publish_at past": (tutorial(publish_at="2020-01-01T10:00:00+01:00"), "is in the past"),
    "publish_at public": (tutorial(publish_at="2099-01-01T10:00:00+01:00", privacy="public"),
                          "publish_at only works with a private video"),
}


def test_bad_metadata_is_refused_before_any_upload(channel: Channel) -> None:
    for name, (text, message) in BAD.items():
        recipe = channel.recipe(f"{name.replace(' ', '-').replace('<', 'lt')}.yaml", text)
        channel.ready_build(recipe)
        result = channel.cli("publish", str(recipe))
        assert result.exit_code == 1, name
        assert message in result.output, (name, result.output)
        assert "nothing was uploaded" in result.output
    assert channel.state()["videos"] == [] and channel.state()["quota_used"] == 0


def test_a_job_offer_needs_an_approved_consent(channel: Channel) -> None:
    recipe = channel.recipe("offres/boulangerie.yaml", job_offer(consent=None))
    channel.ready_build(recipe)
    missing = channel.cli("publish", "recipes/offres/boulangerie.yaml")
    assert missing.exit_code == 1
    assert "names none — add `consent: sub-YYYY-NNNN`" in missing.output

    channel.recipe("offres/boulangerie.yaml", job_offer(consent="sub-2026-0001"))
    unknown = channel.cli("publish", "recipes/offres/boulangerie.yaml")
    assert "sub-2026-0001 is not a submission in the database" in unknown.output

    channel.approve_submission("sub-2026-0001", status="pending")
    pending = channel.cli("publish", "recipes/offres/boulangerie.yaml")
    assert "run `mlprod intake approve sub-2026-0001`" in pending.output
    assert channel.state()["videos"] == []


def test_a_job_offer_is_described_in_french_and_joins_the_offers_playlist(channel: Channel) -> None:
    channel.approve_submission()
    recipe = channel.recipe("offres/boulangerie.yaml", job_offer())
    channel.ready_build(recipe)

    result = channel.cli("publish", "recipes/offres/boulangerie.yaml")

    assert result.exit_code == 0, result.output
    video = only_video(channel)
    snippet = video["snippet"]
    assert snippet["title"] == "Offre d'emploi : Vendeur·se en boulangerie (CDD) — Boulangerie du Cours"
    assert "Boulangerie du Cours recrute : Vendeur·se en boulangerie (CDD) à Salon-de-Provence." in (
        snippet["description"])
    assert "Début : à partir du 4 janvier 2027" in snippet["description"]
    assert "Offre ouverte jusqu'au 26 février 2027." in snippet["description"]
    [playlist] = channel.state()["playlists"]
    assert playlist["title"] == "Offres d'emploi" and playlist["video_ids"] == [video["id"]]


def test_a_batch_carries_on_past_a_failing_recipe(channel: Channel) -> None:
    good = channel.recipe("a.yaml", tutorial())
    channel.ready_build(good)
    bad = channel.recipe("b.yaml", tutorial(title="T" * 120))
    channel.ready_build(bad)
    other = channel.recipe("c.yaml", tutorial(title="Rédiger son CV"))
    channel.ready_build(other, seed=3)

    result = channel.cli("publish", "recipes/a.yaml", "recipes/b.yaml", "recipes/c.yaml")

    assert result.exit_code == 1
    assert len(channel.state()["videos"]) == 2
    assert "2 published, 1 failed" in result.output
    assert "recipes/b.yaml" in result.output


def test_a_spent_quota_stops_the_batch_and_says_when_it_resets(channel_factory) -> None:
    channel = channel_factory(faults="quota")
    for name in ("a.yaml", "b.yaml"):
        channel.ready_build(channel.recipe(name, tutorial(title=f"Vidéo {name}")))

    result = channel.cli("publish", "recipes/a.yaml", "recipes/b.yaml")

    assert result.exit_code == 1
    assert "the project's daily quota is spent — the quota resets at midnight Pacific time" in result.output
    assert "not tried: the batch stopped" in result.output
    assert channel.state()["videos"] == []
    assert channel.ledger() == channel.state()["quota_used"] == 2  # the lookup on the channel only


def test_steps_left_undone_by_a_spent_quota_are_finished_the_next_day(channel_factory) -> None:
    clock = FakeClock()
    # enough for the upload, the thumbnail, the captions and the playlist search, not its creation
    channel = channel_factory(quota=100 + 50 + 400 + 1 + 49, clock=clock)
    channel.ready_build(channel.recipe("a.yaml", tutorial(playlist="Entretiens")))

    first = channel.cli("publish", "recipes/a.yaml")

    assert first.exit_code == 1
    assert "daily quota is spent" in first.output
    video = only_video(channel)
    assert video["thumbnail"] and video["captions"] and video["playlist_ids"] == []
    assert channel.ledger() == channel.state()["quota_used"]
    clock.advance(days=1)  # a new quota day on YouTube's side

    second = channel.cli("publish", "recipes/a.yaml")

    assert second.exit_code == 0, second.output
    assert "the missing steps are done" in second.output
    again = only_video(channel)
    assert again["id"] == video["id"] and len(again["captions"]) == 1
    [playlist] = channel.state()["playlists"]
    assert playlist["video_ids"] == [video["id"]]


def test_a_revoked_sign_in_says_to_sign_in_again(channel: Channel) -> None:
    channel.ready_build(channel.recipe("a.yaml", tutorial()))
    channel.sandbox.revoke_refresh_tokens()
    channel.sandbox.expire_access_tokens()

    result = channel.cli("publish", "recipes/a.yaml")

    assert result.exit_code == 1
    assert "sign in again with `mlprod auth login`" in result.output
    assert "Traceback" not in result.output


def test_update_pushes_changed_metadata_without_uploading_again(channel: Channel) -> None:
    recipe = channel.recipe("a.yaml", tutorial(description="Première version.", playlist="Entretiens"))
    channel.ready_build(recipe)
    channel.cli("publish", "recipes/a.yaml")
    first = only_video(channel)
    channel.recipe("a.yaml", tutorial(description="Deuxième version.", playlist="Entretiens",
                                      tags=["emploi"]))

    plain = channel.cli("publish", "recipes/a.yaml")
    assert "`mlprod publish --update` pushes them" in plain.output
    assert only_video(channel)["snippet"]["description"] == "Première version."

    result = channel.cli("publish", "--update", "recipes/a.yaml")

    assert result.exit_code == 0, result.output
    video = only_video(channel)
    assert video["id"] == first["id"] and video["media_sha256"] == first["media_sha256"]
    assert video["snippet"]["description"] == "Deuxième version."
    *tags, marker = video["snippet"]["tags"]
    assert tags == ["emploi"] and marker.startswith("mlprod-")  # mlprod's marker stays last
    assert video["snippet"]["defaultLanguage"] == "fr"  # the whole part was sent
    assert video["status"]["selfDeclaredMadeForKids"] is False
    assert "unchanged" in channel.cli("publish", "--update", "recipes/a.yaml").output
    assert channel.state()["quota_used"] == channel.ledger()
