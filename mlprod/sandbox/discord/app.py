"""The Discord sandbox: channel webhooks at ``{server}/api/webhooks/{id}/{token}`` (``/api/v10/…``
too), with Discord's rate limit (:mod:`~mlprod.sandbox.discord.ratelimit`: 5 requests per 2 seconds
per webhook and route: sending, its messages, the webhook itself) and errors. What a client sends:
:mod:`~mlprod.sandbox.discord.webhooks`.

For tests, rehearsals and the demo:

- ``POST {server}/_sandbox/discord/webhooks`` ``{"name": "annonces", "channel_id": "…"}`` →
  ``{"id", "token", "url", "name", "channel_id"}``: a new webhook; ``url`` is what staff would
  paste into ``mlprod discord add-webhook``.
- ``DELETE {server}/_sandbox/discord/webhooks/{id}``: as if someone deleted it in Discord (404 code
  10015 from then on).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from typing import Any

from mlprod.sandbox.config import Clock
from mlprod.sandbox.discord import webhooks
from mlprod.sandbox.discord.errors import DiscordError, RateLimited, invalid_token, too_large, unknown_webhook
from mlprod.sandbox.discord.model import DiscordState, Snowflakes, Webhook
from mlprod.sandbox.discord.ratelimit import Buckets
from mlprod.sandbox.discord.rules import REQUEST_MAX
from mlprod.sandbox.faults import Counter, FaultKind, FaultPlan
from mlprod.sandbox.media import BodyReader
from mlprod.sandbox.replies import DropConnection, Reply, json_reply
from mlprod.sandbox.state import StateStore

SECTION = "discord"
FAULT_RETRY_AFTER = 0.5
"""Seconds a ``discord429@N`` asks the client to wait."""
_PATH = re.compile(
    r"^/api(?:/v\d+)?/webhooks/(?P<id>\d+)/(?P<token>[^/]+)(?:/messages/(?P<message>[^/]+))?/?$"
)


def load_section(data: dict[str, Any] | None) -> DiscordState:
    return DiscordState.from_json(data)


class DiscordApp:
    def __init__(self, store: StateStore, faults: FaultPlan, clock: Clock) -> None:
        self.store = store
        self.state = store.section(SECTION, DiscordState)
        self.faults = faults
        self.clock = clock
        self.buckets = Buckets()
        self.ids = Snowflakes()
        self.requests = 0

    def handle(
        self,
        verb: str,
        path: str,
        query: Mapping[str, str],
        headers: Mapping[str, str],
        reader: BodyReader,
        base_url: str,
    ) -> Reply:
        match = _PATH.match(path)
        if match is None:
            raise DiscordError(404, 0, "404: Not Found")
        self.requests += 1
        if reader.length > REQUEST_MAX:
            raise too_large()
        now = self.clock().timestamp()
        fault = self.faults.next(Counter.DISCORD_REQUEST)
        if fault is not None and fault.kind is FaultKind.DISCORD_RATE_LIMIT:
            _, limits, _ = self.buckets.take(f"fault/{match['id']}", now)
            raise RateLimited(FAULT_RETRY_AFTER, {**limits, "Retry-After": "1", "X-RateLimit-Remaining": "0"})
        if fault is not None and fault.kind is FaultKind.DISCORD_UNAVAILABLE:
            raise DiscordError(503, 0, "upstream connect error or disconnect/reset before headers")
        webhook = self.state.webhooks.get(match["id"])
        if webhook is None or webhook.deleted:
            raise unknown_webhook()
        if not secrets.compare_digest(webhook.token, match["token"]):
            raise invalid_token()
        route = "messages" if match["message"] else "execute" if verb == "POST" else "webhook"
        allowed, limits, retry_after = self.buckets.take(f"{webhook.id}/{route}", now)
        if not allowed:
            raise RateLimited(retry_after, limits)
        ctx = webhooks.WebhookContext(self.store, self.state, webhook, now, base_url, query, self.ids)
        reply = self._dispatch(ctx, verb, match["message"], headers, reader)
        if fault is not None and fault.kind is FaultKind.DISCORD_RESET:
            raise DropConnection(str(fault))  # done, and the answer lost on the way back
        reply.headers.update(limits)
        return reply

    def _dispatch(
        self,
        ctx: webhooks.WebhookContext,
        verb: str,
        message_id: str | None,
        headers: Mapping[str, str],
        reader: BodyReader,
    ) -> Reply:
        content_type = headers.get("Content-Type") or "application/json"
        if message_id is None:
            if verb == "POST":
                return webhooks.execute(ctx, webhooks.read_payload(reader, content_type, REQUEST_MAX))
            if verb == "GET":
                return webhooks.webhook_json(ctx)
            if verb == "DELETE":
                return webhooks.delete_webhook(ctx)
        else:
            if verb == "GET":
                return json_reply(webhooks.message_json(ctx, webhooks.find_message(ctx, message_id)))
            if verb == "PATCH":
                payload = webhooks.read_payload(reader, content_type, REQUEST_MAX)
                return webhooks.edit_message(ctx, message_id, payload)
            if verb == "DELETE":
                return webhooks.delete_message(ctx, message_id)
        raise DiscordError(405, 0, "405: Method Not Allowed")

    # -- tests and rehearsals -------------------------------------------------------------------

    def create_webhook(self, options: dict[str, Any], base_url: str) -> dict[str, Any]:
        now = self.clock().timestamp()
        webhook = Webhook(
            self.ids.next(now),
            secrets.token_urlsafe(48),
            str(options.get("name") or "mlprod"),
            str(options.get("channel_id") or self.ids.next(now)),
            str(options.get("guild_id") or "1000000000000000001"),
            now,
        )
        with self.store.change():
            self.state.webhooks[webhook.id] = webhook
        return {
            "id": webhook.id,
            "token": webhook.token,
            "url": f"{base_url}/api/webhooks/{webhook.id}/{webhook.token}",
            "name": webhook.name,
            "channel_id": webhook.channel_id,
        }

    def delete_webhook(self, webhook_id: str) -> bool:
        with self.store.change():
            webhook = self.state.webhooks.get(webhook_id)
            if webhook is None or webhook.deleted:
                return False
            webhook.deleted = True
            return True

    def snapshot(self, base_url: str) -> dict[str, Any]:
        with self.store.read():
            hooks = [
                {
                    "id": w.id,
                    "name": w.name,
                    "channel_id": w.channel_id,
                    "deleted": w.deleted,
                    "url": f"{base_url}/api/webhooks/{w.id}/{w.token}",
                }
                for w in self.state.webhooks.values()
            ]
            messages = [
                {
                    "id": m.id,
                    "webhook_id": m.webhook_id,
                    "channel_id": m.channel_id,
                    "content": m.content,
                    "embeds": m.embeds,
                    "username": m.username,
                    "timestamp": m.timestamp,
                    "edited_at": m.edited_at,
                    "deleted": m.deleted,
                    "attachments": [
                        {
                            "filename": a.filename,
                            "size": a.size,
                            "content_type": a.content_type,
                            "sha256": a.sha256,
                        }
                        for a in m.attachments
                    ],
                }
                for m in self.state.messages.values()
            ]
        return {
            "webhooks": hooks,
            "messages": messages,
            "requests": self.requests,
            "rate_limited": self.buckets.refused,
        }

    def reset(self) -> None:
        """Forget messages and rate-limit windows; keep webhooks."""
        with self.store.change():
            self.state.messages.clear()
        self.buckets.reset()
        self.requests = 0
