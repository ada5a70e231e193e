"""OAuth for the sandbox: an authorize page that approves at once, the token and revoke endpoints,
and the bearer-token check every API call goes through.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import urllib.parse
from typing import Any

from mlprod.sandbox.config import Clock
from mlprod.sandbox.discovery import ApiMethod
from mlprod.sandbox.errors import ApiError
from mlprod.sandbox.replies import Reply, json_reply
from mlprod.sandbox.state import AccessGrant, AuthCode, RefreshGrant, StateStore

CODE_LIFETIME = 600
_REALM = 'Bearer realm="https://accounts.google.com/"'


def _oauth_error(error: str, description: str, status: int = 400) -> Reply:
    return json_reply({"error": error, "error_description": description}, status)


class TokenService:
    def __init__(self, store: StateStore, clock: Clock, lifetime: int) -> None:
        self.store = store
        self.clock = clock
        self.lifetime = lifetime

    def _now(self) -> float:
        return self.clock().timestamp()

    # -- the authorize page -------------------------------------------------------------------

    def authorize(self, params: dict[str, str]) -> Reply:
        """``GET /o/oauth2/auth``: approve at once, redirect to ``redirect_uri`` with a code."""
        missing = [n for n in ("client_id", "redirect_uri", "scope") if not params.get(n)]
        if missing:
            text = f"Error 400: invalid_request\nMissing required parameter: {missing[0]}\n"
            return Reply(400, text.encode(), {"Content-Type": "text/plain; charset=UTF-8"})
        if params.get("response_type", "code") != "code":
            text = "Error 400: unsupported_response_type\n"
            return Reply(400, text.encode(), {"Content-Type": "text/plain; charset=UTF-8"})
        code = "4/sandbox-" + secrets.token_urlsafe(24)
        scopes = params["scope"].split()
        with self.store.change() as state:
            state.codes[code] = AuthCode(
                code,
                params["client_id"],
                params["redirect_uri"],
                scopes,
                self._now() + CODE_LIFETIME,
                params.get("code_challenge"),
                params.get("code_challenge_method"),
            )
        answer = {"code": code, "scope": " ".join(scopes)}
        if "state" in params:
            answer["state"] = params["state"]
        uri = params["redirect_uri"]
        location = uri + ("&" if "?" in uri else "?") + urllib.parse.urlencode(answer)
        return Reply(302, b"", {"Location": location})

    # -- the token endpoint --------------------------------------------------------------------

    def token(self, form: dict[str, str], basic: tuple[str, str] | None) -> Reply:
        """``POST /token``: exchange a code, or refresh an access token."""
        client_id = form.get("client_id") or (basic[0] if basic else "")
        grant_type = form.get("grant_type", "")
        if grant_type == "authorization_code":
            return self._exchange_code(form, client_id)
        if grant_type == "refresh_token":
            return self._refresh(form, client_id)
        return _oauth_error("unsupported_grant_type", f"Invalid grant_type: {grant_type}")

    def _exchange_code(self, form: dict[str, str], client_id: str) -> Reply:
        with self.store.change() as state:
            code = state.codes.pop(form.get("code", ""), None)
        if code is None or code.expires_at < self._now():
            return _oauth_error("invalid_grant", "Malformed auth code.")
        if code.client_id != client_id or code.redirect_uri != form.get("redirect_uri"):
            return _oauth_error("invalid_grant", "Bad Request")
        if code.code_challenge and not _pkce_ok(code, form.get("code_verifier", "")):
            return _oauth_error("invalid_grant", "Invalid code verifier.")
        return json_reply(self.mint(client_id, code.scopes))

    def _refresh(self, form: dict[str, str], client_id: str) -> Reply:
        with self.store.read() as state:
            grant = state.refresh_grants.get(form.get("refresh_token", ""))
        if grant is None or grant.revoked:
            return _oauth_error("invalid_grant", "Token has been expired or revoked.")
        if grant.client_id != client_id:
            return _oauth_error("unauthorized_client", "Unauthorized")
        asked = form.get("scope", "").split()
        if set(asked) - set(grant.scopes):
            return _oauth_error("invalid_scope", "Some requested scopes were invalid.")
        access = self._new_access(grant, asked or grant.scopes)
        return json_reply(
            {
                "access_token": access.token,
                "expires_in": self.lifetime,
                "scope": " ".join(access.scopes),
                "token_type": "Bearer",
            }
        )

    def mint(self, client_id: str, scopes: list[str]) -> dict[str, Any]:
        """A new grant (refresh and access token), as the token endpoint answers it."""
        grant = RefreshGrant("1//sandbox-" + secrets.token_urlsafe(32), client_id, scopes, self._now())
        with self.store.change() as state:
            state.refresh_grants[grant.token] = grant
        access = self._new_access(grant, scopes)
        return {
            "access_token": access.token,
            "expires_in": self.lifetime,
            "refresh_token": grant.token,
            "scope": " ".join(scopes),
            "token_type": "Bearer",
        }

    def _new_access(self, grant: RefreshGrant, scopes: list[str]) -> AccessGrant:
        now = self._now()
        access = AccessGrant(
            "ya29.sandbox-" + secrets.token_urlsafe(24), grant.token, list(scopes), now + self.lifetime
        )
        with self.store.change() as state:
            stale = [t for t, a in state.access_grants.items() if a.expires_at < now - 86400]
            for token in stale:
                del state.access_grants[token]
            state.access_grants[access.token] = access
        return access

    def revoke(self, token: str) -> Reply:
        """``POST /revoke``: revoking either token of a grant ends the whole grant."""
        with self.store.change() as state:
            access = state.access_grants.get(token)
            refresh = state.refresh_grants.get(access.refresh_token if access else token)
            if refresh is None or refresh.revoked:
                return _oauth_error("invalid_token", "Token expired or revoked")
            refresh.revoked = True
            for key in [k for k, a in state.access_grants.items() if a.refresh_token == refresh.token]:
                del state.access_grants[key]
        return json_reply({})

    # -- test helpers --------------------------------------------------------------------------

    def expire_access_tokens(self) -> int:
        with self.store.change() as state:
            for access in state.access_grants.values():
                access.expires_at = min(access.expires_at, self._now() - 1)
            return len(state.access_grants)

    def revoke_refresh_tokens(self) -> int:
        with self.store.change() as state:
            for grant in state.refresh_grants.values():
                grant.revoked = True
            state.access_grants.clear()
            return len(state.refresh_grants)

    # -- the check on API calls ----------------------------------------------------------------

    def check(self, authorization: str | None, method: ApiMethod) -> AccessGrant:
        """The grant behind ``Authorization: Bearer …``, or 401 authError / 403 scopes."""
        token = ""
        if authorization and authorization.lower().startswith("bearer "):
            token = authorization[7:].strip()
        with self.store.read() as state:
            access = state.access_grants.get(token)
            revoked = access is None or state.refresh_grants[access.refresh_token].revoked
        if access is None or revoked or access.expires_at <= self._now():
            error = "" if not token else ', error="invalid_token"'
            raise ApiError(
                401,
                "authError",
                "Request had invalid authentication credentials. Expected OAuth 2 access token, "
                "login cookie or other valid authentication credential.",
                location="Authorization",
                location_type="header",
                headers={"WWW-Authenticate": _REALM + error},
            )
        if method.scopes and not method.scopes & set(access.scopes):
            raise ApiError(
                403,
                "insufficientPermissions",
                "Request had insufficient authentication scopes.",
                headers={"WWW-Authenticate": _REALM + ', error="insufficient_scope"'},
            )
        return access


def _pkce_ok(code: AuthCode, verifier: str) -> bool:
    if code.code_challenge_method == "S256":
        digest = hashlib.sha256(verifier.encode("ascii")).digest()
        expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    else:
        expected = verifier
    return secrets.compare_digest(expected, code.code_challenge or "")
