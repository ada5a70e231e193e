"""Finding on the channel what mlprod uploaded but the database does not record.

Videos carrying mlprod's marker (:mod:`mlprod.publishing.markers`, sent as a tag): a database
that was lost, emptied or never copied to this machine. :func:`marked_uploads` reads the uploads
playlist (1 unit per 50 videos) and the videos' tags (1 unit per 50): a few units per batch.

An upload that finished on YouTube but was never recorded here, once its session is gone. The
usual recovery needs no search: the session URL is in the database, and asking it where the
upload stands returns the finished video. That works for as long as YouTube keeps the session
(about a week). Past that, a session whose last chunk may have been sent is looked up among the
channel's uploads (newest first): same title, uploaded after the session began, same file size
(``fileDetails``, visible to the owner). Three list calls, 3 quota units, only in that case.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from mlprod.publishing.markers import PREFIX
from mlprod.youtube.api import Channel

SLACK = dt.timedelta(minutes=5)
IDS_PER_CALL = 50


def _moment(text: str) -> dt.datetime | None:
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def _uploads_playlist(channel: Channel, what: str) -> str | None:
    mine = channel.call(channel.service.channels().list(part="contentDetails", mine=True), what)
    items = mine.get("items") or []
    return items[0].get("contentDetails", {}).get("relatedPlaylists", {}).get("uploads") if items else None


def marked_uploads(channel: Channel) -> dict[str, dict[str, Any]]:
    """Every upload of the channel that carries an mlprod marker: marker → its ``videos`` resource
    (snippet, status, contentDetails)."""
    what = "looking on the channel for videos mlprod published before"
    uploads = _uploads_playlist(channel, what)
    if not uploads:
        return {}
    items = channel.pages(lambda token: channel.service.playlistItems().list(
        part="contentDetails", playlistId=uploads, maxResults=IDS_PER_CALL, pageToken=token), what)
    ids = [str(i["contentDetails"]["videoId"]) for i in items if "contentDetails" in i]
    found: dict[str, dict[str, Any]] = {}
    for at in range(0, len(ids), IDS_PER_CALL):
        answer = channel.call(channel.service.videos().list(
            part="snippet,status,contentDetails", id=",".join(ids[at:at + IDS_PER_CALL])), what)
        for video in answer.get("items", []):
            for tag in video.get("snippet", {}).get("tags", []):
                if str(tag).startswith(PREFIX):
                    found.setdefault(str(tag), video)  # newest first: the one to keep
    return found


def find_lost_upload(channel: Channel, title: str, size: int, since: dt.datetime) -> dict[str, Any] | None:
    """The one video of the channel uploaded since ``since`` with this title and file size, if any."""
    if since.tzinfo is None:
        since = since.replace(tzinfo=dt.UTC)
    uploads = _uploads_playlist(channel, "looking for an upload that was not recorded")
    if not uploads:
        return None
    newest = channel.service.playlistItems().list(part="snippet", playlistId=uploads, maxResults=50)
    page = channel.call(newest, "looking for an upload that was not recorded")
    candidates = []
    for item in page.get("items", []):
        snippet = item.get("snippet", {})
        added = _moment(str(snippet.get("publishedAt", "")))
        if snippet.get("title") == title and added is not None and added >= since - SLACK:
            candidates.append(str(snippet.get("resourceId", {}).get("videoId", "")))
    if not candidates:
        return None
    answer = channel.call(channel.service.videos().list(part="snippet,status,fileDetails",
                                                        id=",".join(candidates)),
                          "looking for an upload that was not recorded")
    matches = [v for v in answer.get("items", [])
               if str(v.get("fileDetails", {}).get("fileSize", "")) == str(size)]
    return matches[0] if len(matches) == 1 else None
