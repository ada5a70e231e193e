"""What a webhook does: send a message (JSON, or multipart with ``payload_json`` and ``files[n]``),
show, edit or delete one of its messages, show or delete itself.

Protocol (``{webhook}`` is ``{server}/api/webhooks/{id}/{token}``; ``/api/v10/…`` works too):

- ``POST {webhook}?wait=true`` JSON ``{"content", "embeds", "username", "avatar_url"}`` → 200 and
  the message (``id``, ``content``, ``embeds``, ``attachments``, ``timestamp``…); without
  ``wait=true`` → 204. Content at most 2,000 characters, at most 10 embeds (title 256, description
  4,096, 25 fields, 6,000 characters in all; URLs ``http(s)://`` or ``attachment://NAME``);
  problems → 400 code 50035 with an ``errors`` tree; nothing to send → 50006.
- Attachments: ``multipart/form-data`` with a ``payload_json`` part and ``files[0]``, ``files[1]``…
  Their sizes together at most 10 MiB (and a request at most 25 MiB): 413 code 40005 otherwise —
  link to the video instead of attaching it.
- ``GET|PATCH|DELETE {webhook}/messages/{message-id}``: the message, edited (``edited_timestamp``)
  or deleted (204); an unknown or deleted one → 404 code 10008.
- ``GET {webhook}`` → the webhook; ``DELETE {webhook}`` deletes it: from then on 404 code 10015.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from mlprod.sandbox.discord.errors import empty_message, invalid_form, too_large, unknown_message
from mlprod.sandbox.discord.model import Attachment, DiscordState, Message, Snowflakes, Webhook
from mlprod.sandbox.discord.rules import FILES_MAX, UPLOAD_MAX, payload_errors
from mlprod.sandbox.forms import FilePart, body_fields
from mlprod.sandbox.media import BodyReader
from mlprod.sandbox.replies import Reply, json_reply
from mlprod.sandbox.state import StateStore


@dataclass
class WebhookContext:
    store: StateStore
    state: DiscordState
    webhook: Webhook
    now: float
    base_url: str
    query: Mapping[str, str]
    ids: Snowflakes


@dataclass(frozen=True)
class Payload:
    fields: dict[str, Any]
    files: list[FilePart]


def discord_time(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="microseconds")


def read_payload(reader: BodyReader, content_type: str, limit: int) -> Payload:
    """The message a request carries: JSON, or multipart with ``payload_json`` and files."""
    kind = content_type.split(";")[0].strip().lower()
    if kind == "application/json":
        try:
            data = json.loads(reader.read_all(limit) or b"{}")
        except ValueError:
            raise invalid_form({"_errors": [{"code": "JSON_INVALID", "message": "Invalid JSON"}]}) from None
        if not isinstance(data, dict):
            raise invalid_form(
                {"_errors": [{"code": "DICT_TYPE_CONVERT", "message": "Only dictionaries may be used"}]}
            )
        return Payload(data, [])
    form = body_fields(reader, content_type, limit)
    fields: dict[str, Any] = dict(form.fields)
    if "payload_json" in fields:
        try:
            fields = json.loads(fields["payload_json"])
        except ValueError:
            raise invalid_form(
                {"payload_json": {"_errors": [{"code": "JSON_INVALID", "message": "Invalid JSON"}]}}
            ) from None
    return Payload(fields if isinstance(fields, dict) else {}, form.files)


def _check(payload: Payload, keep: list[Attachment]) -> None:
    if sum(len(f.data) for f in payload.files) > UPLOAD_MAX:
        raise too_large()
    if len(payload.files) + len(keep) > FILES_MAX:
        raise invalid_form(
            {
                "attachments": {
                    "_errors": [
                        {
                            "code": "BASE_TYPE_MAX_LENGTH",
                            "message": f"Must be {FILES_MAX} or fewer in length.",
                        }
                    ]
                }
            }
        )
    names = {f.filename for f in payload.files} | {a.filename for a in keep}
    errors = payload_errors(payload.fields, names)
    if errors:
        raise invalid_form(errors)


def _attachments(ctx: WebhookContext, payload: Payload) -> list[Attachment]:
    described = {
        str(a.get("id")): a.get("description")
        for a in payload.fields.get("attachments") or []
        if isinstance(a, dict)
    }
    made = []
    for index, part in enumerate(payload.files):
        made.append(
            Attachment(
                ctx.ids.next(ctx.now),
                part.filename,
                len(part.data),
                part.content_type,
                hashlib.sha256(part.data).hexdigest(),
                described.get(str(index)),
            )
        )
    return made


def message_json(ctx: WebhookContext, message: Message) -> dict[str, Any]:
    webhook = ctx.webhook
    cdn = f"{ctx.base_url}/discord-cdn/attachments/{message.channel_id}"
    return {
        "id": message.id,
        "type": 0,
        "content": message.content,
        "channel_id": message.channel_id,
        "author": {
            "bot": True,
            "id": webhook.id,
            "username": message.username,
            "avatar": None,
            "discriminator": "0000",
            "global_name": None,
        },
        "attachments": [
            {
                "id": a.id,
                "filename": a.filename,
                "size": a.size,
                "content_type": a.content_type,
                "url": f"{cdn}/{a.id}/{a.filename}",
                "proxy_url": f"{cdn}/{a.id}/{a.filename}",
                **({"description": a.description} if a.description else {}),
            }
            for a in message.attachments
        ],
        "embeds": [{"type": "rich", **e} for e in message.embeds],
        "mentions": [],
        "mention_roles": [],
        "pinned": False,
        "mention_everyone": False,
        "tts": message.tts,
        "timestamp": discord_time(message.timestamp),
        "edited_timestamp": discord_time(message.edited_at) if message.edited_at else None,
        "flags": message.flags,
        "components": [],
        "webhook_id": webhook.id,
    }


def execute(ctx: WebhookContext, payload: Payload) -> Reply:
    """``POST {webhook}``: send a message."""
    _check(payload, [])
    fields = payload.fields
    if not fields.get("content") and not fields.get("embeds") and not payload.files:
        raise empty_message()
    message = Message(
        ctx.ids.next(ctx.now),
        ctx.webhook.id,
        ctx.webhook.channel_id,
        str(fields.get("content") or ""),
        list(fields.get("embeds") or []),
        _attachments(ctx, payload),
        str(fields.get("username") or ctx.webhook.name),
        fields.get("avatar_url"),
        bool(fields.get("tts")),
        int(fields.get("flags") or 0),
        ctx.now,
    )
    with ctx.store.change():
        ctx.state.messages[message.id] = message
    if ctx.query.get("wait", "false").lower() != "true":
        return Reply(204)
    return json_reply(message_json(ctx, message))


def find_message(ctx: WebhookContext, message_id: str) -> Message:
    message = ctx.state.messages.get(message_id)
    if message is None or message.deleted or message.webhook_id != ctx.webhook.id:
        raise unknown_message()
    return message


def edit_message(ctx: WebhookContext, message_id: str, payload: Payload) -> Reply:
    """``PATCH {webhook}/messages/{id}``: new content, embeds or attachments."""
    message = find_message(ctx, message_id)
    fields = payload.fields
    keep = message.attachments
    if isinstance(fields.get("attachments"), list):
        wanted = {str(a.get("id")) for a in fields["attachments"] if isinstance(a, dict)}
        keep = [a for a in message.attachments if a.id in wanted]
    _check(payload, keep)
    with ctx.store.change():
        if "content" in fields:
            message.content = str(fields["content"] or "")
        if "embeds" in fields:
            message.embeds = list(fields["embeds"] or [])
        message.attachments = keep + _attachments(ctx, payload)
        message.edited_at = ctx.now
    return json_reply(message_json(ctx, message))


def delete_message(ctx: WebhookContext, message_id: str) -> Reply:
    message = find_message(ctx, message_id)
    with ctx.store.change():
        message.deleted = True
    return Reply(204)


def webhook_json(ctx: WebhookContext) -> Reply:
    webhook = ctx.webhook
    return json_reply(
        {
            "type": 1,
            "id": webhook.id,
            "name": webhook.name,
            "avatar": None,
            "channel_id": webhook.channel_id,
            "guild_id": webhook.guild_id,
            "application_id": None,
            "token": webhook.token,
        }
    )


def delete_webhook(ctx: WebhookContext) -> Reply:
    with ctx.store.change():
        ctx.webhook.deleted = True
    return Reply(204)
