"""playlists.insert/list/update/delete and playlistItems.insert/list/delete, and the channel's
uploads playlist (``UU…``), listed the way YouTube lists it: newest first.
"""

from __future__ import annotations

from typing import Any

from mlprod.sandbox.channel import Channel
from mlprod.sandbox.context import Context, Registry
from mlprod.sandbox.errors import bad_request, not_found
from mlprod.sandbox.replies import Reply, json_reply
from mlprod.sandbox.resources import etag, new_id, page, rfc3339, thumbnails
from mlprod.sandbox.state import PlaylistItemRecord, PlaylistRecord

MAX_TITLE = 150
MAX_DESCRIPTION_BYTES = 5000


def playlist_resource(channel: Channel, playlist: PlaylistRecord, parts: list[str]) -> dict[str, Any]:
    resource: dict[str, Any] = {"kind": "youtube#playlist", "etag": "", "id": playlist.id}
    if "snippet" in parts:
        snippet = playlist.snippet
        resource["snippet"] = {
            "publishedAt": playlist.created_at,
            "channelId": channel.channel_id,
            **snippet,
            "thumbnails": {},
            "channelTitle": channel.channel_title,
            "localized": {"title": snippet["title"], "description": snippet.get("description", "")},
        }
    if "status" in parts:
        resource["status"] = dict(playlist.status)
    if "contentDetails" in parts:
        resource["contentDetails"] = {"itemCount": len(playlist.items)}
    resource["etag"] = etag(resource)
    return resource


def _check_playlist(ctx: Context) -> tuple[dict[str, Any], dict[str, Any]]:
    body = ctx.resource()
    snippet: dict[str, Any] = body["snippet"] if isinstance(body.get("snippet"), dict) else {}
    title = snippet.get("title")
    if not isinstance(title, str) or not title.strip():
        raise bad_request("playlistTitleRequired", "The playlist needs a snippet.title.")
    description = snippet.get("description", "")
    if len(title) > MAX_TITLE or len(str(description).encode("utf-8")) > MAX_DESCRIPTION_BYTES:
        raise bad_request(
            "invalidPlaylistSnippet",
            f"Playlist title at most {MAX_TITLE} characters, description at most "
            f"{MAX_DESCRIPTION_BYTES} bytes.",
        )
    kept = {"title": title, "description": str(description)}
    if isinstance(snippet.get("defaultLanguage"), str):
        kept["defaultLanguage"] = snippet["defaultLanguage"]
    status: dict[str, Any] = body["status"] if isinstance(body.get("status"), dict) else {}
    privacy = status.get("privacyStatus", "public")
    if privacy not in ("public", "unlisted", "private"):
        raise bad_request("invalidPlaylistMetadata", f"Unknown privacyStatus {privacy!r}.")
    return kept, {"privacyStatus": privacy}


def playlists_insert(ctx: Context) -> Reply:
    snippet, status = _check_playlist(ctx)
    ctx.charge()
    playlist = PlaylistRecord(new_id(32, "PL"), snippet, status, rfc3339(ctx.now))
    with ctx.channel.store.change() as state:
        state.playlists[playlist.id] = playlist
    return json_reply(playlist_resource(ctx.channel, playlist, ctx.parts))


def playlists_update(ctx: Context) -> Reply:
    snippet, status = _check_playlist(ctx)
    ctx.charge()
    with ctx.channel.store.change():
        playlist = ctx.channel.find_playlist(ctx.resource().get("id"))
        if "snippet" in ctx.parts:
            playlist.snippet = snippet
        if "status" in ctx.parts:
            playlist.status = status
        return json_reply(playlist_resource(ctx.channel, playlist, ctx.parts))


def playlists_delete(ctx: Context) -> Reply:
    ctx.charge()
    with ctx.channel.store.change() as state:
        playlist = ctx.channel.find_playlist(ctx.call.one("id"))
        del state.playlists[playlist.id]
    return Reply(204)


def playlists_list(ctx: Context) -> Reply:
    ids = ctx.call.many("id")
    mine = ctx.call.flag("mine") or ctx.call.one("channelId") == ctx.channel.channel_id
    if not ids and not mine and not ctx.call.one("channelId"):
        raise bad_request(
            "missingRequiredParameter", "No filter selected. Expected one of: channelId, id, mine"
        )
    ctx.charge()
    with ctx.channel.store.read() as state:
        playlists = sorted(state.playlists.values(), key=lambda p: p.created_at, reverse=True)
        chosen = [p for p in playlists if (p.id in ids if ids else mine)]
        items = [playlist_resource(ctx.channel, p, ctx.parts) for p in chosen]
    return json_reply(page(ctx, items, "youtube#playlistListResponse"))


