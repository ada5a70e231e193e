"""Setting up the Meta sandbox for tests, rehearsals and the demo (``/_sandbox/meta/…``).

- A new sandbox has one person, one Page ("Mission Locale du Pays Salonais (bac à sable)") and its
  linked Instagram account, ids stable for a given ``--history``; their followers follow the
  YouTube ``--history`` (counts ×1.4 on Facebook, ×0.9 on Instagram), or stay at 0 without one.
- ``POST /_sandbox/meta/pages`` ``{"name", "followers": "START:COUNT,END:COUNT", "instagram": true,
  "instagram_followers": "…", "username"}`` → ``{"id", "name", "instagram_business_account"}``.
- ``POST /_sandbox/meta/tokens`` ``{"scopes": [...], "long_lived": true}`` → ``{"user_token",
  "expires_in", "pages": [{"id", "name", "access_token", "instagram_business_account"}]}``: what
  Facebook Login plus ``/me/accounts`` would give, without the dialog.
- ``POST /_sandbox/meta/expire-tokens`` (every token expires now: 190/463) and
  ``POST /_sandbox/meta/revoke-tokens`` (the app is removed: 190/458).
"""

from __future__ import annotations

import hashlib
from typing import Any

from mlprod.sandbox.history_spec import HistorySpec, parse_history
from mlprod.sandbox.meta.figures import FACEBOOK_SHARE, INSTAGRAM_SHARE, scaled_spec
from mlprod.sandbox.meta.grants import mint_user_token, page_token
from mlprod.sandbox.meta.model import IgAccount, MetaState, Page, new_number_id
from mlprod.sandbox.meta.rules import LONG_TOKEN_SECONDS, SHORT_TOKEN_SECONDS

PAGE_NAME = "Mission Locale du Pays Salonais (bac à sable)"
PAGE_CATEGORY = "Community Organization"
IG_USERNAME = "missionlocale.salon.sandbox"


def _digits(seed: bytes, count: int) -> str:
    return str(int.from_bytes(hashlib.sha256(seed).digest(), "big"))[:count].rjust(count, "0")


def new_meta_state(history: HistorySpec | None) -> MetaState:
    """A person with the Mission Locale's Page and Instagram account (ids stable per history)."""
    seed = f"mlprod-sandbox/meta/{history or ''}".encode()
    state = MetaState(
        user_id="1000" + _digits(seed + b"/user", 11), user_name="Équipe communication (bac à sable)"
    )
    page = Page(
        "1" + _digits(seed + b"/page", 14),
        PAGE_NAME,
        PAGE_CATEGORY,
        "17841" + _digits(seed + b"/ig", 12),
        scaled_spec(history, FACEBOOK_SHARE),
    )
    state.pages[page.id] = page
    assert page.ig_user_id is not None
    state.ig_accounts[page.ig_user_id] = IgAccount(
        page.ig_user_id,
        IG_USERNAME,
        "Mission Locale du Pays Salonais",
        page.id,
        scaled_spec(history, INSTAGRAM_SHARE),
    )
    return state


def add_page(state: MetaState, options: dict[str, Any]) -> dict[str, Any]:
    """A new Page (and its Instagram account unless ``instagram`` is false)."""
    for key in ("followers", "instagram_followers"):
        if options.get(key):
            parse_history(str(options[key]))  # a bad spec fails here, with its fix
    page = Page(
        new_number_id("1", 14),
        str(options.get("name") or "Page du bac à sable"),
        PAGE_CATEGORY,
        None,
        options.get("followers") or None,
    )
    if options.get("instagram", True):
        account = IgAccount(
            new_number_id("17841", 12),
            str(options.get("username") or f"page{page.id[-6:]}"),
            page.name,
            page.id,
            options.get("instagram_followers") or None,
        )
        state.ig_accounts[account.id] = account
        page.ig_user_id = account.id
    state.pages[page.id] = page
    answer: dict[str, Any] = {"id": page.id, "name": page.name}
    if page.ig_user_id:
        answer["instagram_business_account"] = {"id": page.ig_user_id}
    return answer


def issue_tokens(state: MetaState, now: float, options: dict[str, Any]) -> dict[str, Any]:
    """A user token and each Page's token, as sign-in would give them."""
    scopes = options.get("scopes")
    long_lived = bool(options.get("long_lived", True))
    user = mint_user_token(state, now, list(scopes) if scopes is not None else None, long_lived=long_lived)
    pages = []
    for page in state.pages.values():
        entry: dict[str, Any] = {
            "id": page.id,
            "name": page.name,
            "access_token": page_token(state, user, page.id, now).token,
        }
        if page.ig_user_id:
            entry["instagram_business_account"] = {"id": page.ig_user_id}
        pages.append(entry)
    return {
        "user_token": user.token,
        "expires_in": LONG_TOKEN_SECONDS if long_lived else SHORT_TOKEN_SECONDS,
        "pages": pages,
    }


def expire_tokens(state: MetaState, now: float) -> int:
    for token in state.tokens.values():
        token.expires_at = now - 1
    return len(state.tokens)


def revoke_tokens(state: MetaState) -> int:
    for token in state.tokens.values():
        token.revoked = True
    return len(state.tokens)
