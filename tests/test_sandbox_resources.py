"""Channel, videos, thumbnails, captions and playlists in the sandbox, with the real client."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from googleapiclient.errors import HttpError
from googleapiclient.http import MediaFileUpload
from PIL import Image

from mlprod.sandbox import Sandbox, parse_history, round_subscribers
from mlprod.sandbox.testing import FakeClock, sign_in, write_bytes
from mlprod.youtube.client import build_youtube


def upload_small(youtube: Any, tmp_path: Path, **status: Any) -> dict[str, Any]:
    path = write_bytes(tmp_path / "v.mp4", 5000)
    body = {
        "snippet": {"title": "Vendeur·se en boulangerie", "description": "CDD", "categoryId": "27"},
        "status": {"privacyStatus": "private", **status},
    }
    media = MediaFileUpload(str(path), mimetype="video/mp4", resumable=False)
    return dict(youtube.videos().insert(part="snippet,status", body=body, media_body=media).execute())


def test_subscriber_count_is_rounded_down_to_three_figures(sandbox_factory: Any) -> None:
    sandbox = sandbox_factory(history=parse_history("2020-01-01:100,2020-03-01:2345"))
    youtube = build_youtube(sign_in(sandbox), sandbox.url)

    [channel] = youtube.channels().list(part="statistics,contentDetails", mine=True).execute()["items"]

    assert channel["statistics"]["subscriberCount"] == "2340"
    assert sandbox.state()["channel"]["subscriber_count"] == 2345
    assert int(channel["statistics"]["videoCount"]) == len(sandbox.app.channel.history.videos)  # type: ignore[union-attr]
    uploads = channel["contentDetails"]["relatedPlaylists"]["uploads"]
    listed = youtube.playlistItems().list(part="snippet", playlistId=uploads, maxResults=50).execute()
    assert listed["pageInfo"]["totalResults"] == len(sandbox.app.channel.history.videos)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("exact", "shown"), [(0, 0), (999, 999), (1000, 1000), (2345, 2340), (12345, 12300), (1999999, 1990000)]
)
def test_round_subscribers(exact: int, shown: int) -> None:
    assert round_subscribers(exact) == shown


def test_new_channel_has_no_subscribers(youtube: Any) -> None:
    [channel] = youtube.channels().list(part="statistics", mine=True).execute()["items"]
    assert channel["statistics"]["subscriberCount"] == "0"


def test_thumbnail_is_checked_and_kept(sandbox: Sandbox, youtube: Any, tmp_path: Path) -> None:
    video = upload_small(youtube, tmp_path)
    png = tmp_path / "thumb.png"
    Image.new("RGB", (1280, 720), (200, 30, 60)).save(png)
    jpeg = tmp_path / "thumb.jpg"
    Image.new("RGB", (640, 360), (20, 30, 60)).save(jpeg)

    answer = youtube.thumbnails().set(
        videoId=video["id"], media_body=MediaFileUpload(str(png), mimetype="image/png")
    ).execute()

    assert answer["kind"] == "youtube#thumbnailSetResponse"
    thumbnail = sandbox.state()["videos"][0]["thumbnail"]
    assert thumbnail == {
        "sha256": hashlib.sha256(png.read_bytes()).hexdigest(),
        "bytes": png.stat().st_size,
        "content_type": "image/png",
        "width": 1280,
        "height": 720,
    }
    youtube.thumbnails().set(
        videoId=video["id"], media_body=MediaFileUpload(str(jpeg), mimetype="image/jpeg")
    ).execute()
    assert sandbox.state()["videos"][0]["thumbnail"]["width"] == 640

    fake = tmp_path / "fake.png"
    fake.write_text("not an image")
    with pytest.raises(HttpError) as refused:
        youtube.thumbnails().set(
            videoId=video["id"], media_body=MediaFileUpload(str(fake), mimetype="image/png")
        ).execute()
    assert refused.value.status_code == 400
    assert refused.value.error_details[0]["reason"] == "invalidImage"


def test_captions_insert_and_list(sandbox: Sandbox, youtube: Any, tmp_path: Path) -> None:
    video = upload_small(youtube, tmp_path)
    srt = tmp_path / "fr.srt"
    srt.write_text("1\n00:00:00,000 --> 00:00:02,000\nBonjour\n", encoding="utf-8")
    body = {"snippet": {"videoId": video["id"], "language": "fr", "name": "Français"}}

    caption = youtube.captions().insert(
        part="snippet", body=body, media_body=MediaFileUpload(str(srt), mimetype="text/plain")
    ).execute()
    listed = youtube.captions().list(part="snippet", videoId=video["id"]).execute()

    assert [c["id"] for c in listed["items"]] == [caption["id"]]
    assert listed["items"][0]["snippet"]["language"] == "fr"
    [stored] = sandbox.state()["videos"][0]["captions"]
    assert stored["sha256"] == hashlib.sha256(srt.read_bytes()).hexdigest()
    assert sandbox.state()["quota_used"] == 100 + 400 + 50

    with pytest.raises(HttpError) as again:
        youtube.captions().insert(
            part="snippet", body=body, media_body=MediaFileUpload(str(srt), mimetype="text/plain")
        ).execute()
    assert again.value.status_code == 409


def test_playlists_and_items(sandbox: Sandbox, youtube: Any, tmp_path: Path) -> None:
    video = upload_small(youtube, tmp_path)
    created = [
        youtube.playlists().insert(
            part="snippet,status",
            body={"snippet": {"title": f"Liste {n}"}, "status": {"privacyStatus": "public"}},
        ).execute()
        for n in range(6)
    ]

    first = youtube.playlists().list(part="snippet", mine=True).execute()
    second = youtube.playlists().list(part="snippet", mine=True, pageToken=first["nextPageToken"]).execute()
    assert len(first["items"]) == 5 and len(second["items"]) == 1  # maxResults defaults to 5
    assert "nextPageToken" not in second
    playlist_id = created[0]["id"]
    resource = {"kind": "youtube#video", "videoId": video["id"]}

    item = youtube.playlistItems().insert(
        part="snippet",
        body={"snippet": {"playlistId": playlist_id, "resourceId": resource}},
    ).execute()
    items = youtube.playlistItems().list(part="snippet", playlistId=playlist_id).execute()["items"]

    assert [i["snippet"]["resourceId"]["videoId"] for i in items] == [video["id"]]
    state = sandbox.state()
    assert state["videos"][0]["playlist_ids"] == [playlist_id]
    assert next(p for p in state["playlists"] if p["id"] == playlist_id)["video_ids"] == [video["id"]]

    youtube.playlistItems().delete(id=item["id"]).execute()
    assert youtube.playlistItems().list(part="id", playlistId=playlist_id).execute()["items"] == []
    with pytest.raises(HttpError) as missing:
        youtube.playlistItems().insert(
            part="snippet",
            body={"snippet": {"playlistId": "PLnone", "resourceId": resource}},
        ).execute()
    assert missing.value.error_details[0]["reason"] == "playlistNotFound"


def test_update_replaces_whole_parts_and_delete(sandbox: Sandbox, youtube: Any, tmp_path: Path) -> None:
    video = upload_small(youtube, tmp_path)

    updated = youtube.videos().update(
        part="snippet", body={"id": video["id"], "snippet": {"title": "Nouveau titre", "categoryId": "27"}}
    ).execute()

    assert updated["snippet"]["title"] == "Nouveau titre"
    assert updated["snippet"]["description"] == ""  # not sent, so gone
    with pytest.raises(HttpError) as unknown:
        youtube.videos().update(
            part="snippet", body={"id": "nope", "snippet": {"title": "t", "categoryId": "27"}}
        ).execute()
    assert unknown.value.status_code == 404
    assert unknown.value.error_details[0]["reason"] == "videoNotFound"

    youtube.videos().delete(id=video["id"]).execute()
    assert youtube.videos().list(part="id", id=video["id"]).execute()["items"] == []
    assert sandbox.state()["quota_used"] == 100 + 50 + 50 + 50 + 1


def test_scheduled_video_becomes_public_when_its_time_comes(sandbox_factory: Any, tmp_path: Path) -> None:
    clock = FakeClock()
    sandbox = sandbox_factory(clock=clock)
    youtube = build_youtube(sign_in(sandbox), sandbox.url)
    at = (clock.now + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")

    video = upload_small(youtube, tmp_path, publishAt=at)
    before = youtube.videos().list(part="status", id=video["id"]).execute()["items"][0]["status"]
    clock.advance(hours=2)
    after = youtube.videos().list(part="status", id=video["id"]).execute()["items"][0]["status"]

    assert before["privacyStatus"] == "private" and before["publishAt"] == at
    assert after["privacyStatus"] == "public" and "publishAt" not in after
