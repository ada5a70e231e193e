"""Signing in to Facebook (Facebook Login, the code flow for a desktop app) and choosing the Page.

``mlprod auth login --platform facebook``:

1. the browser opens Meta's login dialog (``…/dialog/oauth``) asking the permissions below; it
   comes back to a one-shot server on 127.0.0.1 with a ``code``;
2. the code becomes a short-lived user token, exchanged at once for a long-lived one
   (``grant_type=fb_exchange_token``, 60 days);
3. ``/me/accounts`` lists the Pages the person manages, each with its Page token — a token that
   never expires when it comes from a long-lived user token — and the Instagram professional
   account linked to it; the Page is chosen once (``--page`` or a prompt when there are several);
4. the Page, its token and the Instagram account are saved 0600 (:mod:`mlprod.graph.signin`).

Meta needs an app: its id and secret come from ``.mlprod/facebook_app.json``
(``{"app_id": …, "app_secret": …}``, from developers.facebook.com → the app → Settings → Basic).
Against a sandbox (``MLPROD_GRAPH_URL``) without that file, a built-in app is used and the sandbox
approves at once. Codes and tokens are never printed or logged.
"""

from __future__ import annotations

import http.server
import json
import secrets
import threading
import time
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from mlprod.config import Settings
from mlprod.errors import AuthError, PublishError
from mlprod.graph.client import GraphClient
from mlprod.graph.errors import LOGIN_AGAIN
from mlprod.graph.signin import (
    SignIn,
    dialog_url,
    graph_root,
    load_sign_in,
    remove_sign_in,
    save_sign_in,
    token_file,
)

SCOPES = ("pages_show_list", "pages_read_engagement", "pages_manage_posts", "read_insights",
          "business_management", "instagram_basic", "instagram_content_publish",
          "instagram_manage_insights")
APP_FILE = "facebook_app.json"
SANDBOX_APP = ("mlprod-sandbox", "sandbox-not-a-secret")
LOGIN_TIMEOUT = 300.0

Approver = Callable[[str], None]
"""Receives the login dialog's URL and completes it (a browser, or a fetch against the sandbox)."""


@dataclass(frozen=True)
class MetaApp:
    app_id: str
    app_secret: str = field(repr=False)


@dataclass(frozen=True)
class PageChoice:
    """One Page the person manages, as ``/me/accounts`` lists it."""

    id: str
    name: str
    token: str = field(repr=False)
    instagram_id: str | None = None
    instagram_username: str | None = None

    def label(self) -> str:
        linked = f", Instagram @{self.instagram_username}" if self.instagram_username else (
            ", Instagram account linked" if self.instagram_id else ", no Instagram account linked")
        return f"{self.name} (Page {self.id}{linked})"


Chooser = Callable[[Sequence[PageChoice]], PageChoice]


def app_file(settings: Settings) -> Path:
    return settings.state_dir / APP_FILE


def meta_app(settings: Settings) -> MetaApp:
    path = app_file(settings)
    if path.is_file():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return MetaApp(str(data["app_id"]), str(data["app_secret"]))
        except (OSError, ValueError, KeyError, TypeError) as err:
            raise AuthError(f"{path}: cannot read the Meta app's id and secret ({err.__class__.__name__})"
                            ' — write {"app_id": "…", "app_secret": "…"} from developers.facebook.com'
                            " (your app → Settings → Basic)") from err
    if settings.graph_url:
        return MetaApp(*SANDBOX_APP)
    raise AuthError(f"no Meta app at {path} — create an app at developers.facebook.com (type Business,"
                    " with Facebook Login for Business), then write its id and secret there as"
                    ' {"app_id": "…", "app_secret": "…"} and run `mlprod auth login --platform facebook`')


def approve_by_fetching(url: str) -> None:
    """Complete a dialog that needs no person (the sandbox approves at once): follow its redirect."""
    with httpx.Client(follow_redirects=True, timeout=30) as http:
        http.get(url)


# -- the one-shot redirect receiver ------------------------------------------------------------


