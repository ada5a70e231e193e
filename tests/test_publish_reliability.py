"""Issue 16, defects 4 and 5: an empty database does not republish, and a video shows only when whole.

Both through the real CLI and the real Google client against the sandbox.
"""

from __future__ import annotations

import json

from publish_helpers import Channel, tutorial

from mlprod.sandbox.testing import FakeClock

# what publishing a fresh recipe costs, step by step (quota units, see quota_costs.py):
FIND = 1 + 1            # channels.list, then one page of the uploads playlist (no video of ours yet)
UPLOAD = 100            # videos.insert
THUMBNAIL = 50          # thumbnails.set
CAPTIONS = 400          # captions.insert
PLAYLIST_SEARCH = 1     # playlists.list; then playlists.insert (50) finds the quota spent


def wipe_database(channel: Channel) -> None:
    """As on a new machine with the workspace copied but not its database (the sign-in is kept)."""
    for path in channel.settings.state_dir.glob("mlprod.db*"):
        path.unlink()


def test_an_empty_database_adopts_the_video_instead_of_uploading_it_again(channel: Channel) -> None:
    recipe = channel.recipe("entretien.yaml", tutorial(playlist="Entretiens"))
    channel.ready_build(recipe)
    first = channel.cli("publish", "recipes/entretien.yaml")
    assert first.exit_code == 0, first.output
    [video] = channel.state()["videos"]
    used = channel.state()["quota_used"]
    wipe_database(channel)
    channel.ready_build(recipe)  # the same build, recorded again in the new database

    again = channel.cli("publish", "recipes/entretien.yaml")

    assert again.exit_code == 0, again.output
    assert "adopted" in again.output
    assert f"https://www.youtube.com/watch?v={video['id']}" in again.output
    state = channel.state()
    assert [v["id"] for v in state["videos"]] == [video["id"]]  # no second upload
    assert len(state["videos"][0]["captions"]) == 1
    assert state["playlists"][0]["video_ids"] == [video["id"]]  # not added twice
    # the new ledger starts from what the video found today must have cost, not from zero
    assert channel.ledger() >= used
    assert "estimated" in again.output
    listed = json.loads(channel.cli("status", "--json").output)
    assert listed[0]["youtube_id"] == video["id"] and listed[0]["state"] == "published"
    assert "already published" in channel.cli("publish", "recipes/entretien.yaml").output


def test_a_video_stays_private_until_whole_and_status_says_what_is_missing(channel_factory) -> None:
    clock = FakeClock()
    # enough for the lookup, the upload, the thumbnail, the captions, not for the playlist
    channel: Channel = channel_factory(quota=FIND + UPLOAD + THUMBNAIL + CAPTIONS + PLAYLIST_SEARCH + 49,
                                       clock=clock)
    channel.ready_build(channel.recipe("a.yaml", tutorial(playlist="Entretiens")))

    first = channel.cli("publish", "recipes/a.yaml")

    assert first.exit_code == 1
    assert "daily quota is spent" in first.output
    [video] = channel.state()["videos"]
    assert video["status"]["privacyStatus"] == "private" and "publishAt" not in video["status"]
    assert video["thumbnail"] and video["captions"] and video["playlist_ids"] == []
    [listed] = json.loads(channel.cli("status", "--json").output)
    assert listed["state"] == "incomplete" and listed["privacy"] == "private"
    assert listed["missing"] == ["playlist", "release"]
    assert "not visible yet: playlist, release missing" in listed["problem"]
    assert "not visible yet" in channel.cli("status").output
    clock.advance(days=1)  # a new quota day on YouTube's side

    second = channel.cli("publish", "recipes/a.yaml")

    assert second.exit_code == 0, second.output
    assert "the missing steps are done" in second.output
    [whole] = channel.state()["videos"]
    assert whole["id"] == video["id"] and whole["status"]["privacyStatus"] == "public"
    assert len(whole["captions"]) == 1 and channel.state()["playlists"][0]["video_ids"] == [video["id"]]
    [listed] = json.loads(channel.cli("status", "--json").output)
    assert (listed["state"], listed["missing"], listed["problem"]) == ("published", [], None)
