"""Sign-in against the sandbox: codes, tokens, refresh, expiry and revocation, with the real client."""

from __future__ import annotations

import urllib.parse
from typing import Any

import pytest
from google.auth.exceptions import RefreshError
from google.oauth2.credentials import Credentials
from google_auth_oauthlib.flow import InstalledAppFlow
from googleapiclient.errors import HttpError

from mlprod.sandbox import SCOPES, Sandbox
from mlprod.sandbox.testing import raw_request, sign_in
from mlprod.youtube.client import build_youtube


def test_requests_without_a_valid_token_get_401(sandbox: Sandbox) -> None:
    url = f"{sandbox.url}/youtube/v3/channels?part=id&mine=true"
    for headers in ({}, {"Authorization": "Bearer ya29.made-up"}):
        answer = raw_request(url, headers=headers)
        assert answer.status == 401
        assert answer.reason == "authError"
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    assert sandbox.state()["quota_used"] == 0


def test_an_expired_access_token_is_refreshed_by_the_client(
    sandbox: Sandbox, credentials: Credentials, youtube: Any
) -> None:
    youtube.channels().list(part="id", mine=True).execute()
    first = credentials.token

    sandbox.expire_access_tokens()
    youtube.channels().list(part="id", mine=True).execute()

    assert credentials.token != first


def test_revoked_sign_in_ends_in_invalid_grant(
    sandbox: Sandbox, credentials: Credentials, youtube: Any
) -> None:
    youtube.channels().list(part="id", mine=True).execute()
    revoked = raw_request(f"{sandbox.url}/revoke?token={credentials.refresh_token}", "POST")
    assert revoked.status == 200

    with pytest.raises(RefreshError) as refused:
        youtube.channels().list(part="id", mine=True).execute()

    assert "invalid_grant" in str(refused.value)
    assert "expired or revoked" in str(refused.value)


def test_missing_scope_is_refused(sandbox: Sandbox) -> None:
    upload_only = sign_in(sandbox, scopes=("https://www.googleapis.com/auth/youtube.upload",))
    youtube = build_youtube(upload_only, sandbox.url)
    with pytest.raises(HttpError) as refused:
        youtube.captions().list(part="snippet", videoId="abc").execute()
    assert refused.value.status_code == 403
    assert refused.value.error_details[0]["reason"] == "insufficientPermissions"


def test_installed_app_flow_with_pkce(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    client = {
        "installed": {
            "client_id": "desktop-client",
            "client_secret": "secret",
            "auth_uri": f"{sandbox.url}/o/oauth2/auth",
            "token_uri": f"{sandbox.url}/token",
            "redirect_uris": ["http://localhost"],
        }
    }
    flow = InstalledAppFlow.from_client_config(client, scopes=list(SCOPES))
    flow.redirect_uri = "http://localhost:8799/"
    auth_url, _ = flow.authorization_url(prompt="consent")
    assert "code_challenge=" in auth_url

    redirect = raw_request(auth_url)
    code = urllib.parse.parse_qs(urllib.parse.urlsplit(redirect.headers["Location"]).query)["code"][0]
    flow.fetch_token(code=code)

    signed_in = flow.credentials
    assert signed_in.refresh_token and signed_in.token
    youtube = build_youtube(signed_in, sandbox.url)
    assert youtube.channels().list(part="id", mine=True).execute()["items"]


def test_token_endpoint_errors(sandbox: Sandbox) -> None:
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    unknown = raw_request(
        f"{sandbox.url}/token",
        "POST",
        b"grant_type=refresh_token&refresh_token=nope&client_id=c&client_secret=s",
        form,
    )
    assert unknown.status == 400
    assert unknown.json() == {
        "error": "invalid_grant",
        "error_description": "Token has been expired or revoked.",
    }
    reused = raw_request(
        f"{sandbox.url}/token", "POST", b"grant_type=authorization_code&code=4/none&client_id=c", form
    )
    assert reused.status == 400 and reused.json()["error"] == "invalid_grant"
