"""An Instagram professional account linked to the Page: Reels through resumable containers, the
publishing limit, followers and insights.

Protocol (``{graph}`` is ``{server}/graph/v21.0``; the user token, or the linked Page's token):

1. ``POST {graph}/{ig-user-id}/media`` ``media_type=REELS``, ``upload_type=resumable``,
   ``caption`` → ``{"id": CONTAINER, "uri"}``. Captions: at most 2,200 characters, 30 hashtags,
   20 mentions (code 100 otherwise, before any upload). Only resumable uploads: the sandbox fetches
   no ``video_url``.
2. ``POST {uri}`` with ``Authorization: OAuth TOKEN``, ``offset: N``, ``file_size: TOTAL`` and bytes
   from N → ``{"success": true, "message": "Upload successful."}``. Resumable like a Reel's: read
   ``GET {graph}/{container}?fields=video_status`` (``uploading_phase.bytes_transferred``).
3. Poll ``GET {graph}/{container}?fields=status_code,status``: ``IN_PROGRESS`` (uploading, then
   processing for 3 seconds or the first two reads after the upload), ``FINISHED``, ``ERROR`` (not
   an MP4, shorter than 3 s or longer than 15 min, wider than 1920; ``status`` says why),
   ``EXPIRED`` (not published within 24 hours), ``PUBLISHED``.
4. ``POST {graph}/{ig-user-id}/media_publish`` ``creation_id=CONTAINER`` → ``{"id": MEDIA}``. Not
   finished yet: 9007/2207027; expired: -2/2207020; failed: -1/2207053; over the limit: 9/2207042.
- ``GET {graph}/{ig-user-id}/content_publishing_limit?fields=quota_usage,config`` →
  ``{"data": [{"quota_usage", "config": {"quota_total": 100, "quota_duration": 86400}}]}``.
- ``GET {graph}/{ig-user-id}?fields=id,username,followers_count,media_count``;
  ``GET {graph}/{ig-user-id}/insights?metric=follower_count&period=day&since&until`` (new followers
  per day, the last 30 days only); ``GET {graph}/{media}/insights?metric=views,reach,likes,…``.
- ``DELETE {graph}/{media}`` is refused (100/33) as Meta's API does not delete Instagram media:
  staff remove an expired offer's Reel by hand.
"""

from __future__ import annotations

import secrets
from typing import Any

from mlprod.sandbox.faults import Counter
from mlprod.sandbox.meta.context import GraphContext, graph_time
from mlprod.sandbox.meta.errors import GraphError, bad_parameter, rate_limited
from mlprod.sandbox.meta.figures import followers, post_reach, post_views
from mlprod.sandbox.meta.grants import require_scope
from mlprod.sandbox.meta.insights import daily_series, insight_days, lifetime_series, metrics, pacific_day
from mlprod.sandbox.meta.model import (
    Container,
    ContainerStatus,
    IgAccount,
    IgMedia,
    TokenKind,
    Video,
    VideoKind,
    VideoState,
    new_number_id,
)
from mlprod.sandbox.meta.rules import (
    FOLLOWER_COUNT_DAYS,
    GRAPH_VERSION,
    IG_PUBLISH_LIMIT,
    PUBLISH_WINDOW,
    caption_problem,
)
from mlprod.sandbox.meta.shapes import video_status
from mlprod.sandbox.replies import Reply, json_reply

ACCOUNT_FIELDS = (
    "id",
    "username",
    "name",
    "followers_count",
    "follows_count",
    "media_count",
    "biography",
    "website",
)
CONTAINER_FIELDS = ("id", "status_code", "status", "video_status", "media_type")
MEDIA_FIELDS = (
    "id",
    "caption",
    "media_type",
    "media_product_type",
    "permalink",
    "shortcode",
    "timestamp",
    "like_count",
    "comments_count",
    "username",
    "owner",
)
MEDIA_METRICS = {
    "views": "The number of times the Reel was played or displayed.",
    "reach": "The number of accounts that saw the Reel.",
    "likes": "The number of likes.",
    "comments": "The number of comments.",
    "shares": "The number of shares.",
    "saved": "The number of saves.",
    "total_interactions": "Likes, saves, comments and shares.",
}
STATUS_TEXT = {
    ContainerStatus.IN_PROGRESS: "In Progress: Media is still being processed.",
    ContainerStatus.FINISHED: "Finished: Media has been uploaded and it is ready to be published.",
    ContainerStatus.EXPIRED: "Expired: The container was not published within 24 hours.",
    ContainerStatus.PUBLISHED: "Published: Media has been published.",
}


