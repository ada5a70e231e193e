"""Signing in through the real OAuth flow against the sandbox: login, status, refresh, logout."""

from __future__ import annotations

import json
import logging
import stat
from collections.abc import Callable

import pytest
from click.testing import Result

from mlprod.config import Settings
from mlprod.errors import AuthError
from mlprod.sandbox import Sandbox
from mlprod.store import open_database
from mlprod.youtube.api import Channel
from mlprod.youtube.auth import load_credentials, youtube


def env_for(sandbox: Sandbox) -> dict[str, str]:
    return {"MLPROD_YOUTUBE_URL": sandbox.url}


def mode(path: object) -> int:
    return stat.S_IMODE(path.stat().st_mode)  # type: ignore[attr-defined]


def test_login_against_the_sandbox_saves_a_private_token(
        sandbox: Sandbox, workspace: Settings, run_cli: Callable[..., Result]) -> None:
    result = run_cli("auth", "login", env=env_for(sandbox))

    assert result.exit_code == 0, result.output
    assert "Signed in" in result.output
    token = workspace.token_file
    assert mode(token) == 0o600
    saved = json.loads(token.read_text())
    assert saved["refresh_token"] and saved["token_uri"] == f"{sandbox.url}/token"
    assert sandbox.state()["tokens"]["refresh_valid"] == 1
    status = run_cli("auth", "status", "--json", env=env_for(sandbox))
    assert status.exit_code == 0
    assert json.loads(status.output)["signed_in"] is True


def test_the_token_is_saved_again_after_a_refresh(
        sandbox: Sandbox, workspace: Settings, run_cli: Callable[..., Result]) -> None:
    run_cli("auth", "login", env=env_for(sandbox))
    before = json.loads(workspace.token_file.read_text())["token"]
    sandbox.expire_access_tokens()  # YouTube answers 401: the client refreshes, we save
    settings = workspace.with_overrides(youtube_url=sandbox.url)
    db = open_database(settings.database_url)
    channel = Channel(youtube(settings), db)

    channel.call(channel.service.channels().list(part="id", mine=True), "reading the channel")

    after = json.loads(workspace.token_file.read_text())
    assert after["token"] != before
    assert mode(workspace.token_file) == 0o600
    db.close()


def test_a_revoked_sign_in_says_to_sign_in_again(
        sandbox: Sandbox, workspace: Settings, run_cli: Callable[..., Result]) -> None:
    run_cli("auth", "login", env=env_for(sandbox))
    sandbox.revoke_refresh_tokens()
    sandbox.expire_access_tokens()

    result = run_cli("auth", "status", env=env_for(sandbox))

    assert result.exit_code == 1
    assert "expired or was revoked — sign in again with `mlprod auth login`" in result.output
    assert "Traceback" not in result.output


def test_without_a_client_secret_login_says_where_to_get_one(
        workspace: Settings, run_cli: Callable[..., Result]) -> None:
    result = run_cli("auth", "login", "--no-browser")  # Google, not a sandbox

    assert result.exit_code == 1
    assert f"no OAuth client secret at {workspace.client_secret_file}" in result.output
    assert "Google Cloud console" in result.output


def test_not_signed_in(workspace: Settings, run_cli: Callable[..., Result]) -> None:
    result = run_cli("auth", "status")
    assert result.exit_code == 1
    assert "not signed in to YouTube" in result.output and "`mlprod auth login`" in result.output
    with pytest.raises(AuthError, match="mlprod auth login"):
        load_credentials(workspace)


def test_logout_revokes_and_deletes_the_token(
        sandbox: Sandbox, workspace: Settings, run_cli: Callable[..., Result]) -> None:
    run_cli("auth", "login", env=env_for(sandbox))

    result = run_cli("auth", "logout", env=env_for(sandbox))

    assert result.exit_code == 0
    assert "access revoked" in result.output
    assert not workspace.token_file.exists()
    assert sandbox.state()["tokens"]["refresh_valid"] == 0
    assert "Not signed in" in run_cli("auth", "logout", env=env_for(sandbox)).output


def test_secrets_stay_out_of_the_logs(sandbox: Sandbox, workspace: Settings,
                                      run_cli: Callable[..., Result],
                                      caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    result = run_cli("-v", "auth", "login", env=env_for(sandbox))
    sandbox.expire_access_tokens()
    run_cli("-v", "auth", "status", env=env_for(sandbox))

    saved = json.loads(workspace.token_file.read_text())
    shown = result.output + caplog.text
    for secret in (saved["refresh_token"], saved["token"], saved["client_secret"]):
        assert secret not in shown
