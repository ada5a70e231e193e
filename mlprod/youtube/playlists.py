"""Playlists by title: found among the channel's own (every page) or created; items added once."""

from __future__ import annotations

from typing import Any

from mlprod.youtube.api import Channel
from mlprod.youtube.metadata import LANGUAGE

PAGE_SIZE = 50


def find_playlist(channel: Channel, title: str) -> str | None:
    """The id of the channel's playlist called ``title`` (``playlists.list mine=true``, paginated)."""
    wanted = title.strip().casefold()

    def page(token: str | None) -> Any:
        return channel.service.playlists().list(part="snippet", mine=True, maxResults=PAGE_SIZE,
                                                pageToken=token)

    for item in channel.pages(page, f"looking for the playlist {title!r}"):
        if str(item.get("snippet", {}).get("title", "")).strip().casefold() == wanted:
            return str(item["id"])
    return None


def ensure_playlist(channel: Channel, title: str) -> str:
    """The playlist called ``title``, created (public, French) when the channel has none."""
    found = find_playlist(channel, title)
    if found:
        return found
    body = {"snippet": {"title": title, "description": "", "defaultLanguage": LANGUAGE},
            "status": {"privacyStatus": "public"}}
    created = channel.call(channel.service.playlists().insert(part="snippet,status", body=body),
                           f"creating the playlist {title!r}")
    return str(created["id"])


def playlist_item_ids(channel: Channel, playlist_id: str, video_id: str) -> list[str]:
    """The items of ``playlist_id`` that hold ``video_id``."""

    def page(token: str | None) -> Any:
        return channel.service.playlistItems().list(part="id", playlistId=playlist_id, videoId=video_id,
                                                    maxResults=PAGE_SIZE, pageToken=token)

    return [str(i["id"]) for i in channel.pages(page, "reading the playlist")]


def add_to_playlist(channel: Channel, playlist_id: str, video_id: str, *, check_first: bool) -> None:
    """Add the video to the playlist; ``check_first`` avoids a second item after an interrupted run."""
    if check_first and playlist_item_ids(channel, playlist_id, video_id):
        return
    body = {"snippet": {"playlistId": playlist_id,
                        "resourceId": {"kind": "youtube#video", "videoId": video_id}}}
    channel.call(channel.service.playlistItems().insert(part="snippet", body=body),
                 "adding the video to its playlist")


def remove_from_playlist(channel: Channel, playlist_id: str, video_id: str) -> int:
    """Remove every item of ``video_id`` from the playlist; how many were removed."""
    items = playlist_item_ids(channel, playlist_id, video_id)
    for item_id in items:
        channel.call(channel.service.playlistItems().delete(id=item_id),
                     "removing the video from its playlist")
    return len(items)
