"""Meta tokens: reading one from a request, checking it (Graph's 104/190 errors) and its
permissions (200, 210), and making user and Page tokens. Used by every Graph handler; see
:mod:`mlprod.sandbox.meta.tokens` for the sign-in endpoints that hand tokens out.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import UTC, datetime

from mlprod.sandbox.meta.errors import GraphError, permission
from mlprod.sandbox.meta.model import MetaState, Token, TokenKind
from mlprod.sandbox.meta.rules import ALL_PERMISSIONS, LONG_TOKEN_SECONDS, SHORT_TOKEN_SECONDS


def token_in(headers: Mapping[str, str], params: Mapping[str, str]) -> str | None:
    """The token of a request: ``Authorization: OAuth|Bearer T`` or ``access_token=T``."""
    header = headers.get("Authorization") or ""
    scheme, _, value = header.partition(" ")
    if scheme.lower() in ("oauth", "bearer") and value.strip():
        return value.strip()
    return params.get("access_token") or None


def authenticate(state: MetaState, raw: str | None, now: float) -> Token:
    """The token behind ``raw``, or Graph's 104/190 error."""
    if not raw:
        raise GraphError(104, "An access token is required to request this resource.")
    token = state.tokens.get(raw)
    if token is None:
        raise GraphError(190, "Invalid OAuth access token - Cannot parse access token")
    parent = state.tokens.get(token.parent) if token.parent else None
    if token.revoked or (parent is not None and parent.revoked):
        raise GraphError(
            190,
            "Error validating access token: The user has not authorized application mlprod.",
            subcode=458,
        )
    if token.expires_at and token.expires_at <= now:
        when = datetime.fromtimestamp(token.expires_at, UTC).strftime("%A, %d-%b-%y %H:%M:%S UTC")
        raise GraphError(
            190,
            f"Error validating access token: Session has expired on {when}. The current time is "
            f"{datetime.fromtimestamp(now, UTC).strftime('%A, %d-%b-%y %H:%M:%S UTC')}.",
            subcode=463,
        )
    return token


def require_scope(token: Token, scope: str, action: str) -> None:
    if scope not in token.scopes:
        raise permission(f"{action} requires the {scope} permission")


def require_page_token(token: Token, page_id: str) -> None:
    if token.kind is not TokenKind.PAGE:
        raise permission("A page access token is required to request this resource.", 210)
    if token.page_id != page_id:
        raise permission(f"The Page access token belongs to Page {token.page_id}, not {page_id}")


def mint_user_token(
    state: MetaState, now: float, scopes: list[str] | None = None, *, long_lived: bool = True
) -> Token:
    lifetime = LONG_TOKEN_SECONDS if long_lived else SHORT_TOKEN_SECONDS
    token = Token(
        "EAAsandbox" + secrets.token_urlsafe(32),
        TokenKind.USER,
        state.user_id,
        list(scopes if scopes is not None else ALL_PERMISSIONS),
        now,
        now + lifetime,
        long_lived=long_lived,
    )
    state.tokens[token.token] = token
    return token


def page_token(state: MetaState, user: Token, page_id: str, now: float) -> Token:
    """The Page token that ``user`` gets for ``page_id`` (the same one each time it asks)."""
    for token in state.tokens.values():
        if token.parent == user.token and token.page_id == page_id and not token.revoked:
            return token
    token = Token(
        "EAAsandbox" + secrets.token_urlsafe(32),
        TokenKind.PAGE,
        user.user_id,
        list(user.scopes),
        now,
        0 if user.long_lived else user.expires_at,
        page_id=page_id,
        parent=user.token,
        long_lived=user.long_lived,
    )
    state.tokens[token.token] = token
    return token
