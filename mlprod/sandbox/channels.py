"""channels.list: the one channel of the sandbox, with YouTube's rounded subscriber count."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mlprod.sandbox.context import Context, Registry, etag, list_of
from mlprod.sandbox.errors import bad_request
from mlprod.sandbox.replies import Reply, json_reply

if TYPE_CHECKING:
    from mlprod.sandbox.app import SandboxApp

_FILTERS = ("mine", "id", "forHandle", "forUsername", "managedByMe", "categoryId", "mySubscribers")


def round_subscribers(count: int) -> int:
    """YouTube's public count: rounded *down* to three significant figures (2345 → 2340)."""
    if count < 1000:
        return count
    step = 10 ** (len(str(count)) - 3)
    return count // step * step


def channel_resource(app: SandboxApp, parts: list[str]) -> dict[str, Any]:
    resource: dict[str, Any] = {"kind": "youtube#channel", "etag": "", "id": app.channel_id}
    if "snippet" in parts:
        resource["snippet"] = {
            "title": app.channel_title,
            "description": "Chaîne de démonstration du bac à sable mlprod.",
            "customUrl": "@mlprod-sandbox",
            "publishedAt": f"{app.channel_created_on}T09:00:00Z",
            "thumbnails": {},
            "defaultLanguage": "fr",
            "localized": {"title": app.channel_title, "description": ""},
            "country": "FR",
        }
    if "contentDetails" in parts:
        resource["contentDetails"] = {
            "relatedPlaylists": {"likes": "", "uploads": app.uploads_playlist_id}
        }
    if "statistics" in parts:
        resource["statistics"] = {
            "viewCount": str(app.channel_views()),
            "subscriberCount": str(round_subscribers(app.subscriber_count())),
            "hiddenSubscriberCount": False,
            "videoCount": str(app.public_video_count()),
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
    app = ctx.app
    ours = (
        ctx.call.flag("mine")
        or app.channel_id in ctx.call.many("id")
        or ctx.call.one("forHandle") in ("@mlprod-sandbox", "mlprod-sandbox")
    )
    items = [channel_resource(app, ctx.parts)] if ours else []
    return json_reply(list_of(items, "youtube#channelListResponse"))


def register(registry: Registry) -> None:
    registry.handlers["youtube.channels.list"] = channels_list
