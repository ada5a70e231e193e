"""The channel webhook announcements go through: its URL read, checked, kept and shown masked.

A webhook URL (``https://discord.com/api/webhooks/{id}/{token}``) is a password: whoever holds it
can post in the channel as the Mission Locale. So it is kept in ``.mlprod/discord-webhook.json``
(mode 0600 from its first byte, written whole or not at all), never printed or logged whole —
messages show :meth:`WebhookUrl.masked`, where the token is hidden — and it travels only in the
path of HTTPS requests (plain HTTP only to a sandbox on this machine).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import urllib.parse
from dataclasses import asdict, dataclass

from mlprod.config import Settings
from mlprod.errors import ConfigError, PublishError
from mlprod.files import write_atomic

ADD_WEBHOOK = "`mlprod discord add-webhook URL`"
WHERE_TO_FIND = ("in Discord, the channel's settings → Integrations → Webhooks → New Webhook →"
                 " Copy Webhook URL")
DISCORD_HOSTS = frozenset({"discord.com", "discordapp.com", "ptb.discord.com", "canary.discord.com",
                           "ptb.discordapp.com", "canary.discordapp.com"})
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
_PATH = re.compile(r"^(?P<api>/api(?:/v\d+)?)/webhooks/(?P<id>\d{1,25})"
                   r"/(?P<token>[A-Za-z0-9_\-.]{20,200})/?$")
_ANY_WEBHOOK = re.compile(r"(/webhooks/[^/?#\s]+/)[^/?#\s\"']+")


def redact(text: str) -> str:
    """``text`` with every webhook token in it hidden."""
    return _ANY_WEBHOOK.sub(r"\1***", text)


class _RedactWebhookTokens(logging.Filter):
    """httpx logs each request's URL (at INFO): a webhook's token must not reach a log."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "/webhooks/" in message:
            record.msg, record.args = redact(message), None
        return True


logging.getLogger("httpx").addFilter(_RedactWebhookTokens())


@dataclass(frozen=True)
class WebhookUrl:
    """A webhook's URL, split: ``origin`` (scheme and host), ``api`` (``/api`` or ``/api/v10``)."""

    origin: str
    api: str
    id: str
    token: str

    @property
    def url(self) -> str:
        """The whole URL, secret: for requests only."""
        return f"{self.origin}{self.api}/webhooks/{self.id}/{self.token}"

    def masked(self) -> str:
        """What messages show: the token hidden."""
        return f"{self.origin}{self.api}/webhooks/{self.id}/***"

    def __repr__(self) -> str:  # never the token, even in a traceback
        return f"WebhookUrl({self.masked()!r})"

    __str__ = masked


def parse_webhook_url(text: str) -> WebhookUrl:
    """The webhook in ``text`` (what staff paste), or :class:`ConfigError` saying what to paste."""
    raw = text.strip().strip("<>\"'")
    parts = urllib.parse.urlsplit(raw)
    match = _PATH.match(parts.path)
    shown = redact(raw) if "/webhooks/" in raw else "the text given"
    if parts.scheme not in {"http", "https"} or not parts.hostname or match is None:
        raise ConfigError(f"{shown} is not a Discord webhook URL — copy it {WHERE_TO_FIND}; it looks like"
                          " https://discord.com/api/webhooks/123456789012345678/AbC…")
    host = parts.hostname.lower()
    if parts.scheme == "http" and host not in LOOPBACK:
        raise ConfigError(f"{shown}: a webhook URL is a password and must not travel over plain http —"
                          " use the https:// URL Discord gives")
    if host not in DISCORD_HOSTS and host not in LOOPBACK:
        raise ConfigError(f"{shown}: {host} is not Discord — copy the webhook URL {WHERE_TO_FIND}")
    origin = f"{parts.scheme}://{parts.netloc.lower()}"
    return WebhookUrl(origin, match["api"], match["id"], match["token"])


@dataclass(frozen=True)
class SavedWebhook:
    """What ``add-webhook`` kept: the URL and what Discord said of the webhook then."""

    url: str
    name: str
    channel_id: str
    guild_id: str | None
    added_at: str

    @property
    def hook(self) -> WebhookUrl:
        return parse_webhook_url(self.url)

    def message_url(self, message_id: str, channel_id: str | None = None) -> str:
        """The link that opens a message in Discord (``@me`` when the server is not known)."""
        return (f"https://discord.com/channels/{self.guild_id or '@me'}/{channel_id or self.channel_id}"
                f"/{message_id}")

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2)


def save_webhook(settings: Settings, hook: WebhookUrl, info: dict[str, object]) -> SavedWebhook:
    """Keep ``hook`` with the name, channel and server Discord gave for it (0600, atomically)."""
    saved = SavedWebhook(url=hook.url, name=str(info.get("name") or "webhook"),
                         channel_id=str(info.get("channel_id") or ""),
                         guild_id=str(info["guild_id"]) if info.get("guild_id") else None,
                         added_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
    write_atomic(settings.discord_webhook_file, saved.to_json(), private=True)
    return saved


def saved_webhook(settings: Settings) -> SavedWebhook | None:
    """The webhook ``add-webhook`` kept, None when there is none."""
    path = settings.discord_webhook_file
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        saved = SavedWebhook(**{k: data.get(k) for k in SavedWebhook.__dataclass_fields__})
        saved.hook  # noqa: B018 — parsing checks it
    except FileNotFoundError:
        return None
    except (ValueError, TypeError, ConfigError, AttributeError) as err:
        raise ConfigError(f"{path}: not a webhook mlprod saved ({err.__class__.__name__}) — add it again"
                          f" with {ADD_WEBHOOK}") from None
    return saved


def require_webhook(settings: Settings) -> SavedWebhook:
    saved = saved_webhook(settings)
    if saved is None:
        raise PublishError(f"no Discord webhook yet: copy the channel's webhook URL ({WHERE_TO_FIND}),"
                           f" then run {ADD_WEBHOOK}")
    return saved
