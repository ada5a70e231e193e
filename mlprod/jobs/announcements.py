"""``mlprod discord …``: the webhook announcements go through, and what staff tell mlprod after a
send that Discord never confirmed (see :mod:`mlprod.discord.platform`, "never twice").
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mlprod.config import Settings
from mlprod.discord.client import WebhookClient, WebhookGone
from mlprod.discord.webhook import (
    SavedWebhook,
    parse_webhook_url,
    require_webhook,
    save_webhook,
    saved_webhook,
)
from mlprod.errors import ConfigError, PublishError
from mlprod.jobs.records import publication_for, stored_path
from mlprod.publishing.sessions import active_sessions, save_session
from mlprod.states import PlatformName, UploadStatus
from mlprod.store import Database

_MESSAGE_LINK = re.compile(r"^(?:https?://(?:\w+\.)?discord(?:app)?\.com/channels/[^/]+/\d+/)?"
                           r"(?P<id>\d{5,25})/?$")


@dataclass(frozen=True)
class AddedWebhook:
    saved: SavedWebhook
    replaced: SavedWebhook | None


def add_webhook(settings: Settings, url: str, *, sleep: Callable[[float], None] = time.sleep) -> AddedWebhook:
    """Check with Discord that the webhook exists, then keep it (0600) as where announcements go."""
    hook = parse_webhook_url(url)
    client = WebhookClient(hook, sleep=sleep)
    try:
        info = client.info()
    except WebhookGone as err:
        raise ConfigError(f"{hook.masked()}: Discord does not know this webhook (deleted, or the URL is"
                          " incomplete) — copy its URL again from the channel's settings") from err
    finally:
        client.close()
    before = saved_webhook(settings)
    return AddedWebhook(save_webhook(settings, hook, info), before)


def _unfinished(settings: Settings, db: Database, recipe: Path) -> tuple[str, list[int]]:
    key = stored_path(settings, recipe)
    sessions = [s.id for s in active_sessions(db, key, PlatformName.discord)]
    if not sessions:
        published = publication_for(db, key, PlatformName.discord)
        state = (f"its announcement is recorded ({published.url})" if published else
                 "no announcement of it was left unconfirmed")
        raise PublishError(f"{key}: nothing to settle on Discord: {state}")
    return key, sessions


def mark_sent(settings: Settings, db: Database, recipe: Path, link: str) -> str:
    """Staff found the unconfirmed announcement in the channel: the next publish records it (after
    reading it back through the webhook), without sending it again. The message's id."""
    key, sessions = _unfinished(settings, db, recipe)
    match = _MESSAGE_LINK.match(link.strip())
    if match is None:
        raise PublishError(f"{link}: not a Discord message link — in the channel, right-click the"
                           " announcement → Copy Message Link, and give that")
    message_id = match["id"]
    client = WebhookClient(require_webhook(settings).hook)
    try:
        message = client.message(message_id)
    finally:
        client.close()
    if message is None:
        raise PublishError(f"{key}: message {message_id} is not one this webhook sent (or it was deleted) —"
                           " check the link: it must be the announcement mlprod sent")
    save_session(db, sessions[0], remote_id=message_id)
    for other in sessions[1:]:
        save_session(db, other, status=UploadStatus.abandoned)
    return message_id


def mark_not_sent(settings: Settings, db: Database, recipe: Path) -> str:
    """Staff found no announcement in the channel: the next publish sends it. The recipe's key."""
    key, sessions = _unfinished(settings, db, recipe)
    for session in sessions:
        save_session(db, session, status=UploadStatus.abandoned)
    return key
