"""``GET /_sandbox/state``: what the channel holds, in plain JSON, for tests and rehearsals."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from mlprod.sandbox.channels import round_subscribers

if TYPE_CHECKING:
    from mlprod.sandbox.app import SandboxApp
    from mlprod.sandbox.state import ChannelState


def snapshot(app: SandboxApp) -> dict[str, Any]:
    with app.store.read() as state:
        videos = _videos(state)
        playlists = [
            {
                "id": p.id,
                "title": p.snippet["title"],
                "description": p.snippet.get("description", ""),
                "privacy_status": p.status.get("privacyStatus"),
                "video_ids": [i.video_id for i in p.items],
                "item_ids": [i.id for i in p.items],
            }
            for p in state.playlists.values()
        ]
        sessions = [
            {
                "id": s.id,
                "method": s.method_id,
                "bytes_received": s.bytes_received,
                "total": s.total,
                "completed": s.completed,
                "result_id": (s.result or {}).get("id"),
            }
            for s in state.sessions.values()
        ]
        now = app.clock().timestamp()
        tokens = {
            "access_valid": sum(a.expires_at > now for a in state.access_grants.values()),
            "refresh_valid": sum(not g.revoked for g in state.refresh_grants.values()),
        }
    return {
        "url": app.base_url,
        "now": app.clock().isoformat(),
        "channel": _channel(app),
        "history": str(app.history.spec) if app.history else None,
        "videos": videos,
        "playlists": playlists,
        "upload_sessions": sessions,
        "quota_used": app.quota.used(),
        "quota_limit": app.quota.budget,
        "quota_day": app.quota.today().isoformat(),
        "faults": [str(f) for f in app.faults.faults],
        "faults_fired": list(app.faults.fired),
        "chunk_requests": app.faults.chunks_seen,
        "requests": app.request_count,
        "recent_requests": list(app.request_log)[-50:],
        "tokens": tokens,
    }


def _videos(state: ChannelState) -> list[dict[str, Any]]:
    in_playlists: dict[str, set[str]] = {}
    for playlist in state.playlists.values():
        for item in playlist.items:
            in_playlists.setdefault(item.video_id, set()).add(playlist.id)
    return [
        {
            "id": v.id,
            "snippet": v.snippet,
            "status": v.status,
            "uploaded_at": v.uploaded_at,
            "media_sha256": v.media.sha256,
            "media_bytes": v.media.bytes,
            "media_content_type": v.media.content_type,
            "thumbnail": asdict(v.thumbnail) if v.thumbnail else None,
            "captions": [
                {k: val for k, val in asdict(c).items() if k != "video_id"}
                for c in state.captions.values()
                if c.video_id == v.id
            ],
            "playlist_ids": sorted(in_playlists.get(v.id, set())),
        }
        for v in state.videos.values()
    ]


def _channel(app: SandboxApp) -> dict[str, Any]:
    exact = app.subscriber_count()
    return {
        "id": app.channel_id,
        "title": app.channel_title,
        "created_on": app.channel_created_on.isoformat(),
        "subscriber_count": exact,
        "subscriber_count_shown": str(round_subscribers(exact)),
        "view_count": app.channel_views(),
        "video_count": app.public_video_count(),
        "uploads_playlist_id": app.uploads_playlist_id,
    }
