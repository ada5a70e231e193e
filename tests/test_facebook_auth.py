"""`mlprod auth login|status|logout --platform facebook`: the Page chosen once, its long-lived
token kept 0600 and never shown, an expired or revoked sign-in told plainly, with the fix."""

from __future__ import annotations

import json
import stat

from meta_helpers import MetaPage

from mlprod.graph.signin import token_file

LOGIN_AGAIN = "run `mlprod auth login --platform facebook`"


def test_login_keeps_the_page_token_private_and_never_prints_it(meta_factory) -> None:
    meta: MetaPage = meta_factory(login=False)

    answer = meta.cli("auth", "login", "--platform", "facebook")

    assert answer.exit_code == 0, answer.output
    path = token_file(meta.settings)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    saved = json.loads(path.read_text())
    page = meta.state()["facebook"]["pages"][0]
    assert saved["page_id"] == page["id"]
    assert saved["instagram_id"] == page["instagram_business_account"]
    assert saved["page_token"] not in answer.output and saved["user_token"] not in answer.output
    assert f"as the Page {page['name']}" in answer.output
    assert "Instagram: publishing to @" in answer.output

    status = meta.cli("auth", "status", "--platform", "facebook", "--json")
    assert status.exit_code == 0, status.output
    assert json.loads(status.output)["page_id"] == page["id"]
    assert saved["page_token"] not in status.output


def test_an_account_with_several_pages_chooses_one(meta_factory) -> None:
    meta: MetaPage = meta_factory(login=False)
    other = meta.admin("pages", {"name": "Salon Emploi Jeunes", "instagram": False})

    unattended = meta.cli("auth", "login", "--platform", "facebook", input="")
    assert unattended.exit_code != 0
    chosen = meta.cli("auth", "login", "--platform", "facebook", "--page", "Salon Emploi Jeunes")
    assert chosen.exit_code == 0, chosen.output
    assert json.loads(token_file(meta.settings).read_text())["page_id"] == other["id"]
    assert "no professional account is linked" in chosen.output

    asked = meta.cli("auth", "login", "--platform", "facebook", input="1\n")
    assert asked.exit_code == 0, asked.output
    assert "several Pages" in asked.output and "2. Salon Emploi Jeunes" in asked.output
    assert json.loads(token_file(meta.settings).read_text())["page_id"] != other["id"]

    unknown = meta.cli("auth", "login", "--platform", "facebook", "--page", "Nulle part")
    assert unknown.exit_code == 1
    assert 'no Page called "Nulle part"' in unknown.output and "Salon Emploi Jeunes" in unknown.output


def test_an_expired_sign_in_says_to_sign_in_again(meta: MetaPage) -> None:
    meta.admin("expire-tokens")

    status = meta.cli("auth", "status", "--platform", "facebook")

    assert status.exit_code == 1
    assert "expired or was revoked" in status.output and LOGIN_AGAIN in status.output
    assert meta.cli("auth", "login", "--platform", "facebook").exit_code == 0
    assert meta.cli("auth", "status", "--platform", "facebook").exit_code == 0


def test_logout_removes_the_app_and_the_token(meta: MetaPage) -> None:
    answer = meta.cli("auth", "logout", "--platform", "facebook")

    assert answer.exit_code == 0, answer.output
    assert "access revoked" in answer.output
    assert not token_file(meta.settings).exists()
    tokens = meta.state()["facebook"]["tokens"]
    assert tokens["valid"] == 0 and tokens["revoked"] > 0  # every token of the person stopped working
    status = meta.cli("auth", "status", "--platform", "facebook")
    assert status.exit_code == 1 and LOGIN_AGAIN in status.output
    assert meta.cli("auth", "logout", "--platform", "facebook").output.startswith("Not signed in")
