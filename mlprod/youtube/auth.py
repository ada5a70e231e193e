"""Signing in to YouTube (OAuth for installed apps), keeping the token, and building services.

The token file holds a refresh token: it is written with mode 0600 (a temporary file created
0600, then renamed over the old one) and written again after every refresh. Against a sandbox
(``settings.youtube_url`` set) without a client secret file, a built-in client points the flow at
the sandbox's own authorize and token endpoints, so ``mlprod auth login`` works with no Google
account. Secrets (tokens, client secret, authorization code) are never logged.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from google.auth.exceptions import GoogleAuthError, RefreshError, TransportError
from google.auth.transport.requests import Request
from google.oauth2.credentials import Credentials
from google_auth_oauthlib.flow import InstalledAppFlow

from mlprod.config import Settings
from mlprod.errors import AuthError
from mlprod.files import write_atomic
from mlprod.youtube.client import build_analytics, build_youtube

log = logging.getLogger(__name__)

SCOPES = [
    "https://www.googleapis.com/auth/youtube.upload",
    "https://www.googleapis.com/auth/youtube.force-ssl",
    "https://www.googleapis.com/auth/yt-analytics.readonly",
]
GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"  # noqa: S105 — a URL, not a secret
GOOGLE_REVOKE_URI = "https://oauth2.googleapis.com/revoke"
SANDBOX_CLIENT_ID = "mlprod-sandbox.apps.local"
LOGIN_TIMEOUT = 300
SIGN_IN_AGAIN = "sign in again with `mlprod auth login`"

Approver = Callable[[str], None]
"""Receives the authorization URL and completes the consent (a browser, or a fetch for tests)."""


def is_loopback_http(url: str) -> bool:
    parts = urllib.parse.urlsplit(url)
    return parts.scheme == "http" and parts.hostname in {"127.0.0.1", "localhost", "::1"}


@contextlib.contextmanager
def _plain_http_allowed(url: str) -> Iterator[None]:
    """oauthlib refuses http:// token endpoints; allow it for a loopback sandbox only."""
    if not is_loopback_http(url):
        yield
        return
    before = os.environ.get("OAUTHLIB_INSECURE_TRANSPORT")
    os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("OAUTHLIB_INSECURE_TRANSPORT", None)
        else:
            os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = before


CHATTY_LOGGERS = ("requests_oauthlib", "oauthlib")
"""They log tokens, codes and client secrets at DEBUG level (``mlprod -v``)."""


