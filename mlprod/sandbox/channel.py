"""The sandbox's one YouTube channel as request handlers read it: the stored state (videos,
playlists, captions, sessions, quota ledger — :mod:`mlprod.sandbox.state`) together with the
made-up ``--history`` and the clock, and the figures derived from them.

Below every handler: it knows nothing of HTTP, requests or the application around it.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import date

from mlprod.sandbox.config import Clock
from mlprod.sandbox.costs import QUOTA_TIMEZONE
from mlprod.sandbox.errors import not_found
from mlprod.sandbox.history import ChannelHistory, PastVideo
from mlprod.sandbox.history_spec import HistorySpec
from mlprod.sandbox.metadata import publish_if_due
from mlprod.sandbox.state import ChannelState, PlaylistItemRecord, PlaylistRecord, StateStore, VideoRecord

CHANNEL_TITLE = "ML Prod — bac à sable"


def round_subscribers(count: int) -> int:
    """YouTube's public count: rounded *down* to three significant figures (2345 → 2340)."""
    if count < 1000:
        return count
    step = 10 ** (len(str(count)) - 3)
    return count // step * step


def new_channel(history: HistorySpec | None, created: date) -> ChannelState:
    """A channel with nothing in it; its id depends on the history spec only (stable across runs)."""
    seed = hashlib.sha256(f"mlprod-sandbox/{history or ''}".encode()).digest()
    suffix = base64.urlsafe_b64encode(seed).decode()[:22]
    return ChannelState("UC" + suffix, CHANNEL_TITLE, created.isoformat())


class Channel:
    """The stored channel, its history and its day; ``verified`` channels may set thumbnails."""

    def __init__(
        self, store: StateStore, history: ChannelHistory | None, clock: Clock, *, verified: bool
    ) -> None:
        self.store = store
        self.history = history
        self.clock = clock
        self.verified = verified
        self._past = {v.id: v for v in history.videos} if history else {}

    @property
    def channel_id(self) -> str:
        return self.store.state.channel_id

    @property
    def channel_title(self) -> str:
        return self.store.state.channel_title

    @property
    def channel_created_on(self) -> date:
        """The history's creation (a state file from before the history had one may say later)."""
        created = date.fromisoformat(self.store.state.created_on)
        return min(created, self.history.created) if self.history else created

    @property
    def uploads_playlist_id(self) -> str:
        return "UU" + self.channel_id[2:]

    def today(self) -> date:
        """Today in California: YouTube's day for quota and analytics."""
        return self.clock().astimezone(QUOTA_TIMEZONE).date()

    # -- figures -------------------------------------------------------------------------------

    def subscriber_count(self) -> int:
        """The exact count (YouTube shows it rounded)."""
        return self.history.subscribers_at_end_of(self.today()) if self.history else 0

    def channel_views(self) -> int:
        return self.history.views_through(self.today()) if self.history else 0

    def public_video_count(self) -> int:
        today = self.today()
        past = sum(1 for v in self._past.values() if v.published <= today)
        with self.store.read() as state:
            return past + sum(v.status["privacyStatus"] == "public" for v in state.videos.values())

    # -- videos and playlists ------------------------------------------------------------------

    def past_video(self, video_id: str) -> PastVideo | None:
        return self._past.get(video_id)

    def past_video_views(self, video_id: str) -> int:
        if self.history is None:
            return 0
        totals = self.history.video_totals(self.history.created, self.today())
        return next((t.views for t in totals if t.video_id == video_id), 0)

    def find_video(self, video_id: str | None) -> VideoRecord:
        """A video uploaded to the sandbox, or 404 videoNotFound."""
        video = self.store.state.videos.get(video_id or "")
        if video is None:
            raise not_found(
                "videoNotFound", f"The video identified by the id {video_id!r} cannot be found."
            )
        return video

    def find_playlist(self, playlist_id: str | None) -> PlaylistRecord:
        """A playlist made in the sandbox, or 404 playlistNotFound."""
        playlist = self.store.state.playlists.get(playlist_id or "")
        if playlist is None:
            raise not_found(
                "playlistNotFound", f"The playlist identified by {playlist_id!r} cannot be found."
            )
        return playlist

    def video_title(self, video_id: str) -> str | None:
        video = self.store.state.videos.get(video_id)
        if video is not None:
            return str(video.snippet["title"])
        past = self._past.get(video_id)
        return past.title if past else None

    def video_privacy(self, video_id: str) -> str:
        video = self.store.state.videos.get(video_id)
        return str(video.status["privacyStatus"]) if video else "public"

    def uploads_playlist(self) -> list[tuple[str, PlaylistItemRecord]]:
        """The channel's uploads, newest first: sandbox uploads, then the history's videos."""
        today = self.today()
        entries = [(v.uploaded_at, v.id) for v in self.store.state.videos.values()] + [
            (f"{p.published}T10:00:00Z", p.id) for p in self._past.values() if p.published <= today
        ]
        entries.sort(reverse=True)
        return [
            (self.uploads_playlist_id, PlaylistItemRecord("UU" + video_id, video_id, added))
            for added, video_id in entries
        ]

    def refresh_schedules(self) -> None:
        """Scheduled videos whose time has come are public from now on."""
        now = self.clock()
        with self.store.read() as state:
            due = [v for v in state.videos.values() if v.status.get("publishAt")]
        if due:
            with self.store.change():
                for video in due:
                    publish_if_due(video.status, now)