def _can_publish(ctx: GraphContext, account: IgAccount) -> None:
    if ctx.token.kind is TokenKind.PAGE and ctx.token.page_id != account.page_id:
        raise GraphError(200, f"(#200) This token's Page is not linked to Instagram account {account.id}")
    require_scope(ctx.token, "instagram_content_publish", "Publishing to Instagram")


def account_fields(ctx: GraphContext, account: IgAccount) -> Reply:
    fields = ctx.fields("IGUser", ACCOUNT_FIELDS, ("id",))
    values: dict[str, Any] = {
        "id": account.id,
        "username": account.username,
        "name": account.name,
        "followers_count": followers(account.followers).count(pacific_day(ctx.now)),
        "follows_count": 12,
        "media_count": sum(m.ig_user_id == account.id for m in ctx.state.media.values()),
        "biography": "Mission Locale du Pays Salonais — l'emploi et la formation des 16-25 ans.",
        "website": "https://www.example.org/mission-locale",
    }
    return json_reply({k: values[k] for k in fields})


def create_container(ctx: GraphContext, account: IgAccount) -> Reply:
    """``POST /{ig-user-id}/media``: a REELS container for a resumable upload."""
    _can_publish(ctx, account)
    media_type = (ctx.param("media_type") or "").upper()
    if media_type not in ("REELS", "VIDEO", "STORIES"):
        raise bad_parameter("media_type must be REELS (or VIDEO, STORIES) for a video")
    if (ctx.param("upload_type") or "").lower() != "resumable":
        raise bad_parameter("The sandbox takes uploaded videos only: give upload_type=resumable")
    caption = ctx.param("caption") or ""
    problem = caption_problem(caption)
    if problem:
        raise bad_parameter(f"Invalid caption. {problem}", user_message=problem)
    container = Container(new_number_id("1789", 13), account.id, media_type, caption, ctx.now)
    if ctx.faults.next(Counter.INSTAGRAM_CONTAINER) is not None:
        container.error = "Error: The video could not be processed (injected by --faults igerror)."
    with ctx.change() as state:
        state.containers[container.id] = container
    return json_reply(
        {"id": container.id, "uri": f"{ctx.upload_url}/ig-api-upload/{GRAPH_VERSION}/{container.id}"}
    )


def container_fields(ctx: GraphContext, container: Container) -> Reply:
    fields = ctx.fields("ShadowIGMediaBuilder", CONTAINER_FIELDS, ("id",))
    status = container.status(ctx.now)
    if (
        status is ContainerStatus.IN_PROGRESS
        and container.uploaded_at is not None
        and "status_code" in fields
    ):
        with ctx.change():
            container.polls += 1
    video = video_status_of(container)
    values: dict[str, Any] = {
        "id": container.id,
        "status_code": status.value,
        "status": container.error if status is ContainerStatus.ERROR else STATUS_TEXT[status],
        "video_status": video,
        "media_type": container.media_type,
    }
    return json_reply({k: values[k] for k in fields})


def video_status_of(container: Container) -> dict[str, Any]:
    """The upload's progress, in the shape of a Facebook video's status (``bytes_transferred``)."""
    shadow = Video(
        container.id, "", VideoKind.REEL, VideoState.UPLOADING, container.created_at, container.upload
    )
    return video_status(shadow)


def publish(ctx: GraphContext, account: IgAccount) -> Reply:
    """``POST /{ig-user-id}/media_publish``: a finished container becomes a post."""
    _can_publish(ctx, account)
    container_id = ctx.required("creation_id")
    container = ctx.state.containers.get(container_id)
    if container is None or container.ig_user_id != account.id:
        raise bad_parameter(f"creation_id {container_id} is not a container of this account", subcode=2207008)
    status = container.status(ctx.now)
    if status is ContainerStatus.PUBLISHED:
        raise bad_parameter(f"The container {container.id} was already published as {container.media_id}")
    if status is ContainerStatus.EXPIRED:
        raise GraphError(
            -2, "The media you are trying to access has expired. Please try to upload again.", subcode=2207020
        )
    if status is ContainerStatus.ERROR:
        raise GraphError(-1, f"unknown upload error: {container.error}", subcode=2207053)
    if status is ContainerStatus.IN_PROGRESS:
        raise GraphError(
            9007,
            "Media ID is not available",
            subcode=2207027,
            user_title="Media not ready",
            user_message="The media is not ready for publishing, please wait for a moment",
        )
    with ctx.change() as state:
        if _published_since(ctx, account, ctx.now - PUBLISH_WINDOW.total_seconds()) >= IG_PUBLISH_LIMIT:
            raise rate_limited(
                9,
                "You reached maximum number of posts that is allowed to be published by Content "
                "Publishing API.",
                transient=False,
            )
        media = IgMedia(
            new_number_id("1790", 13),
            account.id,
            container.id,
            container.caption,
            container.media_type,
            ctx.now,
            secrets.token_urlsafe(8),
        )
        state.media[media.id] = media
        container.media_id = media.id
    return json_reply({"id": media.id})


