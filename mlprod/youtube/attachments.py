"""What goes with a published video: its custom thumbnail and its French captions."""

from __future__ import annotations

from pathlib import Path

from googleapiclient.http import MediaInMemoryUpload

from mlprod.errors import PublishError
from mlprod.youtube.api import Channel
from mlprod.youtube.metadata import CAPTIONS_NAME, LANGUAGE

IMAGE_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png"}


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as err:
        raise PublishError(f"{path}: cannot read the {what} ({err.strerror}) — run `mlprod build` on"
                           " the recipe again, then `mlprod publish` again") from err


def set_thumbnail(channel: Channel, video_id: str, image: Path) -> None:
    """``thumbnails.set`` with the build's image (a simple media upload)."""
    mimetype = IMAGE_TYPES.get(image.suffix.lower(), "image/jpeg")
    media = MediaInMemoryUpload(_read(image, "thumbnail"), mimetype=mimetype, resumable=False)
    channel.call(channel.service.thumbnails().set(videoId=video_id, media_body=media),
                 "setting the thumbnail")


def caption_ids(channel: Channel, video_id: str) -> list[str]:
    """The ids of the video's French caption tracks called ``Français`` (captions.list, 50 units)."""
    answer = channel.call(channel.service.captions().list(part="snippet", videoId=video_id),
                          "reading the video's captions")
    return [str(c["id"]) for c in answer.get("items", [])
            if c.get("snippet", {}).get("language") == LANGUAGE
            and c.get("snippet", {}).get("name") == CAPTIONS_NAME]


def insert_captions(channel: Channel, video_id: str, srt: Path, *, check_first: bool) -> None:
    """``captions.insert`` of the build's .srt as the French track; ``check_first`` (after an
    interrupted run) looks for the track before adding a second one."""
    if check_first and caption_ids(channel, video_id):
        return
    body = {"snippet": {"videoId": video_id, "language": LANGUAGE, "name": CAPTIONS_NAME,
                        "isDraft": False}}
    media = MediaInMemoryUpload(_read(srt, "captions"), mimetype="application/octet-stream",
                                resumable=False)
    channel.call(channel.service.captions().insert(part="snippet", body=body, media_body=media),
                 "adding the captions")