# -- playlist items ------------------------------------------------------------------------------


def item_resource(
    ctx: Context, playlist_id: str, item: PlaylistItemRecord, position: int
) -> dict[str, Any]:
    channel = ctx.channel
    resource = {
        "kind": "youtube#playlistItem",
        "etag": "",
        "id": item.id,
        "snippet": {
            "publishedAt": item.added_at,
            "channelId": channel.channel_id,
            "title": channel.video_title(item.video_id),
            "description": "",
            "thumbnails": thumbnails(ctx.base_url, item.video_id, False),
            "channelTitle": channel.channel_title,
            "playlistId": playlist_id,
            "position": position,
            "resourceId": {"kind": "youtube#video", "videoId": item.video_id},
            "videoOwnerChannelTitle": channel.channel_title,
            "videoOwnerChannelId": channel.channel_id,
        },
        "contentDetails": {"videoId": item.video_id},
        "status": {"privacyStatus": channel.video_privacy(item.video_id)},
    }
    resource["etag"] = etag(resource)
    return resource


def playlist_items_insert(ctx: Context) -> Reply:
    raw = ctx.resource().get("snippet")
    snippet: dict[str, Any] = raw if isinstance(raw, dict) else {}
    raw_id = snippet.get("resourceId")
    resource_id: dict[str, Any] = raw_id if isinstance(raw_id, dict) else {}
    video_id = resource_id.get("videoId")
    if not snippet.get("playlistId") or not video_id:
        raise bad_request(
            "playlistIdRequired" if not snippet.get("playlistId") else "videoIdRequired",
            "playlistItems.insert needs snippet.playlistId and snippet.resourceId.videoId.",
        )
    position = snippet.get("position")
    ctx.charge()
    with ctx.channel.store.change():
        playlist = ctx.channel.find_playlist(snippet["playlistId"])
        if ctx.channel.video_title(video_id) is None:
            raise not_found("videoNotFound", f"The video {video_id!r} cannot be found.")
        item = PlaylistItemRecord(new_id(40, "UE"), video_id, rfc3339(ctx.now))
        if isinstance(position, int) and 0 <= position <= len(playlist.items):
            playlist.items.insert(position, item)
        else:
            playlist.items.append(item)
        index = playlist.items.index(item)
        return json_reply(item_resource(ctx, playlist.id, item, index))


def playlist_items_list(ctx: Context) -> Reply:
    ids = set(ctx.call.many("id"))
    playlist_id = ctx.call.one("playlistId")
    if not ids and not playlist_id:
        raise bad_request(
            "missingRequiredParameter", "No filter selected. Expected one of: id, playlistId"
        )
    ctx.charge()
    channel = ctx.channel
    with channel.store.read() as state:
        if playlist_id == channel.uploads_playlist_id:
            entries = channel.uploads_playlist()
        elif playlist_id:
            entries = [(playlist_id, item) for item in channel.find_playlist(playlist_id).items]
        else:
            entries = [(p.id, i) for p in state.playlists.values() for i in p.items if i.id in ids]
    video_filter = ctx.call.one("videoId")
    items = [
        item_resource(ctx, pid, item, position)
        for position, (pid, item) in enumerate(entries)
        if (not ids or item.id in ids) and (not video_filter or item.video_id == video_filter)
    ]
    return json_reply(page(ctx, items, "youtube#playlistItemListResponse"))


def playlist_items_delete(ctx: Context) -> Reply:
    ctx.charge()
    item_id = ctx.call.one("id")
    with ctx.channel.store.change() as state:
        for playlist in state.playlists.values():
            kept = [i for i in playlist.items if i.id != item_id]
            if len(kept) != len(playlist.items):
                playlist.items = kept
                return Reply(204)
    raise not_found("playlistItemNotFound", f"The playlist item {item_id!r} cannot be found.")


def register(registry: Registry) -> None:
    registry.handlers.update(
        {
            "youtube.playlists.insert": playlists_insert,
            "youtube.playlists.update": playlists_update,
            "youtube.playlists.delete": playlists_delete,
            "youtube.playlists.list": playlists_list,
            "youtube.playlistItems.insert": playlist_items_insert,
            "youtube.playlistItems.list": playlist_items_list,
            "youtube.playlistItems.delete": playlist_items_delete,
        }
    )
