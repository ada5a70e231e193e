"""Finding an upload that finished on YouTube but was never recorded here, once its session is gone.

The usual recovery needs no search: the session URL is in the database, and asking it where the
upload stands returns the finished video. That works for as long as YouTube keeps the session
(about a week). Past that, a session whose last chunk may have been sent is looked up among the
channel's uploads (newest first): same title, uploaded after the session began, same file size
(``fileDetails``, visible to the owner). Three list calls, 3 quota units, only in that case.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from mlprod.youtube.api import Channel

SLACK = dt.timedelta(minutes=5)


def _moment(text: str) -> dt.datetime | None:
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def find_lost_upload(channel: Channel, title: str, size: int, since: dt.datetime) -> dict[str, Any] | None:
    """The one video of the channel uploaded since ``since`` with this title and file size, if any."""
    if since.tzinfo is None:
        since = since.replace(tzinfo=dt.UTC)
    mine = channel.call(channel.service.channels().list(part="contentDetails", mine=True),
                        "looking for an upload that was not recorded")
    items = mine.get("items") or []
    uploads = items[0].get("contentDetails", {}).get("relatedPlaylists", {}).get("uploads") if items else None
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
