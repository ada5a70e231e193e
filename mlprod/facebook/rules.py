"""Facebook's rules for a Page Reel and a Page video, checked before anything is sent.

From Meta's Reels Publishing API: MP4, 9:16, at least 540×960 (1080×1920 recommended), 24 to
60 frames per second, 3 to 90 seconds; at most 30 Reels published through the API in a moving
24 hours per Page, "which your app should also enforce": mlprod counts its own from the database
before asking (:func:`reels_left`). A scheduled Reel goes online between 10 minutes and 30 days
after it is sent. A Page is public: a recipe asking ``private`` or ``unlisted`` is refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from mlprod.errors import PublishError, QuotaExceeded
from mlprod.graph.posts import MetaPost

REEL_MIN_SECONDS = 3.0
REEL_MAX_SECONDS = 90.0
REEL_MIN_SIZE = (540, 960)
REEL_RATIO = 9 / 16
RATIO_TOLERANCE = 0.01
MIN_FPS, MAX_FPS = 23.9, 60.5
REELS_PER_DAY = 30
WINDOW = dt.timedelta(hours=24)
SCHEDULE_MIN = dt.timedelta(minutes=10)
SCHEDULE_MAX = dt.timedelta(days=30)
DESCRIPTION_MAX = 63206  # a Page post's text: Facebook's own limit, far beyond a recipe's


def check_post(post: MetaPost, where: str, now: dt.datetime) -> None:
    if post.privacy_asked != "public":
        raise PublishError(f"{where}: facebook: the recipe asks privacy {post.privacy_asked}, but a post on"
                           " a Page is public — set publish.privacy to public, or leave facebook out of"
                           " publish.platforms")
    if len(post.caption) > DESCRIPTION_MAX:
        raise PublishError(f"{where}: facebook: the description has {len(post.caption)} characters, Facebook"
                           f" takes at most {DESCRIPTION_MAX} — shorten publish.description")
    when = post.publish_at
    if when is not None and when > now:
        if when - now < SCHEDULE_MIN:
            raise PublishError(f"{where}: facebook: publish_at {when:%Y-%m-%d %H:%M} UTC is less than 10"
                               " minutes away, Facebook schedules from 10 minutes to 30 days ahead — set"
                               " it later, or remove publish_at to publish now")
        if when - now > SCHEDULE_MAX:
            raise PublishError(f"{where}: facebook: publish_at {when:%Y-%m-%d} is more than 30 days away,"
                               " Facebook schedules at most 30 days ahead — publish to facebook later"
                               " (`mlprod publish` again within 30 days of the date)")


def check_reel_file(width: int, height: int, seconds: float, fps: float | None, where: str) -> None:
    """The vertical cut as a Reel: 9:16, at least 540×960, 3 to 90 s, 24 to 60 fps."""
    problems: list[str] = []
    if abs(width / height - REEL_RATIO) > RATIO_TOLERANCE:
        problems.append(f"the video is {width}×{height}, a Reel is 9:16 — publish the vertical cut"
                        " (output.formats: [vertical])")
    elif width < REEL_MIN_SIZE[0] or height < REEL_MIN_SIZE[1]:
        problems.append(f"the video is {width}×{height}, a Reel at least 540×960 — build it in quality"
                        " standard or master")
    if seconds < REEL_MIN_SECONDS:
        problems.append(f"the video lasts {seconds:.1f} s, a Reel at least 3 s — add a clip or lengthen one")
    elif seconds > REEL_MAX_SECONDS:
        problems.append(f"the video lasts {seconds:.1f} s, a Reel at most 90 s — trim the clips (start/end)"
                        " to 90 s, or leave vertical out of output.formats so that the landscape cut"
                        " goes to the Page as a video")
    if fps is not None and not MIN_FPS <= fps <= MAX_FPS:
        problems.append(f"the video plays at {fps:g} frames per second, a Reel at 24 to 60")
    if problems:
        raise PublishError(f"{where}: facebook: " + "; ".join(problems))


def reels_left(published_at: Sequence[dt.datetime], now: dt.datetime) -> int:
    """How many more Reels the Page may publish now, given when mlprod published the others."""
    recent = [when for when in published_at if now - _aware(when) < WINDOW]
    return max(REELS_PER_DAY - len(recent), 0)


def ensure_reels_left(published_at: Sequence[dt.datetime], needed: int, now: dt.datetime) -> None:
    """Refuse before any upload when ``needed`` Reels would pass 30 in the moving 24 hours."""
    if needed <= 0:
        return
    left = reels_left(published_at, now)
    if needed <= left:
        return
    if needed > REELS_PER_DAY:
        raise QuotaExceeded(f"facebook: this batch has {needed} Reels, a Page publishes at most"
                            f" {REELS_PER_DAY} in 24 hours through the API — publish it in two days")
    recent = sorted(_aware(w) for w in published_at if now - _aware(w) < WINDOW)
    frees = recent[needed - left - 1] + WINDOW  # once it leaves the window, the batch fits
    raise QuotaExceeded(
        f"facebook: the Page may publish {REELS_PER_DAY} Reels in 24 hours through the API; mlprod"
        f" published {len(recent)} since {(now - WINDOW):%Y-%m-%d %H:%M} UTC, so {left} more now, and this"
        f" batch needs {needed} — publish the rest after {frees:%Y-%m-%d %H:%M} UTC"
        " (`mlprod publish --platform facebook` then)")


def _aware(when: dt.datetime) -> dt.datetime:
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)
