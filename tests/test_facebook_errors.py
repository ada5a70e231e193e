"""Graph error objects, as the sandbox answers them, become mlprod's messages with the fix."""

from __future__ import annotations

import pytest
from meta_helpers import MetaPage

from mlprod.errors import AuthError
from mlprod.graph.errors import GraphRefused
from mlprod.graph.signin import signed_in_client


def test_a_bad_parameter_is_named(meta: MetaPage) -> None:
    sign_in, client = signed_in_client(meta.settings, "Facebook")

    reels, what = f"{sign_in.page_id}/video_reels", "starting the Reel's upload"

    with pytest.raises(GraphRefused) as refused:
        client.post(reels, what, {"upload_phase": "middle"})
    with pytest.raises(GraphRefused) as missing:
        client.post(reels, what, {})

    assert refused.value.problem.code == 100
    assert f"Facebook refused the parameter upload_phase while {what}" in str(refused.value)
    assert "the parameter upload_phase" in str(missing.value)


def test_a_revoked_token_says_to_sign_in_again(meta: MetaPage) -> None:
    meta.admin("revoke-tokens")
    sign_in, client = signed_in_client(meta.settings, "Facebook")

    fix = r"expired or was revoked .*run `mlprod auth login --platform facebook`"
    with pytest.raises(AuthError, match=fix):
        client.get(sign_in.page_id, "reading the Page")