class _Receiver(http.server.HTTPServer):
    answer: dict[str, str] | None = None


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Receiver

    def do_GET(self) -> None:
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
        if "code" not in query and "error" not in query:
            self.send_response(404)
            self.end_headers()
            return
        self.server.answer = query
        body = ("Connexion réussie : vous pouvez fermer cet onglet et revenir à mlprod." if "code" in query
                else "La connexion a été refusée : revenez à mlprod.").encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Nothing: the request line holds the authorization code."""


def _wait_for_code(settings: Settings, app: MetaApp, *, approve: Approver | None, open_browser: bool,
                   announce: Callable[[str], None] | None, timeout: float) -> tuple[str, str]:
    """(code, redirect_uri) from the login dialog, through a one-shot server on 127.0.0.1."""
    receiver = _Receiver(("127.0.0.1", 0), _Handler)
    receiver.timeout = 0.5
    redirect_uri = f"http://127.0.0.1:{receiver.server_address[1]}/"
    state = secrets.token_urlsafe(16)
    url = dialog_url(settings) + "?" + urllib.parse.urlencode({
        "client_id": app.app_id, "redirect_uri": redirect_uri, "state": state,
        "scope": ",".join(SCOPES), "response_type": "code"})
    failure: list[BaseException] = []
    try:
        if approve is not None:
            def run() -> None:
                try:
                    approve(url)
                except BaseException as err:  # reported after the wait
                    failure.append(err)
            threading.Thread(target=run, name="mlprod-facebook-approve", daemon=True).start()
        else:
            if open_browser:
                import webbrowser

                webbrowser.open(url)
            if announce is not None:
                announce(f"Sign in to Facebook and allow access in your browser; if it did not open,"
                         f" open this address: {url}")
        deadline = time.monotonic() + timeout
        while receiver.answer is None and time.monotonic() < deadline and not failure:
            receiver.handle_request()
    finally:
        receiver.server_close()
    answer = receiver.answer
    if answer is None:
        if failure:
            raise AuthError(f"cannot reach Facebook's login page ({failure[0]}) — check the network (or that"
                            f" the sandbox runs), then {LOGIN_AGAIN}") from failure[0]
        raise AuthError(f"nobody completed the Facebook sign-in in the browser in time — {LOGIN_AGAIN}"
                        " again and approve access in the page it opens")
    if answer.get("state") != state:
        raise AuthError(f"the Facebook sign-in came back with a wrong state (another login?) — {LOGIN_AGAIN}")
    if "code" not in answer:
        reason = answer.get("error_description") or answer.get("error_reason") or answer.get("error")
        raise AuthError(f"Facebook did not grant access ({reason}) — {LOGIN_AGAIN} and accept every"
                        " permission asked")
    return answer["code"], redirect_uri


# -- login, status, logout ---------------------------------------------------------------------


def _user_token(client: GraphClient, app: MetaApp, code: str, redirect_uri: str) -> str:
    """The long-lived user token for ``code`` (a short-lived one, exchanged at once)."""
    short = client.get("oauth/access_token", "signing in", {
        "client_id": app.app_id, "client_secret": app.app_secret, "redirect_uri": redirect_uri,
        "code": code})
    client.token = str(short.get("access_token", ""))
    long = client.get("oauth/access_token", "asking for a long-lived token", {
        "grant_type": "fb_exchange_token", "client_id": app.app_id, "client_secret": app.app_secret,
        "fb_exchange_token": client.token})
    token = str(long.get("access_token", ""))
    if not token:
        raise AuthError(f"Facebook gave no long-lived token — {LOGIN_AGAIN}")
    return token


def pages_of(client: GraphClient) -> list[PageChoice]:
    """The Pages the signed-in person manages, with their tokens and linked Instagram accounts."""
    items = client.get_all("me/accounts", "listing your Pages",
                           {"fields": "id,name,access_token,instagram_business_account"})
    pages = []
    for item in items:
        ig = item.get("instagram_business_account") or {}
        pages.append(PageChoice(str(item["id"]), str(item.get("name", "")), str(item.get("access_token", "")),
                                str(ig["id"]) if ig.get("id") else None,
                                str(ig["username"]) if ig.get("username") else None))
    return pages


def pick_page(pages: Sequence[PageChoice], wanted: str | None, choose: Chooser | None) -> PageChoice:
    """The Page named or numbered ``wanted``; else the only one; else ``choose``'s answer."""
    if not pages:
        raise AuthError("this Facebook account manages no Page — sign in with an account that can"
                        " publish on the Mission Locale's Page (the CREATE_CONTENT task)")
    if wanted:
        found = [p for p in pages if wanted in (p.id, p.name) or wanted.casefold() == p.name.casefold()]
        if not found:
            names = ", ".join(f'"{p.name}" ({p.id})' for p in pages)
            raise AuthError(f'no Page called "{wanted}" among yours ({names}) — give one of these to --page')
        return found[0]
    if len(pages) == 1:
        return pages[0]
    if choose is None:
        names = ", ".join(f'"{p.name}"' for p in pages)
        raise AuthError(f"this account manages several Pages ({names}) — choose one with --page")
    return choose(pages)


