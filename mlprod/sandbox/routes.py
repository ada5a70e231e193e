"""The platforms on one server, and which one a request goes to (no sockets here).

==========================================  =====================================================
path                                        goes to
==========================================  =====================================================
``/_sandbox/…``                             test and rehearsal actions (below)
``/o/oauth2/auth``, ``/token``, ``/revoke``  Google sign-in (:mod:`mlprod.sandbox.auth`)
``/discovery/v1/apis/…``                    Google discovery documents
``/youtube/…``, ``/upload/…``, ``/v2/…``      YouTube Data and Analytics (:mod:`mlprod.sandbox.app`)
``/graph/…``, ``/rupload/…``, ``/www/…``      Meta: Facebook and Instagram (:mod:`mlprod.sandbox.meta.app`)
``/api/webhooks/…``                         Discord webhooks (:mod:`mlprod.sandbox.discord.app`)
==========================================  =====================================================

Actions: ``GET /_sandbox/state`` (everything, with keys ``facebook``, ``instagram``, ``discord``
beside YouTube's), ``POST /_sandbox/reset``, ``/_sandbox/expire-tokens``,
``/_sandbox/revoke-tokens`` (Google's), ``POST /_sandbox/meta/{pages,tokens,expire-tokens,
revoke-tokens}``, ``POST /_sandbox/discord/webhooks``, ``DELETE /_sandbox/discord/webhooks/{id}``.
"""

from __future__ import annotations

import base64
import urllib.parse
from collections.abc import Callable, Mapping
from typing import Any

from mlprod.sandbox.app import SandboxApp
from mlprod.sandbox.config import SandboxConfig
from mlprod.sandbox.discord import app as discord_app
from mlprod.sandbox.discord.errors import DiscordError
from mlprod.sandbox.discovery import APIS, discovery_document
from mlprod.sandbox.errors import ApiError, WireError
from mlprod.sandbox.faults import FaultPlan
from mlprod.sandbox.forms import MAX_FORM_BODY, form_fields, read_json
from mlprod.sandbox.media import BodyReader
from mlprod.sandbox.meta import app as meta_app
from mlprod.sandbox.meta.errors import GraphError
from mlprod.sandbox.replies import Reply, json_reply
from mlprod.sandbox.state import SectionLoader

META_PREFIXES = ("/graph/", "/rupload/", "/www/")
DISCORD_PREFIX = "/api/"
UPLOAD_PREFIXES = ("/upload/", "/rupload/")
"""Paths whose bodies ``--throttle-kbps`` slows down."""


class Platforms:
    """YouTube, Meta and Discord, sharing one state file, one clock and one fault plan."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.faults = FaultPlan(list(config.faults))
        sections: dict[str, SectionLoader] = {
            meta_app.SECTION: meta_app.load_section(config.history),
            discord_app.SECTION: discord_app.load_section,
        }
        self.youtube = SandboxApp(config, self.faults, sections)
        self.meta = meta_app.MetaApp(self.youtube.store, self.faults, config.clock)
        self.discord = discord_app.DiscordApp(self.youtube.store, self.faults, config.clock)

    @property
    def base_url(self) -> str:
        return self.youtube.base_url

    def route(
        self,
        verb: str,
        path: str,
        query: dict[str, list[str]],
        headers: Mapping[str, str],
        reader: BodyReader,
    ) -> Reply:
        flat = {k: v[-1] for k, v in query.items()}
        if path.startswith("/_sandbox/"):
            return self._admin(path[len("/_sandbox/") :], verb, reader)
        if path.startswith(META_PREFIXES):
            return self.meta.handle(verb, path, flat, headers, reader, self.base_url)
        if path.startswith(DISCORD_PREFIX):
            return self.discord.handle(verb, path, flat, headers, reader, self.base_url)
        youtube = self.youtube
        if path == "/o/oauth2/auth" and verb == "GET":
            return youtube.tokens.authorize(flat)
        if path == "/token" and verb == "POST":
            form = form_fields(reader.read_all(MAX_FORM_BODY))
            return youtube.tokens.token(form, _basic_auth(headers.get("Authorization")))
        if path == "/revoke" and verb in ("POST", "GET"):
            token = flat.get("token") or form_fields(reader.read_all(MAX_FORM_BODY)).get("token", "")
            return youtube.tokens.revoke(token)
        if path.startswith("/discovery/v1/apis/") and verb == "GET":
            return self._discovery(path)
        if verb == "PUT" and path.startswith("/upload/") and "upload_id" in query:
            return youtube.uploads.put(query["upload_id"][-1], headers.get("Content-Range"), reader)
        return youtube.handle_api(verb, path, query, headers, reader)

    def internal_error(self, path: str) -> WireError:
        """The 500 of the platform ``path`` belongs to, in its shape."""
        if path.startswith(META_PREFIXES):
            return GraphError(1, "An unknown error occurred (the sandbox failed: see its log)", status=500)
        if path.startswith(DISCORD_PREFIX):
            return DiscordError(500, 0, "500: Internal Server Error")
        return ApiError(500, "backendError", "The sandbox failed: see its log.")

    def _discovery(self, path: str) -> Reply:
        pieces = path.strip("/").split("/")  # discovery v1 apis NAME VERSION rest
        if len(pieces) == 6 and pieces[5] == "rest" and (pieces[3], pieces[4]) in APIS:
            body = discovery_document(pieces[3], pieces[4], self.base_url)
            return Reply(200, body, {"Content-Type": "application/json; charset=UTF-8"})
        raise ApiError(404, "notFound", f"No discovery document at {path}.")

    def _admin(self, action: str, verb: str, reader: BodyReader) -> Reply:
        if action == "state" and verb == "GET":
            return json_reply(self.snapshot())
        if action.startswith("meta/") and verb == "POST":
            return json_reply(self.meta.admin(action[len("meta/") :], read_json(reader) or {}))
        if action == "discord/webhooks" and verb == "POST":
            return json_reply(self.discord.create_webhook(read_json(reader) or {}, self.base_url))
        if action.startswith("discord/webhooks/") and verb == "DELETE":
            if not self.discord.delete_webhook(action.rsplit("/", 1)[1]):
                raise DiscordError(404, 10015, "Unknown Webhook")
            return Reply(204)
        actions: dict[str, Callable[[], Any]] = {
            "reset": self.reset,
            "expire-tokens": self.youtube.tokens.expire_access_tokens,
            "revoke-tokens": self.youtube.tokens.revoke_refresh_tokens,
        }
        if action in actions and verb == "POST":
            actions[action]()
            return json_reply({"done": action})
        raise ApiError(404, "notFound", f"No sandbox action {verb} /_sandbox/{action}.")

    def snapshot(self) -> dict[str, Any]:
        """Everything every platform holds, as ``GET /_sandbox/state`` shows it."""
        return {
            **self.youtube.snapshot(),
            **self.meta.snapshot(),
            "discord": self.discord.snapshot(self.base_url),
            "fault_counts": {counter.value: seen for counter, seen in self.faults.seen.items()},
        }

    def reset(self) -> None:
        """Forget what was published and uploaded everywhere, and the fault counts; keep sign-ins,
        Pages and webhooks."""
        self.youtube.reset()
        self.meta.reset()
        self.discord.reset()

    def close(self) -> None:
        self.youtube.uploads.close()
        self.meta.close()


def _basic_auth(header: str | None) -> tuple[str, str] | None:
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip()).decode("utf-8")
    except ValueError:
        return None
    user, _, password = decoded.partition(":")
    return urllib.parse.unquote(user), urllib.parse.unquote(password)