def _published_since(ctx: GraphContext, account: IgAccount, since: float) -> int:
    return sum(m.ig_user_id == account.id and m.published_at > since for m in ctx.state.media.values())


def publishing_limit(ctx: GraphContext, account: IgAccount) -> Reply:
    fields = ctx.fields(
        "ContentPublishingLimit", ("quota_usage", "config", "rate_limit_settings"), ("quota_usage",)
    )
    window = PUBLISH_WINDOW.total_seconds()
    since = float(ctx.param("since") or ctx.now - window)
    if since < ctx.now - window:
        raise bad_parameter("since must be a Unix time no older than 24 hours")
    entry: dict[str, Any] = {"quota_usage": _published_since(ctx, account, since)}
    if "config" in fields or "rate_limit_settings" in fields:
        entry["config"] = {"quota_total": IG_PUBLISH_LIMIT, "quota_duration": int(window)}
    return json_reply({"data": [entry]})


def list_media(ctx: GraphContext, account: IgAccount) -> Reply:
    chosen = sorted(
        (m for m in ctx.state.media.values() if m.ig_user_id == account.id), key=lambda m: -m.published_at
    )
    fields = ctx.fields("IGMedia", MEDIA_FIELDS, ("id",))
    return json_reply({"data": [media_values(ctx, m, fields) for m in chosen]})


def media_values(ctx: GraphContext, media: IgMedia, fields: list[str]) -> dict[str, Any]:
    account = ctx.state.ig_accounts[media.ig_user_id]
    views = _views(ctx, media)
    values: dict[str, Any] = {
        "id": media.id,
        "caption": media.caption,
        "media_type": "VIDEO",
        "media_product_type": "REELS" if media.media_type == "REELS" else "FEED",
        "permalink": f"https://www.instagram.com/reel/{media.shortcode}/",
        "shortcode": media.shortcode,
        "timestamp": graph_time(media.published_at),
        "like_count": views // 12,
        "comments_count": views // 90,
        "username": account.username,
        "owner": {"id": account.id},
    }
    return {k: values[k] for k in fields}


def media_fields(ctx: GraphContext, media: IgMedia) -> Reply:
    return json_reply(media_values(ctx, media, ctx.fields("IGMedia", MEDIA_FIELDS, ("id",))))


def _views(ctx: GraphContext, media: IgMedia) -> int:
    account = ctx.state.ig_accounts[media.ig_user_id]
    audience = followers(account.followers).count(pacific_day(ctx.now))
    return post_views(media.id, media.published_at, ctx.now, audience, reel=media.media_type == "REELS")


def media_insights(ctx: GraphContext, media: IgMedia) -> Reply:
    require_scope(ctx.token, "instagram_manage_insights", "Instagram insights")
    asked = metrics(ctx, MEDIA_METRICS)
    views = _views(ctx, media)
    likes, comments, shares, saved = views // 12, views // 90, views // 60, views // 45
    values = {
        "views": views,
        "reach": post_reach(views),
        "likes": likes,
        "comments": comments,
        "shares": shares,
        "saved": saved,
        "total_interactions": likes + comments + shares + saved,
    }
    return json_reply({"data": [lifetime_series(media.id, m, MEDIA_METRICS[m], values[m]) for m in asked]})


def account_insights(ctx: GraphContext, account: IgAccount) -> Reply:
    require_scope(ctx.token, "instagram_manage_insights", "Instagram insights")
    asked = metrics(ctx, {"follower_count": "New followers each day (the last 30 days only)."})
    days = insight_days(ctx)
    oldest = pacific_day(ctx.now - FOLLOWER_COUNT_DAYS * 86400)
    if days and days[0] < oldest:
        raise bad_parameter(
            f"The follower_count metric only supports the last {FOLLOWER_COUNT_DAYS} days (since {oldest})"
        )
    history = followers(account.followers)
    values = [(d, history.on(d).follows - history.on(d).unfollows) for d in days]
    return json_reply(
        {"data": [daily_series(account.id, m, "New followers each day.", values) for m in asked]}
    )
