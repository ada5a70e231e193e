"""A Page video or Reel as a Graph node, and the Resumable Upload API that Page videos come through.

Protocol (``{graph}`` is ``{server}/graph/v21.0``):

- ``GET {graph}/{video-id}?fields=status`` → ``{"id", "status": {"video_status",
  "uploading_phase": {"status", "bytes_transferred"}, "processing_phase": {"status"},
  "publishing_phase": {"status", "publish_status", "publish_time"}}}``. ``video_status`` is
  ``uploading``, ``upload_complete``, ``ready`` (published) or ``error`` (not a video); resume an
  upload at ``bytes_transferred``. Other fields: ``id``, ``title``, ``description``,
  ``created_time``, ``updated_time``, ``permalink_url``, ``length``, ``published``,
  ``scheduled_publish_time``, ``from``.
- ``DELETE {graph}/{video-id}`` (the Page's token) → ``{"success": true}``: an expired offer's post
  goes away (a deleted Reel still counts in the day's 30).
- ``GET {graph}/{video-id}/video_insights?metric=total_video_views,blue_reels_play_count,
  fb_reels_total_plays,post_impressions_unique`` → lifetime values.
- Resumable Upload API: ``POST {graph}/{app-id}/uploads?file_name=…&file_length=…&file_type=video/mp4``
  → ``{"id": "upload:…"}``; ``POST {graph}/upload:…`` with ``Authorization: OAuth TOKEN``,
  ``file_offset: N`` and bytes from N → ``{"h": HANDLE}`` once the file is whole (before that
  ``{"id", "file_offset"}``); ``GET {graph}/upload:…`` → ``{"id", "file_offset"}`` to resume.
  Then ``POST {graph}/{page-id}/videos`` with ``fbuploader_video_file_chunk=HANDLE`` (see
  :mod:`mlprod.sandbox.meta.pages`).
"""

from __future__ import annotations

import base64

from mlprod.sandbox.meta.context import GraphContext
from mlprod.sandbox.meta.errors import bad_parameter
from mlprod.sandbox.meta.figures import followers, post_reach, post_views
from mlprod.sandbox.meta.grants import require_page_token, require_scope
from mlprod.sandbox.meta.insights import lifetime_series, metrics, pacific_day
from mlprod.sandbox.meta.model import UploadSession, Video, VideoKind, VideoState, new_number_id
from mlprod.sandbox.meta.rules import RESUMABLE_FILE_TYPES
from mlprod.sandbox.meta.shapes import video_values
from mlprod.sandbox.replies import Reply, json_reply

VIDEO_FIELDS = (
    "id",
    "title",
    "description",
    "created_time",
    "updated_time",
    "permalink_url",
    "length",
    "status",
    "published",
    "scheduled_publish_time",
    "from",
    "post_id",
)
VIDEO_METRICS = {
    "total_video_views": "Lifetime: the number of times the video was viewed for 3 seconds or more.",
    "blue_reels_play_count": "Lifetime: the number of times the Reel started to play.",
    "fb_reels_total_plays": "Lifetime: the number of times the Reel was played, replays included.",
    "post_impressions_unique": "Lifetime: the number of people who saw the post.",
}


def video_fields(ctx: GraphContext, video: Video) -> Reply:
    return json_reply(
        video_values(ctx, video, ctx.fields("Video", VIDEO_FIELDS, ("id", "description", "updated_time")))
    )


def delete_video(ctx: GraphContext, video: Video) -> Reply:
    require_page_token(ctx.token, video.page_id)
    require_scope(ctx.token, "pages_manage_posts", "Deleting a Page's video")
    with ctx.change():
        video.state = VideoState.DELETED
        video.deleted_at = ctx.now
    return json_reply({"success": True})


def video_insights(ctx: GraphContext, video: Video) -> Reply:
    require_scope(ctx.token, "read_insights", "Video insights")
    asked = metrics(ctx, VIDEO_METRICS)
    page = ctx.state.pages[video.page_id]
    audience = followers(page.followers).count(pacific_day(ctx.now))
    views = post_views(video.id, video.published_at, ctx.now, audience, reel=video.kind is VideoKind.REEL)
    values = {
        "total_video_views": views,
        "blue_reels_play_count": views,
        "fb_reels_total_plays": round(views * 1.3),
        "post_impressions_unique": post_reach(views),
    }
    data = [lifetime_series(video.id, m, VIDEO_METRICS[m], values[m], "video_insights") for m in asked]
    return json_reply({"data": data})


# -- the Resumable Upload API -------------------------------------------------------------------


def start_session(ctx: GraphContext) -> Reply:
    """``POST /{app-id}/uploads``: a session for one file."""
    name = ctx.required("file_name")
    length = ctx.required("file_length")
    file_type = ctx.required("file_type")
    if not length.isdigit() or int(length) <= 0:
        raise bad_parameter(f"file_length {length!r} must be the file's size in bytes")
    if file_type not in RESUMABLE_FILE_TYPES:
        raise bad_parameter(f"file_type must be one of {', '.join(RESUMABLE_FILE_TYPES)}, not {file_type!r}")
    session = UploadSession("upload:" + new_number_id("MT", 20), name, file_type, ctx.token.user_id, ctx.now)
    session.upload.file_size = int(length)
    with ctx.change() as state:
        state.sessions[session.id] = session
    return json_reply({"id": session.id})


def complete_session(session: UploadSession) -> str:
    """The handle of a whole file (made once)."""
    if session.handle is None:
        session.handle = "4:" + base64.urlsafe_b64encode(session.id.encode()).decode().rstrip("=")
    return session.handle
