"""The Discord sandbox through raw HTTP: webhook messages, their limits, edits and deletions, the
rate limit, deleted webhooks and injected faults."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from mlprod.sandbox import Sandbox, parse_faults
from mlprod.sandbox.testing import FakeClock, delete_discord_webhook, discord_webhook

SandboxFactory = Callable[..., Sandbox]
HTTP = httpx.Client(timeout=10)
"""One client for the module: a new one per request would spend more time on set-up than on HTTP."""
EMBED = {
    "title": "Vendeur·se en boulangerie — CDD",
    "url": "https://www.youtube.com/watch?v=abc",
    "description": "Boulangerie du Cours, Salon-de-Provence. Candidature : 04 90 00 00 00",
    "image": {"url": "https://i.ytimg.com/vi/abc/hqdefault.jpg"},
    "fields": [{"name": "Contrat", "value": "CDD"}, {"name": "Début", "value": "1er septembre"}],
}


@pytest.fixture(autouse=True, scope="module")
def _close_client() -> Iterator[None]:
    yield
    HTTP.close()


def test_a_message_is_sent_edited_and_deleted(sandbox: Sandbox) -> None:
    hook = discord_webhook(sandbox.url, "annonces")
    sent = HTTP.post(
        hook["url"], params={"wait": "true"}, json={"content": "Nouvelle offre !", "embeds": [EMBED]}
    )
    assert sent.status_code == 200
    message = sent.json()
    assert message["content"] == "Nouvelle offre !" and message["webhook_id"] == hook["id"]
    assert message["embeds"][0]["title"] == EMBED["title"] and message["author"]["bot"] is True
    url = f"{hook['url']}/messages/{message['id']}"
    assert HTTP.get(url).json()["id"] == message["id"]
    edited = HTTP.patch(url, json={"content": "Offre pourvue, merci !", "embeds": []}).json()
    assert edited["content"] == "Offre pourvue, merci !" and edited["edited_timestamp"] is not None
    assert HTTP.delete(url).status_code == 204
    gone = HTTP.get(url)
    assert (gone.status_code, gone.json()["code"]) == (404, 10008)
    assert HTTP.post(hook["url"], json={"content": "sans attendre"}).status_code == 204
    held = sandbox.state()["discord"]
    assert [m["deleted"] for m in held["messages"]] == [True, False]
    assert held["webhooks"][0]["url"] == hook["url"]


@pytest.mark.parametrize(
    ("payload", "where"),
    [
        ({"content": "x" * 2001}, ["content"]),
        ({"embeds": [{"title": "t"}] * 11}, ["embeds"]),
        ({"embeds": [{"title": "t" * 257}]}, ["embeds", "0", "title"]),
        (
            {"embeds": [{"title": "ok", "image": {"url": "output/offre/offre.jpg"}}]},
            ["embeds", "0", "image", "url"],
        ),
        ({"embeds": [{"description": "d" * 4000}, {"description": "d" * 2500}]}, ["embeds"]),
    ],
)
def test_an_invalid_message_is_refused_with_its_errors(
    sandbox: Sandbox, payload: dict[str, object], where: list[str]
) -> None:
    hook = discord_webhook(sandbox.url)
    answer = HTTP.post(hook["url"], params={"wait": "true"}, json=payload)
    body = answer.json()
    assert (answer.status_code, body["code"], body["message"]) == (400, 50035, "Invalid Form Body")
    node = body["errors"]
    for key in where:
        node = node[key]
    assert node["_errors"][0]["message"]
    assert sandbox.state()["discord"]["messages"] == []


def test_an_empty_message_is_refused(sandbox: Sandbox) -> None:
    answer = HTTP.post(discord_webhook(sandbox.url)["url"], json={"content": ""})
    assert (answer.status_code, answer.json()["code"]) == (400, 50006)


def test_attachments_within_the_limit_and_over_it(sandbox: Sandbox, tmp_path: Path) -> None:
    hook = discord_webhook(sandbox.url)
    card = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40
    payload = {
        "content": "L'affiche",
        "embeds": [{"title": "Affiche", "image": {"url": "attachment://affiche.png"}}],
    }
    sent = HTTP.post(
        hook["url"],
        params={"wait": "true"},
        data={"payload_json": json.dumps(payload)},
        files={"files[0]": ("affiche.png", card, "image/png")},
    )
    assert sent.status_code == 200, sent.text
    [attachment] = sent.json()["attachments"]
    assert (attachment["filename"], attachment["size"]) == ("affiche.png", len(card))
    [held] = sandbox.state()["discord"]["messages"][0]["attachments"]
    assert held["sha256"] == hashlib.sha256(card).hexdigest()
    video = tmp_path / "offre.mp4"
    video.write_bytes(b"\0" * (10 * 1024 * 1024 + 1))
    with video.open("rb") as handle:
        refused = HTTP.post(
            hook["url"],
            data={"payload_json": json.dumps({"content": "la vidéo"})},
            files={"files[0]": ("offre.mp4", handle, "video/mp4")},
        )
    assert (refused.status_code, refused.json()["code"]) == (413, 40005)
    assert len(sandbox.state()["discord"]["messages"]) == 1


def test_the_sixth_request_in_two_seconds_waits(sandbox_factory: SandboxFactory) -> None:
    clock = FakeClock(datetime(2026, 11, 26, 9, 0, tzinfo=UTC))
    sandbox = sandbox_factory(clock=clock)
    hook = discord_webhook(sandbox.url)
    answers = [HTTP.post(hook["url"], json={"content": f"message {i}"}) for i in range(6)]
    assert [a.status_code for a in answers] == [204] * 5 + [429]
    assert [a.headers["X-RateLimit-Remaining"] for a in answers[:5]] == ["4", "3", "2", "1", "0"]
    limited = answers[5]
    assert limited.json() == {"message": "You are being rate limited.", "retry_after": 2.0, "global": False}
    assert limited.headers["Retry-After"] == "2" and limited.headers["X-RateLimit-Reset-After"] == "2.000"
    clock.advance(seconds=1.5)
    assert HTTP.post(hook["url"], json={"content": "trop tôt"}).json()["retry_after"] == 0.5
    clock.advance(seconds=0.5)
    assert HTTP.post(hook["url"], json={"content": "enfin"}).status_code == 204
    assert sandbox.state()["discord"]["rate_limited"] == 2


def test_injected_faults(sandbox_factory: SandboxFactory) -> None:
    sandbox = sandbox_factory(faults=parse_faults("discord429@1,discord503@2"))
    hook = discord_webhook(sandbox.url)
    first = HTTP.post(hook["url"], json={"content": "un"})
    assert first.status_code == 429 and first.json()["retry_after"] == 0.5
    assert HTTP.post(hook["url"], json={"content": "deux"}).status_code == 503
    assert HTTP.post(hook["url"], json={"content": "trois"}).status_code == 204
    assert sandbox.state()["faults_fired"] == ["discord429@1", "discord503@2"]


def test_a_deleted_webhook_is_unknown(sandbox: Sandbox) -> None:
    hook = discord_webhook(sandbox.url)
    wrong = HTTP.post(hook["url"][:-3] + "abc", json={"content": "x"})
    assert (wrong.status_code, wrong.json()["code"]) == (401, 50027)
    assert HTTP.get(hook["url"]).json()["name"] == "annonces"
    delete_discord_webhook(sandbox.url, hook["id"])
    gone = HTTP.post(hook["url"], json={"content": "x"})
    assert (gone.status_code, gone.json()) == (404, {"message": "Unknown Webhook", "code": 10015})
    other = discord_webhook(sandbox.url, "jeunes")
    assert HTTP.delete(other["url"]).status_code == 204  # a webhook deleted through its own URL
    assert HTTP.get(other["url"]).json()["code"] == 10015


def test_discord_keeps_its_webhooks_across_restarts(sandbox_factory: SandboxFactory, tmp_path: Path) -> None:
    state_file = tmp_path / "bac.json"
    first = sandbox_factory(state_file=state_file)
    hook = discord_webhook(first.url)
    HTTP.post(hook["url"], json={"content": "avant"})
    first.stop()
    second = sandbox_factory(state_file=state_file)
    url = hook["url"].replace(first.url, second.url)
    assert HTTP.post(url, json={"content": "après"}).status_code == 204
    assert [m["content"] for m in second.state()["discord"]["messages"]] == ["avant", "après"]
    assert set(second.state()) >= {"facebook", "instagram", "discord", "videos", "quota_used"}
