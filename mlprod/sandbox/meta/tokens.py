"""Facebook Login as the sandbox plays it, and the token check every Graph call goes through.

Protocol (what a client does):

1. ``GET {server}/www/v21.0/dialog/oauth?client_id=…&redirect_uri=…&state=…&scope=a,b`` approves at
   once and redirects to ``redirect_uri?code=…&state=…`` (any client id and secret are accepted).
2. ``GET {graph}/oauth/access_token?client_id=…&client_secret=…&redirect_uri=…&code=…`` →
   ``{"access_token", "token_type": "bearer", "expires_in": 3600}``: a short-lived user token.
3. ``GET {graph}/oauth/access_token?grant_type=fb_exchange_token&client_id=…&client_secret=…
   &fb_exchange_token=SHORT`` → a long-lived user token (``expires_in`` 60 days).
4. ``GET {graph}/me/accounts?fields=id,name,access_token,instagram_business_account`` with it →
   each Page with its Page token: from a long-lived user token the Page token never expires.
5. ``GET {graph}/debug_token?input_token=T`` tells whether a token is valid, its type, scopes and
   expiry (``expires_at`` 0: never). ``DELETE {graph}/me/permissions`` removes the app: every token
   of the person stops working.

A token goes in ``access_token=`` (query or form) or ``Authorization: OAuth T`` / ``Bearer T``.
Errors: 104 no token; 190 unknown token, 190/463 expired, 190/458 app removed (revoked); 200 a
permission missing; 210 a Page token needed. Tests make tokens without the dialog through
``POST /_sandbox/meta/tokens`` (see :mod:`mlprod.sandbox.meta.admin`).
"""

from __future__ import annotations

import secrets
import urllib.parse
from collections.abc import Mapping

from mlprod.sandbox.meta.context import GraphContext
from mlprod.sandbox.meta.errors import GraphError, bad_parameter, permission
from mlprod.sandbox.meta.grants import authenticate, mint_user_token, page_token, require_scope
from mlprod.sandbox.meta.model import LoginCode, MetaState, TokenKind
from mlprod.sandbox.meta.rules import CODE_SECONDS, LONG_TOKEN_SECONDS, SHORT_TOKEN_SECONDS
from mlprod.sandbox.replies import Reply, json_reply
from mlprod.sandbox.state import StateStore

PAGE_TASKS = ["ANALYZE", "ADVERTISE", "MODERATE", "CREATE_CONTENT", "MANAGE"]


def _text(status: int, text: str) -> Reply:
    return Reply(status, text.encode(), {"Content-Type": "text/plain; charset=UTF-8"})


# -- Facebook Login ---------------------------------------------------------------------------


def login_dialog(store: StateStore, state: MetaState, params: Mapping[str, str], now: float) -> Reply:
    """``GET /www/vNN/dialog/oauth``: approve at once, redirect with a code."""
    missing = [n for n in ("client_id", "redirect_uri") if not params.get(n)]
    if missing:
        return _text(400, f"Invalid request: the parameter {missing[0]} is required.\n")
    scopes = [s for s in params.get("scope", "").replace(" ", ",").split(",") if s]
    code = LoginCode(
        "AQsandbox" + secrets.token_urlsafe(24),
        params["client_id"],
        params["redirect_uri"],
        scopes or ["public_profile"],
        now + CODE_SECONDS,
    )
    with store.change():
        state.codes[code.code] = code
    answer = {"code": code.code}
    if "state" in params:
        answer["state"] = params["state"]
    uri = params["redirect_uri"]
    return Reply(302, b"", {"Location": uri + ("&" if "?" in uri else "?") + urllib.parse.urlencode(answer)})


