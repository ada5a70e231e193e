"""`mlprod discord add-webhook`: the webhook URL is a password — checked with Discord, kept 0600,
shown masked, never logged whole; through the real CLI against the sandbox's Discord."""

from __future__ import annotations

import json
import logging
import stat

import pytest
from click.testing import CliRunner
from publish_helpers import Channel

from mlprod.cli import cli
from mlprod.discord.client import WebhookClient
from mlprod.discord.webhook import parse_webhook_url
from mlprod.sandbox.testing import delete_discord_webhook, discord_webhook


def test_a_webhook_is_checked_kept_0600_and_shown_masked(channel: Channel) -> None:
    hook = discord_webhook(channel.sandbox.url, "annonces")

    result = channel.cli("discord", "add-webhook", hook["url"])

    assert result.exit_code == 0, result.output
    masked = f"{channel.sandbox.url}/api/webhooks/{hook['id']}/***"
    assert f"Discord webhook \"annonces\" saved: {masked} (channel {hook['channel_id']})." in result.output
    assert "Kept in .mlprod/discord-webhook.json, readable by you only." in result.output
    assert hook["token"] not in result.output
    saved = channel.settings.discord_webhook_file
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert json.loads(saved.read_text())["url"] == hook["url"]

    other = discord_webhook(channel.sandbox.url, "offres")
    replaced = channel.cli("discord", "add-webhook", other["url"], "--json")
    assert json.loads(replaced.output)["replaced"] == masked
    assert hook["token"] not in replaced.output and other["token"] not in replaced.output


def test_the_url_can_be_pasted_at_a_hidden_prompt(channel: Channel) -> None:
    hook = discord_webhook(channel.sandbox.url)

    result = CliRunner().invoke(cli, ["-C", str(channel.settings.root), "discord", "add-webhook"],
                                input=hook["url"] + "\n", env=channel.env, catch_exceptions=False)

    assert result.exit_code == 0, result.output
    assert hook["token"] not in result.output
    assert json.loads(channel.settings.discord_webhook_file.read_text())["url"] == hook["url"]


@pytest.mark.parametrize(("url", "message"), [
    ("https://discord.com/channels/123/456", "is not a Discord webhook URL — copy it in Discord, the"
     " channel's settings → Integrations → Webhooks → New Webhook → Copy Webhook URL"),
    ("http://discord.com/api/webhooks/123/" + "a" * 68, "must not travel over plain http"),
    ("https://discord.example.org/api/webhooks/123/" + "a" * 68, "discord.example.org is not Discord"),
])
def test_what_is_not_a_webhook_url_is_refused(channel: Channel, url: str, message: str) -> None:
    result = channel.cli("discord", "add-webhook", url)

    assert result.exit_code == 1
    assert message in result.output
    assert "a" * 68 not in result.output
    assert not channel.settings.discord_webhook_file.exists()


def test_a_deleted_webhook_is_not_added(channel: Channel) -> None:
    hook = discord_webhook(channel.sandbox.url)
    delete_discord_webhook(channel.sandbox.url, hook["id"])

    result = channel.cli("discord", "add-webhook", hook["url"])

    assert result.exit_code == 1
    assert "Discord does not know this webhook (deleted, or the URL is incomplete)" in result.output
    assert hook["token"] not in result.output
    assert not channel.settings.discord_webhook_file.exists()


def test_the_token_never_reaches_a_log(channel: Channel, caplog: pytest.LogCaptureFixture) -> None:
    hook = discord_webhook(channel.sandbox.url)
    caplog.set_level(logging.DEBUG)
    client = WebhookClient(parse_webhook_url(hook["url"]))
    try:
        client.info()
        client.send({"content": "Bonjour"})
    finally:
        client.close()

    assert f"/api/webhooks/{hook['id']}/***" in caplog.text  # httpx logged the requests, masked
    assert hook["token"] not in caplog.text
    assert hook["token"] not in repr(parse_webhook_url(hook["url"]))
