"""The ``facebook`` and ``instagram`` keys of ``GET /_sandbox/state``: what Meta holds, plainly."""

from __future__ import annotations

from typing import Any

from mlprod.sandbox.meta.figures import followers
from mlprod.sandbox.meta.insights import pacific_day
from mlprod.sandbox.meta.model import MetaState, Upload, VideoKind
from mlprod.sandbox.meta.rules import PUBLISH_WINDOW


def _upload(upload: Upload) -> dict[str, Any]:
    return {
        "file_size": upload.file_size,
        "bytes_received": upload.bytes_received,
        "sha256": upload.sha256,
        "complete": upload.complete,
        "is_mp4": upload.is_mp4,
        "width": upload.width,
        "height": upload.height,
        "duration": upload.duration,
    }


def _tokens(state: MetaState, now: float) -> dict[str, int]:
    tokens = list(state.tokens.values())
    return {
        "valid": sum(not t.revoked and (not t.expires_at or t.expires_at > now) for t in tokens),
        "expired": sum(bool(t.expires_at) and t.expires_at <= now for t in tokens),
        "revoked": sum(t.revoked for t in tokens),
    }


def facebook_snapshot(state: MetaState, now: float) -> dict[str, Any]:
    since = now - PUBLISH_WINDOW.total_seconds()
    today = pacific_day(now)
    pages = [
        {
            "id": p.id,
            "name": p.name,
            "followers_count": followers(p.followers).count(today),
            "followers_history": p.followers,
            "instagram_business_account": p.ig_user_id,
            "reels_counted_24h": sum(
                v.page_id == p.id and v.kind is VideoKind.REEL and (v.counted_at or 0) > since
                for v in state.videos.values()
            ),
        }
        for p in state.pages.values()
    ]
    videos = [
        {
            "id": v.id,
            "page_id": v.page_id,
            "kind": v.kind.value,
            "state": v.state.value,
            "title": v.title,
            "description": v.description,
            "scheduled_publish_time": v.scheduled_at,
            "published_at": v.published_at,
            "deleted_at": v.deleted_at,
            **_upload(v.upload),
        }
        for v in state.videos.values()
    ]
    sessions = [
        {
            "id": s.id,
            "file_name": s.file_name,
            "file_type": s.file_type,
            "handle": s.handle,
            **_upload(s.upload),
        }
        for s in state.sessions.values()
    ]
    return {
        "user": {"id": state.user_id, "name": state.user_name},
        "pages": pages,
        "videos": videos,
        "upload_sessions": sessions,
        "tokens": _tokens(state, now),
    }


def instagram_snapshot(state: MetaState, now: float) -> dict[str, Any]:
    since = now - PUBLISH_WINDOW.total_seconds()
    today = pacific_day(now)
    accounts = [
        {
            "id": a.id,
            "username": a.username,
            "page_id": a.page_id,
            "followers_count": followers(a.followers).count(today),
            "followers_history": a.followers,
            "published_24h": sum(
                m.ig_user_id == a.id and m.published_at > since for m in state.media.values()
            ),
        }
        for a in state.ig_accounts.values()
    ]
    containers = [
        {
            "id": c.id,
            "ig_user_id": c.ig_user_id,
            "media_type": c.media_type,
            "caption": c.caption,
            "status_code": c.status(now).value,
            "error": c.error,
            "media_id": c.media_id,
            **_upload(c.upload),
        }
        for c in state.containers.values()
    ]
    media = [
        {
            "id": m.id,
            "ig_user_id": m.ig_user_id,
            "container_id": m.container_id,
            "caption": m.caption,
            "permalink": f"https://www.instagram.com/reel/{m.shortcode}/",
            "published_at": m.published_at,
        }
        for m in state.media.values()
    ]
    return {"accounts": accounts, "containers": containers, "media": media}