def access_token(store: StateStore, state: MetaState, params: Mapping[str, str], now: float) -> Reply:
    """``GET /oauth/access_token``: a code for a short-lived token, or that for a long-lived one."""
    for name in ("client_id", "client_secret"):
        if not params.get(name):
            raise bad_parameter(f"Missing {name} parameter.")
    if params.get("grant_type") == "fb_exchange_token":
        short = authenticate(state, params.get("fb_exchange_token"), now)
        if short.kind is not TokenKind.USER:
            raise bad_parameter("fb_exchange_token must be a user access token.")
        with store.change():
            token = mint_user_token(state, now, short.scopes, long_lived=True)
        return json_reply(
            {"access_token": token.token, "token_type": "bearer", "expires_in": LONG_TOKEN_SECONDS}
        )
    with store.change():
        code = state.codes.pop(params.get("code", ""), None)
        if code is None or code.expires_at < now:
            raise bad_parameter("This authorization code has been used or has expired.", subcode=36009)
        if code.redirect_uri != params.get("redirect_uri"):
            raise bad_parameter(
                "Error validating verification code. Please make sure your redirect_uri is identical "
                "to the one you used in the OAuth dialog request",
                subcode=36008,
            )
        token = mint_user_token(state, now, code.scopes, long_lived=False)
    return json_reply(
        {"access_token": token.token, "token_type": "bearer", "expires_in": SHORT_TOKEN_SECONDS}
    )


def debug_token(state: MetaState, params: Mapping[str, str], now: float) -> Reply:
    """``GET /debug_token?input_token=T``: what the token is and whether it still works."""
    raw = params.get("input_token")
    if not raw:
        raise bad_parameter("The parameter input_token is required")
    token = state.tokens.get(raw)
    if token is None:
        return json_reply({"data": {"is_valid": False, "error": {"code": 190, "message": "Invalid token"}}})
    data: dict[str, object] = {
        "app_id": "mlprod-sandbox",
        "type": token.kind.value,
        "application": "mlprod (bac à sable)",
        "expires_at": int(token.expires_at),
        "issued_at": int(token.issued_at),
        "is_valid": True,
        "scopes": token.scopes,
        "user_id": token.user_id,
    }
    if token.page_id:
        data["profile_id"] = token.page_id
    try:
        authenticate(state, raw, now)
    except GraphError as err:
        data["is_valid"] = False
        data["error"] = {"code": err.code, "message": err.message, "subcode": err.subcode}
    return json_reply({"data": data})


# -- the person and their Pages ---------------------------------------------------------------


def me(ctx: GraphContext) -> Reply:
    if ctx.token.kind is TokenKind.PAGE:
        page = ctx.state.pages[ctx.token.page_id or ""]
        return json_reply({"id": page.id, "name": page.name})
    fields = ctx.fields("User", ("id", "name"), ("id", "name"))
    person = {"id": ctx.state.user_id, "name": ctx.state.user_name}
    return json_reply({k: person[k] for k in fields})


def my_accounts(ctx: GraphContext) -> Reply:
    """``GET /me/accounts``: the Pages the person manages, each with its Page token."""
    if ctx.token.kind is not TokenKind.USER:
        raise permission("A user access token is required to list accounts", 200)
    require_scope(ctx.token, "pages_show_list", "Listing Pages")
    known = ("id", "name", "access_token", "category", "category_list", "tasks", "instagram_business_account")
    fields = ctx.fields("Page", known, ("access_token", "category", "category_list", "name", "id", "tasks"))
    data = []
    with ctx.change() as state:
        for page in state.pages.values():
            entry: dict[str, object] = {
                "id": page.id,
                "name": page.name,
                "access_token": page_token(state, ctx.token, page.id, ctx.now).token,
                "category": page.category,
                "category_list": [{"id": "2612", "name": page.category}],
                "tasks": PAGE_TASKS,
            }
            if page.ig_user_id:
                entry["instagram_business_account"] = {"id": page.ig_user_id}
            data.append({k: entry[k] for k in fields if k in entry})
    cursor = secrets.token_urlsafe(8)
    return json_reply({"data": data, "paging": {"cursors": {"before": cursor, "after": cursor}}})


def remove_app(ctx: GraphContext) -> Reply:
    """``DELETE /me/permissions``: the person removes the app; every token of theirs stops working."""
    with ctx.change() as state:
        for token in state.tokens.values():
            if token.user_id == ctx.token.user_id:
                token.revoked = True
    return json_reply({"success": True})
