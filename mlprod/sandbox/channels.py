"""channels.list: the one channel of the sandbox, with YouTube's rounded subscriber count."""

from __future__ import annotations

from typing import Any

from mlprod.sandbox.channel import Channel, round_subscribers
from mlprod.sandbox.context import Context, Registry
from mlprod.sandbox.errors import bad_request
from mlprod.sandbox.replies import Reply, json_reply
from mlprod.sandbox.resources import etag, list_of

_FILTERS = ("mine", "id", "forHandle", "forUsername", "managedByMe", "categoryId", "mySubscribers")


def channel_resource(channel: Channel, parts: list[str]) -> dict[str, Any]:
    resource: dict[str, Any] = {"kind": "youtube#channel", "etag": "", "id": channel.channel_id}
    if "snippet" in parts:
        resource["snippet"] = {
            "title": channel.channel_title,
            "description": "Chaîne de démonstration du bac à sable mlprod.",
            "customUrl": "@mlprod-sandbox",
            "publishedAt": f"{channel.channel_created_on}T09:00:00Z",
            "thumbnails": {},
            "defaultLanguage": "fr",
            "localized": {"title": channel.channel_title, "description": ""},
            "country": "FR",
        }
    if "contentDetails" in parts:
        resource["contentDetails"] = {
            "relatedPlaylists": {"likes": "", "uploads": channel.uploads_playlist_id}
        }
    if "statistics" in parts:
        resource["statistics"] = {
            "viewCount": str(channel.channel_views()),
            "subscriberCount": str(round_subscribers(channel.subscriber_count())),
            "hiddenSubscriberCount": False,
            "videoCount": str(channel.public_video_count()),
        }
    if "status" in parts:
        resource["status"] = {
            "privacyStatus": "public",
            "isLinked": True,
            "longUploadsStatus": "allowed",
            "madeForKids": False,
        }
    resource["etag"] = etag(resource)
    return resource


def channels_list(ctx: Context) -> Reply:
    if not any(ctx.call.one(name) for name in _FILTERS):
        raise bad_request(
            "missingRequiredParameter",
            "No filter selected. Expected one of: forUsername, managedByMe, categoryId, mine, "
            "forHandle, id, idParam",
        )
    ctx.charge()
    channel = ctx.channel
    ours = (
        ctx.call.flag("mine")
        or channel.channel_id in ctx.call.many("id")
        or ctx.call.one("forHandle") in ("@mlprod-sandbox", "mlprod-sandbox")
    )
    items = [channel_resource(channel, ctx.parts)] if ours else []
    return json_reply(list_of(items, "youtube#channelListResponse"))


def register(registry: Registry) -> None:
    registry.handlers["youtube.channels.list"] = channels_list
