"""videos.insert/list/update/delete and thumbnails.set."""

from __future__ import annotations

from typing import Any

from mlprod.sandbox.context import Context, Media, Registry, UploadMethod
from mlprod.sandbox.errors import ApiError, bad_request
from mlprod.sandbox.history import PastVideo
from mlprod.sandbox.media import image_size, sniff_image
from mlprod.sandbox.metadata import check_snippet, check_status
from mlprod.sandbox.replies import Reply, json_reply
from mlprod.sandbox.resources import etag, list_of, new_id, rfc3339, thumbnails
from mlprod.sandbox.state import MediaRecord, ThumbnailRecord, VideoRecord

STORED_PARTS = ("recordingDetails", "localizations")
MAX_THUMBNAIL_BYTES = 2 * 1024 * 1024


def video_resource(ctx: Context, video: VideoRecord, parts: list[str]) -> dict[str, Any]:
    """The video as videos.list shows it, with the parts asked for."""
    resource: dict[str, Any] = {"kind": "youtube#video", "etag": "", "id": video.id}
    if "snippet" in parts:
        snippet = dict(video.snippet)
        resource["snippet"] = {
            "publishedAt": video.uploaded_at,
            "channelId": ctx.channel.channel_id,
            **snippet,
            "thumbnails": thumbnails(ctx.base_url, video.id, video.thumbnail is not None),
            "channelTitle": ctx.channel.channel_title,
            "liveBroadcastContent": "none",
            "localized": {"title": snippet["title"], "description": snippet.get("description", "")},
        }
    if "status" in parts:
        status = {"uploadStatus": "processed", **video.status}
        status["madeForKids"] = bool(status.get("selfDeclaredMadeForKids", False))
        resource["status"] = status
    if "statistics" in parts:
        resource["statistics"] = _statistics(0)
    if "contentDetails" in parts:
        has_captions = any(c.video_id == video.id for c in ctx.channel.store.state.captions.values())
        resource["contentDetails"] = _content_details(0, has_captions)
    if "processingDetails" in parts:
        resource["processingDetails"] = {"processingStatus": "succeeded"}
    if "fileDetails" in parts:
        resource["fileDetails"] = {"fileSize": str(video.media.bytes)}
    for part in STORED_PARTS:
        if part in parts and part in video.other_parts:
            resource[part] = video.other_parts[part]
    resource["etag"] = etag(resource)
    return resource


def past_video_resource(ctx: Context, video: PastVideo, parts: list[str]) -> dict[str, Any]:
    """A video from ``--history``: published, public, with its views so far."""
    resource: dict[str, Any] = {"kind": "youtube#video", "etag": "", "id": video.id}
    if "snippet" in parts:
        resource["snippet"] = {
            "publishedAt": f"{video.published}T10:00:00Z",
            "channelId": ctx.channel.channel_id,
            "title": video.title,
            "description": "",
            "thumbnails": thumbnails(ctx.base_url, video.id, False),
            "channelTitle": ctx.channel.channel_title,
            "categoryId": "27",
            "liveBroadcastContent": "none",
            "localized": {"title": video.title, "description": ""},
        }
    if "status" in parts:
        resource["status"] = {
            "uploadStatus": "processed",
            "privacyStatus": "public",
            "license": "youtube",
            "embeddable": True,
            "publicStatsViewable": True,
            "madeForKids": False,
        }
    if "statistics" in parts:
        resource["statistics"] = _statistics(ctx.channel.past_video_views(video.id))
    if "contentDetails" in parts:
        resource["contentDetails"] = _content_details(video.duration_seconds, False)
    resource["etag"] = etag(resource)
    return resource