def login(settings: Settings, *, page: str | None = None, choose: Chooser | None = None,
          approve: Approver | None = None, open_browser: bool = True,
          announce: Callable[[str], None] | None = None, timeout: float = LOGIN_TIMEOUT) -> SignIn:
    """Sign in, choose the Page, save its long-lived token (0600); the saved sign-in."""
    app = meta_app(settings)
    code, redirect_uri = _wait_for_code(settings, app, approve=approve, open_browser=open_browser,
                                        announce=announce, timeout=timeout)
    client = GraphClient(graph_root(settings), "")
    try:
        user_token = _user_token(client, app, code, redirect_uri)
        client.token = user_token
        me = client.get("me", "reading who signed in", {"fields": "id,name"})
        chosen = pick_page(pages_of(client), page, choose)
        client.token = chosen.token
        check = client.get(chosen.id, "checking the Page's token", {"fields": "id,name"})
        if str(check.get("id")) != chosen.id:
            raise AuthError(f"the Page token does not open the Page {chosen.name} — {LOGIN_AGAIN}")
        ig_name = chosen.instagram_username
        if chosen.instagram_id and not ig_name:
            ig = client.get(chosen.instagram_id, "reading the Instagram account", {"fields": "id,username"})
            ig_name = str(ig.get("username") or "") or None
    finally:
        client.close()
    sign_in = SignIn(server=graph_root(settings), page_id=chosen.id, page_name=chosen.name,
                     page_token=chosen.token, instagram_id=chosen.instagram_id, instagram_username=ig_name,
                     user_name=str(me.get("name", "")), user_token=user_token, app_id=app.app_id)
    save_sign_in(settings, sign_in)
    return load_sign_in(settings)


@dataclass(frozen=True)
class FacebookStatus:
    signed_in: bool
    token_file: Path
    server: str
    page: str | None = None
    page_id: str | None = None
    instagram: str | None = None
    expires: str | None = None
    problem: str | None = None


def auth_status(settings: Settings) -> FacebookStatus:
    """Whether the saved Page token still opens the Page (one Graph call proves it)."""
    path, server = token_file(settings), graph_root(settings)
    try:
        sign_in = load_sign_in(settings)
        client = GraphClient(server, sign_in.page_token, retries=1)
        try:
            page = client.get(sign_in.page_id, "checking the sign-in", {"fields": "id,name"})
        finally:
            client.close()
    except PublishError as err:
        return FacebookStatus(False, path, server, problem=str(err))
    instagram = (f"@{sign_in.instagram_username}" if sign_in.instagram_username
                 else sign_in.instagram_id)
    return FacebookStatus(True, path, server, str(page.get("name") or sign_in.page_name), sign_in.page_id,
                          instagram, "never (a Page token from a long-lived sign-in)")


@dataclass(frozen=True)
class FacebookLogout:
    removed: bool
    revoked: bool
    problem: str | None = None


def logout(settings: Settings) -> FacebookLogout:
    """Remove mlprod's app from the person's account (every token stops working), then the file."""
    try:
        sign_in = load_sign_in(settings)
    except AuthError:
        return FacebookLogout(removed=remove_sign_in(settings), revoked=False,
                              problem="the saved sign-in could not be read, so nothing was revoked")
    revoked, problem = False, None
    client = GraphClient(graph_root(settings), sign_in.user_token or sign_in.page_token, retries=1)
    try:
        client.delete("me/permissions", "removing mlprod's access")
        revoked = True
    except PublishError as err:
        problem = (f"{err} — remove mlprod in your Facebook settings (Security and login → Business"
                   " integrations) to revoke its access")
    finally:
        client.close()
    remove_sign_in(settings)
    return FacebookLogout(removed=True, revoked=revoked, problem=problem)
