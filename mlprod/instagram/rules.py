"""Instagram's rules for a Reel's caption and file, checked before anything is sent.

From Instagram's content publishing documentation: a caption holds at most 2,200 characters,
30 hashtags and 20 @mentions; a Reel is a video of 3 seconds to 15 minutes (9:16 recommended:
mlprod sends the vertical cut). An account publishes a limited number of posts in a moving
24 hours, which the API tells (``content_publishing_limit``): read before publishing.
"""

from __future__ import annotations

from mlprod.errors import PublishError
from mlprod.graph.posts import MetaPost

CAPTION_MAX = 2200
HASHTAGS_MAX = 30
MENTIONS_MAX = 20
MIN_SECONDS = 3.0
MAX_SECONDS = 15 * 60.0


def check_caption(post: MetaPost, where: str) -> None:
    """Refuse a caption Instagram would refuse, naming the recipe, the platform and the fix."""
    problems: list[str] = []
    length = len(post.caption)
    if length > CAPTION_MAX:
        problems.append(f"the caption has {length} characters, Instagram takes at most {CAPTION_MAX}"
                        f" (mlprod's reference line included) — shorten publish.description by"
                        f" {length - CAPTION_MAX} characters")
    hashtags = post.hashtags()
    if len(hashtags) > HASHTAGS_MAX:
        problems.append(f"the caption has {len(hashtags)} hashtags, Instagram takes at most {HASHTAGS_MAX}"
                        " — remove some tags (publish.tags become hashtags) or # words from"
                        " publish.description")
    mentions = post.mentions()
    if len(mentions) > MENTIONS_MAX:
        problems.append(f"the caption mentions {len(mentions)} accounts (@…), Instagram takes at most"
                        f" {MENTIONS_MAX} — remove some from publish.description")
    if problems:
        raise PublishError(f"{where}: instagram: " + "; ".join(problems))


def check_duration(seconds: float | None, where: str) -> None:
    if seconds is None:
        return
    if seconds < MIN_SECONDS:
        raise PublishError(f"{where}: instagram: the vertical cut lasts {seconds:.1f} s, an Instagram Reel"
                           f" at least {MIN_SECONDS:g} s — add a clip or lengthen one")
    if seconds > MAX_SECONDS:
        raise PublishError(f"{where}: instagram: the vertical cut lasts {seconds / 60:.1f} min, an Instagram"
                           " Reel at most 15 min — trim the clips (start/end)")
