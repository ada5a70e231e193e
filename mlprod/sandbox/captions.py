"""captions.insert/list/delete: caption tracks attached to uploaded videos."""

from __future__ import annotations

from typing import Any

from mlprod.sandbox.context import Context, Media, Registry, UploadMethod
from mlprod.sandbox.errors import ApiError, bad_request, not_found
from mlprod.sandbox.replies import Reply, json_reply
from mlprod.sandbox.resources import etag, list_of, new_id, rfc3339
from mlprod.sandbox.state import CaptionRecord

MAX_NAME = 150


def caption_resource(caption: CaptionRecord) -> dict[str, Any]:
    resource = {
        "kind": "youtube#caption",
        "etag": "",
        "id": caption.id,
        "snippet": {
            "videoId": caption.video_id,
            "lastUpdated": caption.updated_at,
            "trackKind": "standard",
            "language": caption.language,
            "name": caption.name,
            "audioTrackType": "unknown",
            "isCC": False,
            "isLarge": False,
            "isEasyReader": False,
            "isDraft": caption.is_draft,
            "isAutoSynced": False,
            "status": "serving",
        },
    }
    resource["etag"] = etag(resource)
    return resource


def _snippet(ctx: Context) -> dict[str, Any]:
    snippet = (ctx.body or {}).get("snippet")
    if not isinstance(snippet, dict):
        raise bad_request("invalidMetadata", "captions.insert needs snippet.videoId and snippet.language.")
    return snippet


def prepare_insert(ctx: Context) -> None:
    snippet = _snippet(ctx)
    language = snippet.get("language")
    if not isinstance(language, str) or not language:
        raise bad_request("invalidMetadata", "The caption track needs snippet.language (e.g. fr).")
    name = snippet.get("name", "")
    if not isinstance(name, str) or len(name) > MAX_NAME:
        raise bad_request("nameTooLong", f"snippet.name must be a string of at most {MAX_NAME} characters.")
    video = ctx.channel.find_video(snippet.get("videoId"))
    for caption in ctx.channel.store.state.captions.values():
        if caption.video_id == video.id and (caption.language, caption.name) == (language, name):
            raise ApiError(
                409,
                "captionExists",
                f"The video already has a caption track in {language} named {name!r}.",
            )


def complete_insert(ctx: Context, media: Media) -> dict[str, Any]:
    prepare_insert(ctx)
    if media.size == 0:
        raise bad_request("mediaBodyRequired", "The caption file is empty.")
    snippet = _snippet(ctx)
    caption = CaptionRecord(
        id=new_id(24, "AUieDa"),
        video_id=snippet["videoId"],
        language=snippet["language"],
        name=snippet.get("name", ""),
        is_draft=bool(snippet.get("isDraft", False)),
        sha256=media.sha256,
        bytes=media.size,
        content_type=media.content_type,
        updated_at=rfc3339(ctx.now),
    )
    with ctx.channel.store.change() as state:
        state.captions[caption.id] = caption
    return caption_resource(caption)


def captions_list(ctx: Context) -> Reply:
    video = ctx.channel.find_video(ctx.call.one("videoId"))
    ctx.charge()
    wanted = set(ctx.call.many("id"))
    with ctx.channel.store.read() as state:
        items = [
            caption_resource(c)
            for c in state.captions.values()
            if c.video_id == video.id and (not wanted or c.id in wanted)
        ]
    return json_reply(list_of(items, "youtube#captionListResponse"))


def captions_delete(ctx: Context) -> Reply:
    ctx.charge()
    caption_id = ctx.call.one("id") or ""
    with ctx.channel.store.change() as state:
        if state.captions.pop(caption_id, None) is None:
            raise not_found("captionNotFound", f"The caption track {caption_id!r} cannot be found.")
    return Reply(204)


def register(registry: Registry) -> None:
    registry.handlers.update(
        {"youtube.captions.list": captions_list, "youtube.captions.delete": captions_delete}
    )
    registry.uploads["youtube.captions.insert"] = UploadMethod(prepare_insert, complete_insert)
