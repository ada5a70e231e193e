"""The saved Meta sign-in: the Page (and its Instagram professional account) chosen once, with the
Page's long-lived token, kept in ``.mlprod/facebook_token.json``.

Written by ``mlprod auth login --platform facebook`` (:mod:`mlprod.facebook.auth`), read by both
the facebook and instagram packages: a Page token also publishes to the Instagram account linked to
the Page. The file is written atomically and readable by its owner only (0600 from the first
byte); the token is never printed or logged.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from mlprod.config import Settings
from mlprod.errors import AuthError
from mlprod.files import write_atomic
from mlprod.graph.client import DIALOG_URL, GRAPH_URL, GRAPH_VERSION, GraphClient
from mlprod.graph.errors import LOGIN_AGAIN

TOKEN_NAME = "facebook_token.json"  # noqa: S105 — a file name, not a secret


@dataclass(frozen=True)
class SignIn:
    """What ``mlprod auth login --platform facebook`` chose and received."""

    server: str
    """The Graph API root the token was issued by (Meta's, or a sandbox's)."""
    page_id: str
    page_name: str
    page_token: str
    instagram_id: str | None = None
    instagram_username: str | None = None
    user_name: str = ""
    user_token: str = ""
    """The person's long-lived user token (60 days): used only to revoke access at logout."""
    app_id: str = ""
    saved_at: str = ""

    def __repr__(self) -> str:  # never show the token, even in a traceback
        return (f"SignIn(page={self.page_name!r}, instagram={self.instagram_username!r},"
                f" server={self.server!r})")


_API_PATH = re.compile(r"/graph/v\d+(?:\.\d+)?$")


def _server(settings: Settings) -> str | None:
    """The sandbox's root: ``MLPROD_GRAPH_URL`` as given, or without the ``/graph/vNN.N`` it may end in."""
    return _API_PATH.sub("", settings.graph_url) if settings.graph_url else None


def graph_root(settings: Settings) -> str:
    """Meta's Graph API, or a sandbox's (``MLPROD_GRAPH_URL``: its root, the API under /graph/)."""
    server = _server(settings)
    return f"{server}/graph/{GRAPH_VERSION}" if server else GRAPH_URL


def dialog_url(settings: Settings) -> str:
    """Facebook Login's dialog, or a sandbox's (under /www/)."""
    server = _server(settings)
    return f"{server}/www/{GRAPH_VERSION}/dialog/oauth" if server else DIALOG_URL


def token_file(settings: Settings) -> Path:
    return settings.state_dir / TOKEN_NAME


def save_sign_in(settings: Settings, sign_in: SignIn) -> Path:
    stamped = SignIn(**{**asdict(sign_in), "saved_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")})
    return write_atomic(token_file(settings), json.dumps(asdict(stamped), indent=2), private=True)


def load_sign_in(settings: Settings) -> SignIn:
    """The saved sign-in, for the Graph API root the settings point at, or :class:`AuthError`."""
    path = token_file(settings)
    if not path.is_file():
        raise AuthError(f"not signed in to Facebook (no {path}) — {LOGIN_AGAIN}")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        sign_in = SignIn(**{k: data[k] for k in SignIn.__dataclass_fields__ if k in data})
    except (OSError, ValueError, TypeError) as err:
        raise AuthError(f"{path}: the saved Facebook sign-in cannot be read ({err.__class__.__name__})"
                        f" — {LOGIN_AGAIN}") from err
    if not sign_in.page_token or not sign_in.page_id:
        raise AuthError(f"{path}: the saved Facebook sign-in has no Page token — {LOGIN_AGAIN}")
    if sign_in.server.rstrip("/") != graph_root(settings):
        raise AuthError(f"the saved Facebook sign-in is for {sign_in.server}, but mlprod now talks to"
                        f" {graph_root(settings)} (MLPROD_GRAPH_URL or facebook.url) — {LOGIN_AGAIN}")
    return sign_in


def remove_sign_in(settings: Settings) -> bool:
    path = token_file(settings)
    existed = path.is_file()
    path.unlink(missing_ok=True)
    return existed


def signed_in_client(settings: Settings, label: str, sleep: Callable[[float], None] | None = None,
                     ) -> tuple[SignIn, GraphClient]:
    """The saved sign-in and a client speaking as the Page (its token) to the Graph API."""
    sign_in = load_sign_in(settings)
    client = GraphClient(graph_root(settings), sign_in.page_token, label=label)
    if sleep is not None:
        client.sleep = sleep
    return sign_in, client
