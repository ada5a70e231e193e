"""Meta's limits and rules, as the sandbox enforces them (from PLATFORMS.md and Meta's "Reels
Publishing API", "Resumable Upload API" and "Instagram Platform: Content Publishing" pages).

The sandbox's own table, never the client's: a client that gets a rule wrong fails a test.

What the sandbox checks of a video, without decoding it (see :mod:`mlprod.sandbox.mp4`): that the
bytes are an MP4 (an ``ftyp`` box first), the video track's display size and the duration, read from
the ``moov`` box. Frame rate, codecs and audio are not checked.
"""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from mlprod.sandbox.mp4 import Mp4Facts

GRAPH_VERSION = "v21.0"
"""The version the sandbox puts in the URLs it hands out; any ``vNN.N`` is accepted."""

INSIGHTS_TIMEZONE = ZoneInfo("America/Los_Angeles")
"""Insights days are Pacific days, each value's ``end_time`` the next midnight there."""

# -- Facebook Page Reels ------------------------------------------------------------------------
REEL_MIN_SECONDS = 3.0
REEL_MAX_SECONDS = 90.0
REEL_MIN_WIDTH, REEL_MIN_HEIGHT = 540, 960
REEL_RATIO = 9 / 16
RATIO_TOLERANCE = 0.01
REELS_PER_DAY = 30
"""Reels published (or scheduled) through the API per Page in a moving 24 hours."""
PUBLISH_WINDOW = timedelta(hours=24)
SCHEDULE_MIN = timedelta(minutes=10)
SCHEDULE_MAX = timedelta(days=75)
DESCRIPTION_MAX = 63_206
"""A Page post's text; Reels and videos take as much."""

# -- Page videos and the Resumable Upload API -------------------------------------------------
PAGE_VIDEO_MAX_SECONDS = 240 * 60
PAGE_VIDEO_TITLE_MAX = 255
RESUMABLE_FILE_TYPES = ("application/pdf", "image/jpeg", "image/jpg", "image/png", "video/mp4")

# -- Instagram ------------------------------------------------------------------------------------
CAPTION_MAX = 2200
HASHTAGS_MAX = 30
MENTIONS_MAX = 20
IG_PUBLISH_LIMIT = 100
"""Posts published through the API per account in a moving 24 hours (``content_publishing_limit``)."""
CONTAINER_LIFETIME = timedelta(hours=24)
PROCESSING_SECONDS = 3.0
"""An uploaded container is IN_PROGRESS this long (or for the first PROCESSING_POLLS status reads)."""
PROCESSING_POLLS = 2
IG_REEL_MIN_SECONDS = 3.0
IG_REEL_MAX_SECONDS = 15 * 60.0
IG_MAX_WIDTH = 1920
FOLLOWER_COUNT_DAYS = 30
"""``follower_count`` insights go back no further than this."""
INSIGHTS_MAX_DAYS = 93
"""At most this many days between ``since`` and ``until``."""

# -- tokens ---------------------------------------------------------------------------------------
SHORT_TOKEN_SECONDS = 3600
LONG_TOKEN_SECONDS = 60 * 24 * 3600
CODE_SECONDS = 600
PAGE_PERMISSIONS = ("pages_show_list", "pages_read_engagement", "pages_manage_posts")
INSTAGRAM_PERMISSIONS = ("instagram_basic", "instagram_content_publish", "instagram_manage_insights")
ALL_PERMISSIONS = (*PAGE_PERMISSIONS, "read_insights", *INSTAGRAM_PERMISSIONS, "business_management")

_HASHTAG = re.compile(r"(?<![\w&])#\w+")
_MENTION = re.compile(r"(?<![\w@])@[\w.]+")


def reel_problem(facts: Mp4Facts | None) -> str | None:
    """Why a file cannot be a Page Reel, or None."""
    if facts is None:
        return "the file is not an MP4 video (no ftyp box at its start)"
    if facts.width is None or facts.height is None or facts.duration is None:
        return "the MP4 has no video track the sandbox can read (no moov box with tkhd and mvhd)"
    if abs(facts.width / facts.height - REEL_RATIO) > RATIO_TOLERANCE:
        return f"a Reel is 9:16; this video is {facts.width}×{facts.height}"
    if facts.width < REEL_MIN_WIDTH or facts.height < REEL_MIN_HEIGHT:
        return (
            f"a Reel is at least {REEL_MIN_WIDTH}×{REEL_MIN_HEIGHT}; this video is "
            f"{facts.width}×{facts.height}"
        )
    if not REEL_MIN_SECONDS <= facts.duration <= REEL_MAX_SECONDS:
        return (
            f"a Reel lasts {REEL_MIN_SECONDS:g} to {REEL_MAX_SECONDS:g} seconds; this video lasts "
            f"{facts.duration:.1f}"
        )
    return None


def page_video_problem(facts: Mp4Facts | None) -> str | None:
    """Why a file cannot be a Page video, or None."""
    if facts is None:
        return "the file is not an MP4 video (no ftyp box at its start)"
    if facts.duration is not None and facts.duration > PAGE_VIDEO_MAX_SECONDS:
        return f"a Page video lasts at most {PAGE_VIDEO_MAX_SECONDS // 60} minutes"
    return None


def instagram_reel_problem(facts: Mp4Facts | None) -> str | None:
    """Why Instagram's processing would fail on this file (the container ends in ERROR), or None."""
    if facts is None:
        return "The video file is not an MP4."
    if facts.width is None or facts.duration is None:
        return "The video has no readable video track."
    if not IG_REEL_MIN_SECONDS <= facts.duration <= IG_REEL_MAX_SECONDS:
        return (
            f"The video is {facts.duration:.1f} seconds long; a Reel lasts "
            f"{IG_REEL_MIN_SECONDS:g} seconds to {IG_REEL_MAX_SECONDS / 60:g} minutes."
        )
    if facts.width > IG_MAX_WIDTH:
        return f"The video is {facts.width} pixels wide; at most {IG_MAX_WIDTH}."
    return None


def hashtags(caption: str) -> list[str]:
    return _HASHTAG.findall(caption)


def mentions(caption: str) -> list[str]:
    return _MENTION.findall(caption)


def caption_problem(caption: str) -> str | None:
    """What breaks Instagram's caption rules, or None."""
    if len(caption) > CAPTION_MAX:
        return f"The caption is {len(caption)} characters long; at most {CAPTION_MAX}."
    if len(hashtags(caption)) > HASHTAGS_MAX:
        return f"The caption has {len(hashtags(caption))} hashtags; at most {HASHTAGS_MAX}."
    if len(mentions(caption)) > MENTIONS_MAX:
        return f"The caption has {len(mentions(caption))} mentions; at most {MENTIONS_MAX}."
    return None
