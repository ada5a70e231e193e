"""``GET /_sandbox/state``: what the channel holds, in plain JSON, for tests and rehearsals.

The application adds what is its own (URL, quota, faults, requests) around :func:`channel_snapshot`.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from mlprod.sandbox.channel import Channel, round_subscribers
from mlprod.sandbox.state import ChannelState


def channel_snapshot(channel: Channel) -> dict[str, Any]:
    """The channel, its videos, playlists, upload sessions and sign-ins."""
    with channel.store.read() as state:
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
        now = channel.clock().timestamp()
        tokens = {
            "access_valid": sum(a.expires_at > now for a in state.access_grants.values()),
            "refresh_valid": sum(not g.revoked for g in state.refresh_grants.values()),
        }
    return {
        "channel": _channel(channel),
        "history": str(channel.history.spec) if channel.history else None,
        "videos": videos,
        "playlists": playlists,
        "upload_sessions": sessions,
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


def _channel(channel: Channel) -> dict[str, Any]:
    exact = channel.subscriber_count()
    return {
        "id": channel.channel_id,
        "title": channel.channel_title,
        "created_on": channel.channel_created_on.isoformat(),
        "subscriber_count": exact,
        "subscriber_count_shown": str(round_subscribers(exact)),
        "view_count": channel.channel_views(),
        "video_count": channel.public_video_count(),
        "uploads_playlist_id": channel.uploads_playlist_id,
    }
