"""Discord announcements (`discord` in publish.platforms) through the real CLI and the real webhook
client against the sandbox's Discord: the card, the link and thumbnail, once, and what happens when
Discord limits, refuses or forgets."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from publish_helpers import Channel, job_offer, tutorial
from reach_helpers import discord_requests, messages
from sqlalchemy import select

from mlprod.sandbox.testing import delete_discord_webhook, discord_webhook, raw_request
from mlprod.states import Format, PlatformName
from mlprod.store.models import Publication

BOTH = ["youtube", "discord"]


def edited_link(webhook: dict[str, Any], message: dict[str, Any]) -> str:
    return f"https://discord.com/channels/1000000000000000001/{webhook['channel_id']}/{message['id']}"


def offer(channel: Channel, **fields: Any) -> None:
    channel.approve_submission()
    recipe = channel.recipe("offres/boulangerie.yaml", job_offer(platforms=BOTH, **fields))
    channel.ready_build(recipe)


def test_an_offer_is_announced_once_with_its_card_link_and_thumbnail(channel: Channel, webhook) -> None:
    offer(channel)

    result = channel.cli("publish", "recipes/offres/boulangerie.yaml")

    assert result.exit_code == 0, result.output
    [video] = channel.state()["videos"]
    [message] = messages(channel)
    watch = f"https://www.youtube.com/watch?v={video['id']}"
    lines = message["content"].splitlines()
    assert lines[0] == "📢 **Offre d'emploi : Vendeur·se en boulangerie (CDD)**"
    assert "**Contrat :** CDD" in lines and "**Lieu :** Salon-de-Provence" in lines
    assert "**Début :** à partir du 4 janvier 2027" in lines
    assert "**Pour postuler :** Mission Locale du Pays Salonais — 04 90 56 21 74" in lines
    assert lines[-1] == f"▶️ La vidéo : <{watch}>"
    [embed] = message["embeds"]
    assert embed["title"] == video["snippet"]["title"] and embed["url"] == watch
    assert embed["image"] == {"url": f"https://i.ytimg.com/vi/{video['id']}/hqdefault.jpg"}
    assert embed["footer"]["text"].startswith("Mission Locale du Pays Salonais · réf. mlprod-")
    link = f"https://discord.com/channels/1000000000000000001/{webhook['channel_id']}/{message['id']}"
    assert f"recipes/offres/boulangerie.yaml on Discord: published (public)\n    {link}" in result.output
    assert webhook["token"] not in result.output

    again = channel.cli("publish", "recipes/offres/boulangerie.yaml")

    assert again.exit_code == 0
    assert "recipes/offres/boulangerie.yaml on Discord: already published" in again.output
    assert len(messages(channel, deleted=True)) == 1
    assert discord_requests(channel) == 2  # add-webhook read the webhook, publish sent once


def test_the_announcement_waits_for_a_scheduled_video(channel: Channel, webhook) -> None:
    when = (dt.datetime.now(dt.UTC) + dt.timedelta(days=3)).replace(microsecond=0)
    recipe = channel.recipe("entretien.yaml", tutorial(publish_at=when.isoformat(), platforms=BOTH))
    channel.ready_build(recipe)

    result = channel.cli("publish", "recipes/entretien.yaml")

    assert result.exit_code == 0, result.output  # waiting is not failing
    assert (f"recipes/entretien.yaml on Discord: the announcement waits for the YouTube video to go"
            f" public on {when:%Y-%m-%d %H:%M} UTC — the first `mlprod publish` after that sends it"
            ) in result.output
    assert "1 scheduled, 1 waiting." in result.output
    assert messages(channel) == [] and discord_requests(channel) == 1  # add-webhook's only


def test_a_tutorial_is_announced_with_its_description(channel: Channel, webhook) -> None:
    text = "Nos conseils pour réussir votre entretien. " * 30
    channel.ready_build(channel.recipe("entretien.yaml", tutorial(description=text, platforms=BOTH)))

    assert channel.cli("publish", "recipes/entretien.yaml").exit_code == 0

    [message] = messages(channel)
    assert message["content"].startswith("🎬 **Nouvelle vidéo : Préparer son entretien**\n▶️ La vidéo : <")
    description = message["embeds"][0]["description"]
    assert description.endswith("…") and len(description) <= 600 and text.startswith(description[:-1])


def test_a_rate_limit_is_waited_for_and_said(channel_factory) -> None:
    channel: Channel = channel_factory(faults="discord429@1")
    hook = discord_webhook(channel.sandbox.url)
    assert channel.cli("discord", "add-webhook", hook["url"]).exit_code == 0  # request 1: rate limited
    channel.ready_build(channel.recipe("entretien.yaml", tutorial(platforms=BOTH)))

    result = channel.cli("publish", "recipes/entretien.yaml")

    assert result.exit_code == 0, result.output
    assert len(messages(channel)) == 1
    assert channel.state()["faults_fired"] == ["discord429@1"]


def test_a_rate_limited_send_waits_as_discord_asks(channel_factory) -> None:
    channel: Channel = channel_factory(faults="discord429@2")
    hook = discord_webhook(channel.sandbox.url)
    assert channel.cli("discord", "add-webhook", hook["url"]).exit_code == 0
    channel.ready_build(channel.recipe("entretien.yaml", tutorial(platforms=BOTH)))

    result = channel.cli("publish", "recipes/entretien.yaml")

    assert result.exit_code == 0, result.output
    assert ("Discord's rate limit (429) while sending the announcement: it asks mlprod to wait: waiting"
            " 0.5 s, then trying again") in result.stderr
    assert len(messages(channel)) == 1 and discord_requests(channel) == 3


def test_a_deleted_webhook_says_to_add_a_new_one_and_youtube_goes_anyway(channel: Channel, webhook) -> None:
    delete_discord_webhook(channel.sandbox.url, webhook["id"])
    channel.ready_build(channel.recipe("entretien.yaml", tutorial(platforms=BOTH)))

    result = channel.cli("publish", "recipes/entretien.yaml")

    assert result.exit_code == 1
    assert "recipes/entretien.yaml on YouTube: published (public)" in result.output
    assert (f"recipes/entretien.yaml on Discord: the Discord webhook {channel.sandbox.url}/api/webhooks/"
            f"{webhook['id']}/*** was deleted (Discord answers \"Unknown Webhook\") — ask for a new one"
            ) in result.stderr
    assert "add it with `mlprod discord add-webhook URL`" in result.stderr
    assert webhook["token"] not in result.output
    assert "1 published, 1 failed." in result.output

    fresh = channel.cli("discord", "add-webhook", discord_webhook(channel.sandbox.url)["url"])
    assert fresh.exit_code == 0
    retried = channel.cli("publish", "recipes/entretien.yaml")
    assert retried.exit_code == 0, retried.output
    assert len(messages(channel)) == 1


def test_a_card_too_long_for_discord_is_refused_before_sending(channel: Channel, webhook) -> None:
    channel.approve_submission()
    long = "  requirements: " + "Sérieux. " * 230 + "\n  hours:"
    text = job_offer(platforms=BOTH).replace("  hours:", long)
    channel.ready_build(channel.recipe("offres/boulangerie.yaml", text))

    result = channel.cli("publish", "recipes/offres/boulangerie.yaml")

    assert result.exit_code == 1
    assert ("recipes/offres/boulangerie.yaml on Discord: Discord would refuse this announcement; nothing was"
            " sent:") in result.stderr
    assert "its text would be 2,595 characters" in result.stderr
    assert "Discord takes at most 2,000 — shorten offer.requirements" in result.stderr
    assert discord_requests(channel) == 1  # add-webhook's only
    assert len(channel.state()["videos"]) == 1  # YouTube is not held back


def test_no_webhook_yet_says_how_to_add_one(channel: Channel) -> None:
    channel.ready_build(channel.recipe("entretien.yaml", tutorial(platforms=BOTH)))

    result = channel.cli("publish", "recipes/entretien.yaml", "--platform", "discord")

    assert result.exit_code == 1
    assert ("recipes/entretien.yaml on Discord: no Discord webhook yet: copy the channel's webhook URL"
            ) in result.stderr
    assert "then run `mlprod discord add-webhook URL`" in result.stderr
    assert channel.state()["videos"] == []  # --platform discord: YouTube is not touched


def test_a_send_whose_answer_is_lost_is_never_repeated(channel_factory) -> None:
    channel: Channel = channel_factory(faults="discordreset@2")
    hook = discord_webhook(channel.sandbox.url)
    assert channel.cli("discord", "add-webhook", hook["url"]).exit_code == 0
    channel.ready_build(channel.recipe("entretien.yaml", tutorial(platforms=BOTH)))

    lost = channel.cli("publish", "recipes/entretien.yaml")

    assert lost.exit_code == 1
    assert ("the connection to Discord dropped while sending the announcement, after it was sent"
            in lost.stderr)
    assert "run `mlprod discord sent recipes/entretien.yaml LINK`" in lost.stderr
    [message] = messages(channel)  # Discord posted it; mlprod never heard back

    again = channel.cli("publish", "recipes/entretien.yaml")
    assert again.exit_code == 1 and "an earlier `mlprod publish` stopped while sending" in again.stderr
    assert len(messages(channel)) == 1 and discord_requests(channel) == 2  # not sent twice

    link = f"https://discord.com/channels/1000000000000000001/{hook['channel_id']}/{message['id']}"
    told = channel.cli("discord", "sent", "recipes/entretien.yaml", link)
    assert told.exit_code == 0, told.output
    adopted = channel.cli("publish", "recipes/entretien.yaml")

    assert adopted.exit_code == 0, adopted.output
    assert "on Discord: adopted" in adopted.output
    assert len(messages(channel)) == 1
    db = channel.db()
    with db.transaction() as s:
        row = s.scalar(select(Publication).where(Publication.platform == PlatformName.discord))
        assert row is not None and row.remote_id == message["id"] and row.adopted
    db.close()


def test_not_sent_lets_the_next_publish_send_it(channel_factory) -> None:
    channel: Channel = channel_factory(faults="discordreset@2")
    hook = discord_webhook(channel.sandbox.url)
    assert channel.cli("discord", "add-webhook", hook["url"]).exit_code == 0
    channel.ready_build(channel.recipe("entretien.yaml", tutorial(platforms=BOTH)))
    assert channel.cli("publish", "recipes/entretien.yaml").exit_code == 1
    [lost] = messages(channel)
    assert raw_request(f"{hook['url']}/messages/{lost['id']}", "DELETE").status == 204  # staff deleted it

    told = channel.cli("discord", "not-sent", "recipes/entretien.yaml")
    assert told.exit_code == 0, told.output
    sent = channel.cli("publish", "recipes/entretien.yaml")

    assert sent.exit_code == 0, sent.output
    assert len(messages(channel)) == 1 and messages(channel)[0]["id"] != lost["id"]
    nothing = channel.cli("discord", "not-sent", "recipes/entretien.yaml")
    assert nothing.exit_code == 1
    assert "nothing to settle on Discord: its announcement is recorded" in nothing.output


def test_expire_edits_the_announcement_to_say_the_offer_is_filled(channel: Channel, webhook) -> None:
    offer(channel)
    assert channel.cli("publish", "recipes/offres/boulangerie.yaml").exit_code == 0
    [sent] = messages(channel)

    dry = channel.cli("expire", "--dry-run", "--as-of", "2027-03-01", "--platform", "discord")
    assert ("recipes/offres/boulangerie.yaml on Discord: closed on 2027-02-26, announcement would be"
            " edited to say the offer is filled") in dry.output
    assert "on YouTube" not in dry.output and messages(channel) == [sent]

    result = channel.cli("expire", "--as-of", "2027-03-01")

    assert result.exit_code == 0, result.output
    assert "recipes/offres/boulangerie.yaml on YouTube: closed on 2027-02-26, unlisted" in result.output
    assert ("recipes/offres/boulangerie.yaml on Discord: closed on 2027-02-26, announcement edited to say"
            f" the offer is filled\n    {edited_link(webhook, sent)}") in result.output
    [edited] = messages(channel)
    assert edited["id"] == sent["id"] and edited["edited_at"] is not None
    assert edited["content"] == (
        "~~Offre d'emploi : Vendeur·se en boulangerie (CDD) — Boulangerie du Cours~~\n**Cette offre est"
        " pourvue ou close depuis le 26 février 2027.** Merci à toutes et à tous ! Les offres en cours"
        " sont à la Mission Locale du Pays Salonais.")
    assert edited["embeds"] == [] and "04 90" not in edited["content"]
    [video] = channel.state()["videos"]
    assert video["status"]["privacyStatus"] == "unlisted"
    status = channel.cli("status", "--platform", "discord").output
    assert "Discord: offer closed: announcement says it is filled on" in status

    again = channel.cli("expire", "--as-of", "2027-03-01")
    assert again.output == "No closed offer left online.\n"
    updated = channel.cli("publish", "--update", "recipes/offres/boulangerie.yaml")
    assert updated.exit_code == 0 and messages(channel) == [edited]  # expiry not undone


def test_expire_lists_the_announcement_by_hand_when_the_webhook_is_gone(channel: Channel, webhook) -> None:
    offer(channel)
    assert channel.cli("publish", "recipes/offres/boulangerie.yaml").exit_code == 0
    [sent] = messages(channel)
    delete_discord_webhook(channel.sandbox.url, webhook["id"])

    result = channel.cli("expire", "--as-of", "2027-03-01")

    assert result.exit_code == 0, result.output
    assert "recipes/offres/boulangerie.yaml on YouTube: closed on 2027-02-26, unlisted" in result.output
    link = f"https://discord.com/channels/1000000000000000001/{webhook['channel_id']}/{sent['id']}"
    assert ("To remove by hand (1: the platform's API cannot take them down):\n"
            "  recipes/offres/boulangerie.yaml on Discord, closed on 2027-02-26: the webhook"
            f" {channel.sandbox.url}/api/webhooks/{webhook['id']}/*** was deleted, so mlprod can no longer"
            " edit its messages: open") in result.output
    assert f"{link} and delete the announcement (or say the offer is filled) by hand" in result.output
    assert webhook["token"] not in result.output
    listed = channel.cli("expire", "--as-of", "2027-03-01", "--json")
    [entry] = json.loads(listed.output)
    assert entry["platform"] == "discord" and entry["by_hand"] and not entry["done"]


def test_linked_to_a_reel_the_thumbnail_is_attached(meta, vertical_clip, landscape_clip) -> None:
    hook = discord_webhook(meta.sandbox.url)
    assert meta.cli("discord", "add-webhook", hook["url"]).exit_code == 0
    recipe = meta.recipe("entretien.yaml", tutorial(platforms=["discord", "facebook"]).replace(
        "kind: tutorial", "kind: tutorial\noutput:\n  formats: [landscape, vertical]"))
    meta.ready_build(recipe, landscape_clip, Format.landscape)
    meta.ready_build(recipe, vertical_clip)

    result = meta.cli("publish", "recipes/entretien.yaml")

    assert result.exit_code == 0, result.output
    [message] = messages(meta)
    [attachment] = message["attachments"]
    thumbnail = meta.settings.output_dir / "entretien" / "entretien-landscape.jpg"
    assert attachment["filename"] == "miniature.jpg"
    assert attachment["sha256"] == hashlib.sha256(thumbnail.read_bytes()).hexdigest()
    assert message["embeds"][0]["image"] == {"url": "attachment://miniature.jpg"}
    db = meta.db()
    with db.transaction() as s:
        reel = s.scalar(select(Publication).where(Publication.platform == PlatformName.facebook))
        assert reel is not None and reel.url
    db.close()
    assert message["content"].endswith(f"<{reel.url}>") and message["embeds"][0]["url"] == reel.url


def test_stats_sync_asks_discord_nothing(channel: Channel, webhook) -> None:
    channel.ready_build(channel.recipe("entretien.yaml", tutorial(platforms=BOTH)))
    assert channel.cli("publish", "recipes/entretien.yaml").exit_code == 0
    before = discord_requests(channel)

    synced = channel.cli("stats", "sync", "--json")

    assert synced.exit_code == 0, synced.output
    assert json.loads(synced.output).get("platforms", []) == []  # a webhook reads no figures
    assert discord_requests(channel) == before
