"""Helpers for tests that use a sandbox (like ``click.testing``): a hand-moved clock, a plain HTTP
request that shows what the Google client hides, the sign-in dance that ends in real
``google.oauth2`` credentials whose refreshes go through the sandbox's token endpoint, and the set-up
of the other platforms: Meta tokens and Pages, Discord webhooks, small MP4s to upload.

The Meta and Discord helpers take the sandbox's URL, so they work as well against a
``mlprod sandbox serve`` started by hand:

>>> meta = meta_tokens(url)                    # doctest: +SKIP
>>> page = meta["pages"][0]                    # id, access_token, instagram_business_account
>>> hook = discord_webhook(url, "annonces")    # id, token, url
"""

from __future__ import annotations

import http.client
import json
import random
import urllib.parse
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from google.oauth2.credentials import Credentials

from mlprod.errors import MediaError
from mlprod.media.ffmpeg import run_ffmpeg
from mlprod.sandbox.errors import SandboxError
from mlprod.sandbox.server import SCOPES, Sandbox

CLIENT_ID = "mlprod-test-client"
CLIENT_SECRET = "not-a-secret"  # noqa: S105 — the sandbox accepts any secret
REDIRECT_URI = "http://localhost:8765/"


class FakeClock:
    """A clock tests move by hand: ``SandboxConfig(clock=clock)``, then ``clock.advance(hours=2)``."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class RawAnswer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def reason(self) -> str:
        """``errors[0].reason`` of a Google-shaped error body."""
        return str(self.json()["error"]["errors"][0]["reason"])


def raw_request(
    url: str, method: str = "GET", body: bytes = b"", headers: dict[str, str] | None = None
) -> RawAnswer:
    """One request with http.client: follows no redirect, does not mind 308."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    try:
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        conn.request(method, target, body=body, headers=headers or {})
        response = conn.getresponse()
        return RawAnswer(response.status, dict(response.getheaders()), response.read())
    finally:
        conn.close()


def sign_in(sandbox: Sandbox, scopes: tuple[str, ...] = SCOPES) -> Credentials:
    """Authorize page → code → token endpoint; credentials without an access token yet, so the
    first API call refreshes through the sandbox (as a saved sign-in does)."""
    query = urllib.parse.urlencode(
        {
            "client_id": CLIENT_ID,
            "redirect_uri": REDIRECT_URI,
            "response_type": "code",
            "scope": " ".join(scopes),
            "state": "mlprod",
            "access_type": "offline",
        }
    )
    redirect = raw_request(f"{sandbox.url}/o/oauth2/auth?{query}")
    answer = urllib.parse.parse_qs(urllib.parse.urlsplit(redirect.headers.get("Location", "")).query)
    if redirect.status != 302 or answer.get("state") != ["mlprod"]:
        raise SandboxError(f"the sandbox's authorize page answered {redirect.status}")
    form = {
        "grant_type": "authorization_code",
        "code": answer["code"][0],
        "redirect_uri": REDIRECT_URI,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
    }
    token = raw_request(
        f"{sandbox.url}/token",
        "POST",
        urllib.parse.urlencode(form).encode(),
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    if token.status != 200:
        raise SandboxError(f"the sandbox's token endpoint answered {token.status}: {token.body!r}")
    return Credentials(
        token=None,
        refresh_token=token.json()["refresh_token"],
        token_uri=f"{sandbox.url}/token",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        scopes=list(scopes),
    )


def write_bytes(path: Path, size: int, seed: int = 1) -> Path:
    """``size`` reproducible pseudo-random bytes at ``path``: uploads need no real video."""
    path.write_bytes(random.Random(seed).randbytes(size))  # noqa: S311 — not for secrets
    return path


def make_mp4(path: Path, width: int = 540, height: int = 960, seconds: float = 4.0) -> Path:
    """A small real H.264 MP4 (a plain colour, a few kilobytes) of that size and length."""
    path.parent.mkdir(parents=True, exist_ok=True)
    run_ffmpeg(
        ["-f", "lavfi", "-i", f"color=c=0x2a6f97:s={width}x{height}:r=24:d={seconds}",
         "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(path)],
        what=f"making test video {path.name}",
        error=MediaError,
    )
    return path


def _admin(url: str, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    data = json.dumps(body or {}).encode()
    answer = raw_request(f"{url}/_sandbox/{path}", method, data, {"Content-Type": "application/json"})
    if answer.status >= 300:
        raise SandboxError(f"the sandbox refused {method} /_sandbox/{path}: {answer.status} {answer.body!r}")
    return answer.json() if answer.body else None


def meta_tokens(url: str, *, scopes: list[str] | None = None, long_lived: bool = True) -> dict[str, Any]:
    """A Meta user token and each Page's token (with its Instagram account), without the dialog:
    ``{"user_token", "expires_in", "pages": [{"id", "name", "access_token",
    "instagram_business_account": {"id"}}]}``."""
    options: dict[str, Any] = {"long_lived": long_lived}
    if scopes is not None:
        options["scopes"] = scopes
    return dict(_admin(url, "POST", "meta/tokens", options))


def meta_page(
    url: str,
    name: str,
    *,
    followers: str | None = None,
    instagram: bool = True,
    instagram_followers: str | None = None,
) -> dict[str, Any]:
    """A new Page (and its Instagram account): ``{"id", "name", "instagram_business_account"}``;
    ``followers`` like ``--history``: ``2026-01-01:300,2026-06-30:900``."""
    options = {
        "name": name,
        "followers": followers,
        "instagram": instagram,
        "instagram_followers": instagram_followers,
    }
    return dict(_admin(url, "POST", "meta/pages", options))


def discord_webhook(url: str, name: str = "annonces") -> dict[str, Any]:
    """A new Discord webhook: ``{"id", "token", "url", "name", "channel_id"}``."""
    return dict(_admin(url, "POST", "discord/webhooks", {"name": name}))


def delete_discord_webhook(url: str, webhook_id: str) -> None:
    """As if someone deleted the webhook in Discord: 404 code 10015 from then on."""
    _admin(url, "DELETE", f"discord/webhooks/{webhook_id}")
