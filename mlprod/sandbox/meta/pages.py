"""A Facebook Page: its fields, its Reels (three phases), its videos and its insights.

Protocol (``{graph}`` is ``{server}/graph/v21.0``; a Page token in every call):

- Reel, phase 1: ``POST {graph}/{page-id}/video_reels`` ``upload_phase=start`` →
  ``{"video_id", "upload_url"}``.
- Reel, phase 2: ``POST {upload_url}`` with headers ``Authorization: OAuth TOKEN``, ``offset: N``,
  ``file_size: TOTAL`` and bytes from N → ``{"success": true}``. Resumable: see
  :mod:`mlprod.sandbox.meta.uploads` (the status of ``GET {graph}/{video-id}?fields=status``).
- Reel, phase 3: ``POST {graph}/{page-id}/video_reels`` ``upload_phase=finish``, ``video_id``,
  ``video_state=PUBLISHED`` (or ``SCHEDULED`` with ``scheduled_publish_time``, Unix seconds, 10
  minutes to 75 days ahead; or ``DRAFT``), ``description`` → ``{"success": true, "post_id"}``.
  Checked then: the upload is whole; an MP4, 9:16, at least 540×960, 3 to 90 seconds; at most 30
  Reels published or scheduled through the API per Page in a moving 24 hours (the 31st: code 613).
- Page video (longer or landscape): a Resumable Upload API handle (see
  :mod:`mlprod.sandbox.meta.videos`), then ``POST {graph}/{page-id}/videos`` with
  ``fbuploader_video_file_chunk=HANDLE``, ``title``, ``description`` (``published=false`` +
  ``scheduled_publish_time`` to schedule) → ``{"id"}``.
- ``GET {graph}/{page-id}?fields=id,name,fan_count,followers_count,instagram_business_account``.
- ``GET {graph}/{page-id}/insights?metric=page_follows,page_daily_follows_unique,
  page_daily_unfollows_unique&period=day&since=…&until=…`` (dates or Unix seconds, at most 93 days
  apart): one value per Pacific day, ``end_time`` the next midnight there.
- ``GET {graph}/{page-id}/video_reels`` and ``/videos`` list them (newest first).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mlprod.sandbox.meta.context import GraphContext, graph_time
from mlprod.sandbox.meta.errors import bad_parameter, rate_limited
from mlprod.sandbox.meta.figures import followers
from mlprod.sandbox.meta.grants import require_page_token, require_scope
from mlprod.sandbox.meta.insights import daily_series, insight_days, metrics, pacific_day
from mlprod.sandbox.meta.model import Page, Video, VideoKind, VideoState, new_number_id
from mlprod.sandbox.meta.rules import (
    DESCRIPTION_MAX,
    GRAPH_VERSION,
    PAGE_VIDEO_TITLE_MAX,
    PUBLISH_WINDOW,
    REELS_PER_DAY,
    SCHEDULE_MAX,
    SCHEDULE_MIN,
    page_video_problem,
    reel_problem,
)
from mlprod.sandbox.meta.shapes import video_values
from mlprod.sandbox.replies import Reply, json_reply

PAGE_FIELDS = ("id", "name", "category", "fan_count", "followers_count", "link", "instagram_business_account")
PAGE_METRICS = {
    "page_follows": "Lifetime: the number of people who follow the Page.",
    "page_daily_follows_unique": "Daily: the number of people who started following the Page.",
    "page_daily_unfollows_unique": "Daily: the number of people who stopped following the Page.",
}


def page_fields(ctx: GraphContext, page: Page) -> Reply:
    fields = ctx.fields("Page", PAGE_FIELDS, ("id", "name"))
    count = followers(page.followers).count(pacific_day(ctx.now))
    values: dict[str, Any] = {
        "id": page.id,
        "name": page.name,
        "category": page.category,
        "fan_count": count,
        "followers_count": count,
        "link": f"https://www.facebook.com/{page.id}",
    }
    if page.ig_user_id:
        values["instagram_business_account"] = {"id": page.ig_user_id}
    return json_reply({k: values[k] for k in fields if k in values})


def _can_publish(ctx: GraphContext, page: Page) -> None:
    require_page_token(ctx.token, page.id)
    require_scope(ctx.token, "pages_manage_posts", "Publishing to a Page")


def _scheduled_time(ctx: GraphContext) -> float:
    raw = ctx.required("scheduled_publish_time")
    try:
        when = float(raw)
    except ValueError:
        try:
            when = datetime.fromisoformat(raw).timestamp()
        except ValueError:
            raise bad_parameter(f"scheduled_publish_time {raw!r} is not a Unix time") from None
    ahead = when - ctx.now
    if not SCHEDULE_MIN.total_seconds() <= ahead <= SCHEDULE_MAX.total_seconds():
        raise bad_parameter(
            "The specified scheduled publish time is invalid: it must be between 10 minutes and "
            "75 days from the time of the API request."
        )
    return when


def _description(ctx: GraphContext) -> str:
    text = ctx.param("description") or ""
    if len(text) > DESCRIPTION_MAX:
        raise bad_parameter(f"description is {len(text)} characters long; at most {DESCRIPTION_MAX}")
    return text


# -- Reels ----------------------------------------------------------------------------------------


def video_reels(ctx: GraphContext, page: Page) -> Reply:
    """``POST /{page-id}/video_reels``: phase ``start`` or ``finish``."""
    _can_publish(ctx, page)
    phase = ctx.required("upload_phase").lower()
    if phase == "start":
        video = Video(new_number_id("10", 14), page.id, VideoKind.REEL, VideoState.UPLOADING, ctx.now)
        with ctx.change() as state:
            state.videos[video.id] = video
        upload_url = f"{ctx.upload_url}/video-upload/{GRAPH_VERSION}/{video.id}"
        return json_reply({"video_id": video.id, "upload_url": upload_url})
    if phase == "finish":
        return _finish_reel(ctx, page)
    raise bad_parameter(f"upload_phase must be start or finish, not {phase!r}")


def _finish_reel(ctx: GraphContext, page: Page) -> Reply:
    video = ctx.state.videos.get(ctx.required("video_id"))
    if video is None or video.page_id != page.id or video.kind is not VideoKind.REEL:
        raise bad_parameter(f"video_id {ctx.param('video_id')} is not a Reel being uploaded to this Page")
    if video.state in (VideoState.PUBLISHED, VideoState.SCHEDULED, VideoState.DELETED):
        raise bad_parameter(f"The Reel {video.id} was already finished ({video.state.value})")
    if not video.upload.complete:
        raise bad_parameter(
            f"The video upload is not complete: {video.upload.bytes_received} of "
            f"{video.upload.file_size or '?'} bytes received",
            user_message="Send the rest of the file to the upload_url before finishing.",
        )
    problem = reel_problem(video.upload.facts())
    if problem:
        raise bad_parameter(f"The video cannot be published as a Reel: {problem}", user_message=problem)
    state_name = (ctx.param("video_state") or "PUBLISHED").upper()
    if state_name not in ("PUBLISHED", "SCHEDULED", "DRAFT"):
        raise bad_parameter(f"video_state must be PUBLISHED, SCHEDULED or DRAFT, not {state_name}")
    scheduled = _scheduled_time(ctx) if state_name == "SCHEDULED" else None
    description = _description(ctx)
    with ctx.change():
        if state_name != "DRAFT":
            _check_reel_limit(ctx, page)
        video.description = description
        video.state = VideoState[state_name]
        video.scheduled_at = scheduled
        if state_name == "PUBLISHED":
            video.published_at = ctx.now
        if state_name != "DRAFT":
            video.counted_at = ctx.now
    return json_reply({"success": True, "post_id": f"{page.id}_{video.id}"})


def _check_reel_limit(ctx: GraphContext, page: Page) -> None:
    since = ctx.now - PUBLISH_WINDOW.total_seconds()
    recent = [
        v
        for v in ctx.state.videos.values()
        if v.page_id == page.id
        and v.kind is VideoKind.REEL
        and v.counted_at is not None
        and v.counted_at > since
    ]
    if len(recent) >= REELS_PER_DAY:
        next_slot = min(v.counted_at or 0 for v in recent) + PUBLISH_WINDOW.total_seconds()
        raise rate_limited(
            613,
            f"Calls to this api have exceeded the rate limit: a Page publishes at most {REELS_PER_DAY} "
            f"Reels through the API in 24 hours; the next one fits after {graph_time(next_slot)}.",
            transient=False,
        )


def refresh_schedules(ctx: GraphContext) -> None:
    """Scheduled Reels and videos whose time has come are published from now on."""
    due = [
        v
        for v in ctx.state.videos.values()
        if v.state is VideoState.SCHEDULED and v.scheduled_at is not None and v.scheduled_at <= ctx.now
    ]
    if due:
        with ctx.change():
            for video in due:
                video.state = VideoState.PUBLISHED
                video.published_at = video.scheduled_at


# -- Page videos ---------------------------------------------------------------------------------


def publish_video(ctx: GraphContext, page: Page) -> Reply:
    """``POST /{page-id}/videos`` with a Resumable Upload API handle."""
    _can_publish(ctx, page)
    handle = ctx.required("fbuploader_video_file_chunk")
    session = next((s for s in ctx.state.sessions.values() if s.handle == handle), None)
    if session is None:
        raise bad_parameter(f"fbuploader_video_file_chunk {handle!r} is not the handle of an uploaded file")
    if session.file_type != "video/mp4":
        raise bad_parameter(f"The uploaded file is {session.file_type}, not video/mp4")
    upload = session.upload
    problem = page_video_problem(upload.facts())
    if problem:
        raise bad_parameter(f"The video cannot be published: {problem}", user_message=problem)
    title = ctx.param("title") or ""
    if len(title) > PAGE_VIDEO_TITLE_MAX:
        raise bad_parameter(f"title is {len(title)} characters long; at most {PAGE_VIDEO_TITLE_MAX}")
    published = (ctx.param("published") or "true").lower() != "false"
    scheduled = _scheduled_time(ctx) if ctx.param("scheduled_publish_time") else None
    if scheduled is not None and published:
        raise bad_parameter("A scheduled video needs published=false with its scheduled_publish_time")
    video = Video(
        new_number_id("10", 14),
        page.id,
        VideoKind.VIDEO,
        VideoState.SCHEDULED if scheduled else VideoState.PUBLISHED if published else VideoState.DRAFT,
        ctx.now,
        upload,
        title,
        _description(ctx),
        scheduled,
        ctx.now if published else None,
        ctx.now if published or scheduled else None,
    )
    with ctx.change() as state:
        state.videos[video.id] = video
    return json_reply({"id": video.id})


def list_videos(ctx: GraphContext, page: Page, kind: VideoKind) -> Reply:
    chosen = sorted(
        (
            v
            for v in ctx.state.videos.values()
            if v.page_id == page.id and v.kind is kind and v.state is not VideoState.DELETED
        ),
        key=lambda v: v.created_at,
        reverse=True,
    )
    return json_reply({"data": [video_values(ctx, v, ["id", "description", "updated_time"]) for v in chosen]})


# -- insights -----------------------------------------------------------------------------------


def page_insights(ctx: GraphContext, page: Page) -> Reply:
    require_scope(ctx.token, "read_insights", "Page insights")
    asked = metrics(ctx, PAGE_METRICS)
    history = followers(page.followers)
    days = [history.on(d) for d in insight_days(ctx)]
    pick = {
        "page_follows": lambda d: d.followers,
        "page_daily_follows_unique": lambda d: d.follows,
        "page_daily_unfollows_unique": lambda d: d.unfollows,
    }
    data = [daily_series(page.id, m, PAGE_METRICS[m], [(d.day, pick[m](d)) for d in days]) for m in asked]
    return json_reply({"data": data})