def _statistics(views: int) -> dict[str, str]:
    likes = views // 25
    return {
        "viewCount": str(views),
        "likeCount": str(likes),
        "favoriteCount": "0",
        "commentCount": str(likes // 8),
    }


def _content_details(seconds: int, has_captions: bool) -> dict[str, Any]:
    minutes, secs = divmod(seconds, 60)
    return {
        "duration": f"PT{minutes}M{secs}S" if minutes else f"PT{secs}S",
        "dimension": "2d",
        "definition": "hd",
        "caption": "true" if has_captions else "false",
        "licensedContent": False,
        "projection": "rectangular",
    }


# -- videos.insert -------------------------------------------------------------------------------


def prepare_insert(ctx: Context) -> None:
    body = ctx.body or {}
    check_snippet(body.get("snippet"), updating=False)
    check_status(body.get("status"), ctx.now)


def complete_insert(ctx: Context, media: Media) -> dict[str, Any]:
    body = ctx.body or {}
    video = VideoRecord(
        id=new_id(11),
        snippet=check_snippet(body.get("snippet"), updating=False),
        status=check_status(body.get("status"), None),
        media=MediaRecord(media.sha256, media.size, media.content_type),
        uploaded_at=rfc3339(ctx.now),
        other_parts={p: body[p] for p in STORED_PARTS if p in body},
    )
    with ctx.channel.store.change() as state:
        state.videos[video.id] = video
    return video_resource(ctx, video, ctx.parts)


# -- videos.list / update / delete --------------------------------------------------------------


def videos_list(ctx: Context) -> Reply:
    ids = ctx.call.many("id")
    if not ids and not ctx.call.one("chart") and not ctx.call.one("myRating"):
        raise bad_request(
            "missingRequiredParameter", "No filter selected. Expected one of: chart, id, myRating"
        )
    ctx.charge()
    items = []
    with ctx.channel.store.read() as state:
        for video_id in ids:
            if video_id in state.videos:
                items.append(video_resource(ctx, state.videos[video_id], ctx.parts))
            elif (past := ctx.channel.past_video(video_id)) is not None:
                items.append(past_video_resource(ctx, past, ctx.parts))
    return json_reply(list_of(items, "youtube#videoListResponse"))


def videos_update(ctx: Context) -> Reply:
    body = ctx.resource()
    video_id = body.get("id")
    if not video_id:
        raise bad_request("videoIdRequired", "The request body must give the video's id.")
    changes: dict[str, Any] = {}
    if "snippet" in ctx.parts:
        changes["snippet"] = check_snippet(body.get("snippet"), updating=True)
    if "status" in ctx.parts:
        changes["status"] = check_status(body.get("status"), ctx.now)
    ctx.charge()
    if ctx.channel.past_video(video_id) is not None:
        raise ApiError(403, "forbidden", "Videos made by --history cannot be changed.")
    with ctx.channel.store.change():
        video = ctx.channel.find_video(video_id)
        video.snippet = changes.get("snippet", video.snippet)
        video.status = changes.get("status", video.status)
        for part in STORED_PARTS:
            if part in ctx.parts:
                video.other_parts[part] = body.get(part)
        return json_reply(video_resource(ctx, video, ctx.parts))


def videos_delete(ctx: Context) -> Reply:
    ctx.charge()
    with ctx.channel.store.change() as state:
        video = ctx.channel.find_video(ctx.call.one("id"))
        del state.videos[video.id]
        for caption_id in [k for k, c in state.captions.items() if c.video_id == video.id]:
            del state.captions[caption_id]
        for playlist in state.playlists.values():
            playlist.items = [i for i in playlist.items if i.video_id != video.id]
    return Reply(204)


# -- thumbnails.set ------------------------------------------------------------------------------


def prepare_thumbnail(ctx: Context) -> None:
    ctx.channel.find_video(ctx.call.one("videoId"))
    if not ctx.channel.verified:
        raise ApiError(
            403,
            "forbidden",
            "The authenticated user doesn't have permissions for uploading and setting custom "
            "thumbnails for this video. Verify the channel to use custom thumbnails.",
        )


def complete_thumbnail(ctx: Context, media: Media) -> dict[str, Any]:
    kind = sniff_image(media.head)
    declared = media.content_type.split(";")[0].strip().lower()
    if kind is None or (declared.startswith("image/") and declared != kind):
        raise bad_request(
            "invalidImage", f"The thumbnail is not a JPEG or PNG image (sent as {declared})."
        )
    if media.size > MAX_THUMBNAIL_BYTES:
        raise bad_request(
            "mediaBodyTooLarge", f"The thumbnail is {media.size} bytes, at most {MAX_THUMBNAIL_BYTES}."
        )
    size = image_size(media.data if media.data is not None else media.head)
    record = ThumbnailRecord(media.sha256, media.size, kind, *(size or (None, None)))
    with ctx.channel.store.change():
        video = ctx.channel.find_video(ctx.call.one("videoId"))
        video.thumbnail = record
    items = [thumbnails(ctx.base_url, video.id, True)]
    return {"kind": "youtube#thumbnailSetResponse", "etag": etag(items), "items": items}


def register(registry: Registry) -> None:
    registry.handlers.update(
        {
            "youtube.videos.list": videos_list,
            "youtube.videos.update": videos_update,
            "youtube.videos.delete": videos_delete,
        }
    )
    registry.uploads.update(
        {
            "youtube.videos.insert": UploadMethod(prepare_insert, complete_insert),
            "youtube.thumbnails.set": UploadMethod(
                prepare_thumbnail, complete_thumbnail, max_simple_bytes=MAX_THUMBNAIL_BYTES * 4
            ),
        }
    )
