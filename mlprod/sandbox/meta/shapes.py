"""How a Page video or Reel looks on the wire (its fields and upload status), for the handlers that
show one: the video node itself, the Page's lists, an Instagram container's upload progress.
"""

from __future__ import annotations

from typing import Any

from mlprod.sandbox.meta.context import GraphContext, graph_time
from mlprod.sandbox.meta.model import Video, VideoKind, VideoState


def video_status(video: Video) -> dict[str, Any]:
    upload = video.upload
    received = upload.bytes_received
    uploading = "complete" if upload.complete else "in_progress" if received else "not_started"
    broken = upload.complete and upload.is_mp4 is False
    processing: dict[str, Any] = {
        "status": "error" if broken else "complete" if upload.complete else "not_started"
    }
    if broken:
        processing["errors"] = [{"code": 1363008, "message": "The file is not a video Meta can read."}]
    published = video.state is VideoState.PUBLISHED
    publish_time = video.published_at or video.scheduled_at
    publishing: dict[str, Any] = {
        "status": "complete"
        if published
        else "in_progress"
        if video.state is VideoState.SCHEDULED
        else "not_started",
        "publish_status": "published"
        if published
        else "scheduled"
        if video.scheduled_at
        else "not_published",
    }
    if publish_time is not None:
        publishing["publish_time"] = int(publish_time)
    overall = (
        "error" if broken else "ready" if published else "upload_complete" if upload.complete else "uploading"
    )
    return {
        "video_status": overall,
        "uploading_phase": {"status": uploading, "bytes_transferred": received},
        "processing_phase": processing,
        "publishing_phase": publishing,
    }


def video_values(ctx: GraphContext, video: Video, fields: list[str]) -> dict[str, Any]:
    page = ctx.state.pages[video.page_id]
    path = f"/reel/{video.id}/" if video.kind is VideoKind.REEL else f"/{page.id}/videos/{video.id}/"
    values: dict[str, Any] = {
        "id": video.id,
        "title": video.title,
        "description": video.description,
        "created_time": graph_time(video.created_at),
        "updated_time": graph_time(video.published_at or video.created_at),
        "permalink_url": path,
        "length": round(video.upload.duration or 0.0, 3),
        "status": video_status(video),
        "published": video.state is VideoState.PUBLISHED,
        "from": {"id": page.id, "name": page.name},
        "post_id": f"{page.id}_{video.id}",
    }
    if video.scheduled_at is not None:
        values["scheduled_publish_time"] = int(video.scheduled_at)
    return {k: values[k] for k in fields if k in values}