@contextlib.contextmanager
def _secrets_kept_out_of_logs() -> Iterator[None]:
    loggers = [logging.getLogger(name) for name in CHATTY_LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(max(logger.getEffectiveLevel(), logging.INFO))
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def sandbox_client_config(url: str) -> dict[str, Any]:
    """The built-in OAuth client used against a sandbox when there is no client secret file."""
    root = url.rstrip("/")
    return {"installed": {
        "client_id": SANDBOX_CLIENT_ID,
        "client_secret": "sandbox-not-a-secret",
        "auth_uri": f"{root}/o/oauth2/auth",
        "token_uri": f"{root}/token",
        "redirect_uris": ["http://127.0.0.1"],
    }}


def client_config(settings: Settings) -> dict[str, Any]:
    """The OAuth client: the client secret file, or the built-in one against a sandbox."""
    path = settings.client_secret_file
    if path.is_file():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise AuthError(f"{path}: cannot read the OAuth client secret ({err}) — download it"
                            " again from the Google Cloud console (APIs & Services → Credentials)") from err
        if not isinstance(data, dict) or not ({"installed", "web"} & data.keys()):
            raise AuthError(f"{path}: not an OAuth client secret (no \"installed\" section) — create a"
                            " \"Desktop app\" OAuth client in the Google Cloud console and download its JSON")
        return data
    if settings.youtube_url:
        return sandbox_client_config(settings.youtube_url)
    raise AuthError(
        f"no OAuth client secret at {path} — create a \"Desktop app\" OAuth client in the Google"
        " Cloud console (APIs & Services → Credentials), download its JSON to that path (or set"
        " youtube.client_secret in mlprod.toml), then run `mlprod auth login`"
    )


def token_uri(settings: Settings) -> str:
    section = next(iter(client_config(settings).values()))
    return str(section.get("token_uri") or GOOGLE_TOKEN_URI)


def revoke_uri(settings: Settings) -> str:
    return f"{settings.youtube_url}/revoke" if settings.youtube_url else GOOGLE_REVOKE_URI


# -- the token file ----------------------------------------------------------------------------


class SavedCredentials(Credentials):
    """User credentials that write themselves back to the token file after every refresh."""

    save_to: Path | None = None

    def refresh(self, request: Any) -> None:
        try:
            super().refresh(request)
        except RefreshError as err:
            raise AuthError(_refresh_problem(err)) from err
        except TransportError as err:
            raise AuthError(f"cannot reach the sign-in server to refresh the access token ({err})"
                            " — check the network (or that the sandbox is running), then try again") from err
        if self.save_to is not None:
            write_atomic(self.save_to, self.to_json(), private=True)
            log.debug("refreshed access token saved to %s", self.save_to)


def _refresh_problem(err: Exception) -> str:
    text = str(err)
    if "invalid_grant" in text or "expired or revoked" in text:
        return f"the YouTube sign-in has expired or was revoked — {SIGN_IN_AGAIN}"
    if "invalid_client" in text or "unauthorized_client" in text:
        return ("the OAuth client was refused (deleted or replaced in the Google Cloud console?) —"
                f" check the client secret file, then {SIGN_IN_AGAIN}")
    return f"could not refresh the YouTube sign-in ({err.__class__.__name__}) — {SIGN_IN_AGAIN}"


def load_credentials(settings: Settings, *, refresh: bool = True) -> SavedCredentials:
    """The saved sign-in, refreshed if its access token has expired.

    Raises :class:`AuthError` saying to run ``mlprod auth login`` when there is no token file, it
    cannot be read, or the refresh token has expired or was revoked.
    """
    path = settings.token_file
    if not path.is_file():
        raise AuthError(f"not signed in to YouTube (no {path}) — run `mlprod auth login`")
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
        loaded = SavedCredentials.from_authorized_user_info(info, SCOPES)
    except (OSError, ValueError) as err:
        raise AuthError(f"{path}: the saved sign-in cannot be read ({err.__class__.__name__}) —"
                        f" {SIGN_IN_AGAIN}") from err
    # from_authorized_user_info always points token_uri at Google's: put the real one back
    creds = loaded.with_token_uri(str(info.get("token_uri") or token_uri(settings)))
    creds.save_to = path
    if refresh and not creds.valid:
        creds.refresh(Request())
    return creds


def youtube(settings: Settings) -> Any:
    """A YouTube Data API service signed in as the saved user, for Google or the sandbox."""
    return build_youtube(load_credentials(settings), settings.youtube_url)


def analytics(settings: Settings) -> Any:
    """A YouTube Analytics API service signed in as the saved user."""
    return build_analytics(load_credentials(settings), settings.youtube_url)


# -- login -------------------------------------------------------------------------------------


def approve_by_fetching(url: str) -> None:
    """Complete a consent that needs no human (the sandbox approves at once): fetch the
    authorization URL and follow its redirect to the local server waiting for the code."""
    with urllib.request.urlopen(url, timeout=30) as answer:  # noqa: S310 — our own authorize URL
        answer.read()


class _ApprovingFlow(InstalledAppFlow):
    """Hands the authorization URL to ``approver`` in a thread, once the local server listens."""

    approver: Approver | None = None
    announce: Callable[[str], None] | None = None
    approval_error: BaseException | None = None

    def authorization_url(self, **kwargs: Any) -> tuple[str, str]:
        url, state = super().authorization_url(**kwargs)
        if self.approver is None and self.announce is not None:
            self.announce(f"Sign in and allow access in your browser; if it did not open, open this"
                          f" address: {url}")
        if self.approver is not None:
            approver = self.approver

            def run() -> None:
                try:
                    approver(url)
                except BaseException as err:  # reported by login() after the wait
                    self.approval_error = err

            threading.Thread(target=run, name="mlprod-oauth-approve", daemon=True).start()
        return url, state


def login(settings: Settings, *, open_browser: bool = True, approve: Approver | None = None,
          timeout: int = LOGIN_TIMEOUT, announce: Callable[[str], None] | None = None) -> Credentials:
    """Sign in with the installed-app flow and save the token (mode 0600).

    ``approve`` completes the consent without a person (tests, ``mlprod demo``): it receives the
    authorization URL. Otherwise the browser opens it (``open_browser``) and ``announce`` shows
    it, to open by hand if no browser came up.
    """
    config = client_config(settings)
    section = next(iter(config.values()))
    flow = _ApprovingFlow.from_client_config(config, SCOPES)
    flow.approver = approve
    flow.announce = announce
    try:
        with _plain_http_allowed(str(section.get("token_uri", ""))), _secrets_kept_out_of_logs():
            creds = flow.run_local_server(
                host="127.0.0.1", port=0, open_browser=open_browser and approve is None,
                authorization_prompt_message="", timeout_seconds=timeout,
                success_message="Signed in: you can close this tab and go back to mlprod.",
            )
    except (GoogleAuthError, OSError, ValueError, Warning) as err:
        raise AuthError(_login_problem(err, flow.approval_error)) from err
    except Exception as err:  # oauthlib's OAuth2Error and WSGITimeoutError share no base with ours
        raise AuthError(_login_problem(err, flow.approval_error)) from err
    if not creds.refresh_token:
        raise AuthError("the sign-in gave no refresh token — revoke mlprod's access in your Google"
                        " account (Security → Third-party access), then run `mlprod auth login` again")
    write_atomic(settings.token_file, creds.to_json(), private=True)
    return creds


def _login_problem(err: BaseException, approval_error: BaseException | None) -> str:
    cause = approval_error or err
    name = cause.__class__.__name__
    if name == "WSGITimeoutError":
        return ("nobody completed the sign-in in the browser in time — run `mlprod auth login`"
                " again and approve access in the page it opens")
    if isinstance(cause, urllib.error.URLError | OSError):
        return f"cannot reach the sign-in server ({cause}) — check the network, or that the sandbox runs"
    description = getattr(cause, "description", None) or name
    return f"the sign-in failed ({description}) — run `mlprod auth login` again"


# -- status and logout -------------------------------------------------------------------------


@dataclass(frozen=True)
class AuthStatus:
    signed_in: bool
    token_file: Path
    scopes: list[str]
    expires_at: dt.datetime | None
    problem: str | None = None
    server: str = "Google"


def auth_status(settings: Settings) -> AuthStatus:
    """Whether the saved sign-in works (refreshing it proves the refresh token is still good)."""
    server = settings.youtube_url or "Google"
    try:
        creds = load_credentials(settings, refresh=False)
        creds.refresh(Request())  # the only proof that the refresh token still works
    except AuthError as err:
        return AuthStatus(False, settings.token_file, [], None, str(err), server)
    expiry = creds.expiry.replace(tzinfo=dt.UTC) if creds.expiry else None
    return AuthStatus(True, settings.token_file, sorted(creds.scopes or []), expiry, None, server)


@dataclass(frozen=True)
class LogoutResult:
    removed: bool
    revoked: bool
    problem: str | None = None


def logout(settings: Settings) -> LogoutResult:
    """Revoke the saved grant at the sign-in server, then delete the token file."""
    path = settings.token_file
    if not path.is_file():
        return LogoutResult(removed=False, revoked=False)
    problem: str | None = None
    revoked = False
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
        token = info.get("refresh_token") or info.get("token")
    except (OSError, ValueError):
        token = None
    if token:
        revoked, problem = _revoke(revoke_uri(settings), str(token))
    path.unlink(missing_ok=True)
    return LogoutResult(removed=True, revoked=revoked, problem=problem)


def _revoke(url: str, token: str) -> tuple[bool, str | None]:
    data = urllib.parse.urlencode({"token": token}).encode()
    request = urllib.request.Request(  # noqa: S310 — Google's https endpoint or a loopback sandbox
        url, data=data, method="POST", headers={"Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 — https or loopback
            answer.read()
        return True, None
    except urllib.error.HTTPError as err:
        if err.code == 400:  # already expired or revoked: nothing left to revoke
            return False, "the grant was already expired or revoked"
        return False, f"the sign-in server answered {err.code}; revoke access in your Google account"
    except (urllib.error.URLError, OSError) as err:
        return False, (f"cannot reach the sign-in server ({err}); revoke access in your Google account"
                       " (Security → Third-party access)")
