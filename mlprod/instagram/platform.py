"""Instagram behind the platform interface (:mod:`mlprod.publishing.platform`): Reels on the
professional account linked to the Facebook Page (the same sign-in, the Page's token).

The vertical cut only: a recipe that makes none is refused before anything is built or sent. The
caption's rules (2,200 characters, 30 hashtags, 20 mentions) and the file's (3 s to 15 min) are
checked first; the account's publishing limit (``content_publishing_limit``) is read before the
upload and again before publishing. Upload, wait and publish are one call
(:mod:`mlprod.instagram.reels`): an Instagram post cannot be kept private and released later, so it
has no step after the upload.

What Instagram's API cannot do, mlprod does not pretend to: schedule a post (a recipe's future
``publish_at`` is refused for instagram, with the fix), change a published caption, or delete a
post (``mlprod expire`` lists it for staff to remove in the app).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from functools import cached_property

from sqlalchemy import func, select

from mlprod.config import Settings
from mlprod.errors import PublishError, QuotaExceeded
from mlprod.graph.client import GraphClient
from mlprod.graph.errors import LOGIN_AGAIN, GraphRefused
from mlprod.graph.posts import MetaPost
from mlprod.graph.posts import post_for as meta_post_for
from mlprod.graph.sessions import Sessions
from mlprod.graph.signin import SignIn, signed_in_client
from mlprod.instagram.reels import InstagramReels
from mlprod.instagram.rules import check_caption, check_duration
from mlprod.media.probe import probe
from mlprod.publishing import (
    AudienceFigures,
    Budget,
    BuiltFiles,
    PlatformOptions,
    Post,
    Progress,
    PublicationView,
    Remote,
    StepOutcome,
    TakeDown,
    Uploaded,
)
from mlprod.recipe import LoadedRecipe
from mlprod.states import Format, PlatformName, Privacy, PublishAction, Step
from mlprod.store import Database
from mlprod.store.models import Publication

LOOK_BACK = 200
"""How many of the account's latest posts are searched for a marker."""
DAILY_POSTS = 100
"""Instagram's usual limit in 24 hours; the account's own is read before publishing."""


def _post(post: Post) -> MetaPost:
    assert isinstance(post, MetaPost), "Instagram publishes its own posts"
    return post


class InstagramPlatform:
    """The Instagram professional account linked to the signed-in Page."""

    name = PlatformName.instagram
    label = "Instagram"

    def __init__(self, settings: Settings, db: Database, options: PlatformOptions | None = None) -> None:
        self.settings = settings
        self.db = db
        self.options = options or PlatformOptions()
        self.sessions = Sessions(db, self.name)
        self.permalinks: dict[str, str] = {}
        self.posted = 0

    # -- signed in on first use ----------------------------------------------------------------

    @cached_property
    def _signed_in(self) -> tuple[SignIn, GraphClient]:
        sign_in, client = signed_in_client(self.settings, self.label, self.options.sleep or time.sleep)
        if not sign_in.instagram_id:
            raise PublishError(f"instagram: the Page {sign_in.page_name} has no Instagram professional"
                               f" account linked — link one in the Page's settings, then {LOGIN_AGAIN}")
        return sign_in, client

    @property
    def client(self) -> GraphClient:
        return self._signed_in[1]

    @property
    def account_id(self) -> str:
        return str(self._signed_in[0].instagram_id)

    def _reels(self, marker: str) -> InstagramReels:
        return InstagramReels(self.client, self.account_id, self.sessions, self.settings.upload_chunk_size,
                              lambda: self._found_id(marker))

    # -- planning (no network) -----------------------------------------------------------------

    def cut(self, loaded: LoadedRecipe, chosen: Format | None) -> Format:
        if Format.vertical not in loaded.recipe.output.formats and chosen is not Format.vertical:
            raise PublishError(f"{loaded.path.name}: instagram: a Reel is the vertical cut, and this recipe"
                               " makes none — add vertical to output.formats (e.g. formats: [landscape,"
                               " vertical]), or leave instagram out of publish.platforms")
        return Format.vertical

    def post_for(self, loaded: LoadedRecipe, marker: str, *, closed_on: dt.date | None = None) -> Post:
        return meta_post_for(loaded, marker, closed_on=closed_on)

    def check(self, post: Post, where: str, now: dt.datetime) -> None:
        meta = _post(post)
        if meta.privacy_asked != "public":
            raise PublishError(f"{where}: instagram: the recipe asks privacy {meta.privacy_asked}, but an"
                               " Instagram post is public — set publish.privacy to public, or leave"
                               " instagram out of publish.platforms")
        if meta.publish_at is not None and meta.publish_at > now:
            raise PublishError(f"{where}: instagram: Instagram's API cannot schedule a post, and the recipe"
                               f" asks {meta.publish_at:%Y-%m-%d %H:%M} UTC — run `mlprod publish --platform"
                               " instagram` after that time, or remove publish_at")
        check_caption(meta, where)

    def check_files(self, files: BuiltFiles, where: str) -> None:
        info = probe(files.video)
        video = info.video
        if video is not None and video.width > video.height:
            raise PublishError(f"{where}: instagram: the video is {video.width}×{video.height}, a Reel is"
                               " vertical — publish the vertical cut (leave out --format)")
        check_duration(info.duration, where)

    def steps(self, post: Post) -> tuple[Step, ...]:
        return ()

    def estimate(self, action: PublishAction, post: Post, steps: Sequence[Step]) -> int:
        return 1 if action is PublishAction.upload else 0

    def _posted_today(self, now: dt.datetime) -> int:
        with self.db.transaction() as s:
            return int(s.scalar(select(func.count()).select_from(Publication).where(
                Publication.platform == self.name, Publication.adopted.is_(False),
                Publication.published_at > now - dt.timedelta(hours=24))) or 0)

    def ensure_budget(self, needed: int, now: dt.datetime) -> None:
        """From mlprod's own posts (no network here): the account's real count is read before
        each upload and each publication."""
        used = self._posted_today(now)
        if needed and used + needed > DAILY_POSTS:
            raise QuotaExceeded(f"instagram: mlprod published {used} posts in the last 24 hours and this"
                                f" batch has {needed} more, over Instagram's {DAILY_POSTS} — publish the rest"
                                " tomorrow (`mlprod publish --platform instagram`)")

    def budget(self, now: dt.datetime) -> Budget:
        return Budget(spent_now=self.posted, used_today=self._posted_today(now), limit=DAILY_POSTS,
                      unit="posts", note="in a moving 24 hours")

    # -- on the account ------------------------------------------------------------------------

    def find(self, marker: str) -> Remote | None:
        items = self.client.get_all(f"{self.account_id}/media", "looking for an earlier post",
                                    {"fields": "id,caption,permalink,timestamp"}, limit=LOOK_BACK)
        for item in items:
            if marker in str(item.get("caption") or ""):
                return self._remote(item)
        return None

    def _found_id(self, marker: str) -> str | None:
        found = self.find(marker)
        return found.remote_id if found else None

    def _remote(self, item: dict[str, object]) -> Remote:
        media_id = str(item["id"])
        link = str(item.get("permalink") or "") or self.url(media_id)
        self.permalinks[media_id] = link
        when = str(item.get("timestamp") or "")
        try:
            posted = dt.datetime.strptime(when, "%Y-%m-%dT%H:%M:%S%z") if when else None
        except ValueError:
            posted = None
        return Remote(media_id, link, Privacy.public, uploaded_at=posted)

    def upload(self, key: str, files: BuiltFiles, post: Post, progress: Progress | None) -> Uploaded:
        meta = _post(post)
        done = self._reels(meta.marker).publish(key, files.video, files.build_id, meta, progress)
        self.posted += 0 if done.recovered else 1
        media = self.client.get(done.media_id, "reading the new post's link",
                                {"fields": "id,permalink,timestamp"})
        return Uploaded(self._remote({**media, "id": done.media_id}), done.session_id, done.recovered)

    def do_step(self, step: Step, publication: PublicationView, post: Post, files: BuiltFiles | None,
                *, check_first: bool) -> StepOutcome:
        return StepOutcome()

    def update(self, publication: PublicationView, post: Post) -> Remote:
        raise PublishError(f"{publication.recipe}: instagram: Instagram's API cannot change a published"
                           " caption — edit it in the Instagram app (Modifier), or leave instagram out of"
                           " `mlprod publish --update` with --platform")

    def take_down(self, publication: PublicationView, closed_on: dt.date) -> TakeDown:
        link = publication.url or self.url(publication.remote_id)
        return TakeDown(done=False, by_hand=f"supprimer la publication Instagram dans l'application"
                        f" (… → Supprimer) : {link}")

    def url(self, remote_id: str) -> str:
        if remote_id in self.permalinks:
            return self.permalinks[remote_id]
        return f"https://www.instagram.com/p/{remote_id}/"

    def audience(self, remote_ids: Sequence[str]) -> AudienceFigures:
        """The account's followers now, and each Reel's views."""
        account = self.client.get(self.account_id, "reading the account's followers",
                                  {"fields": "followers_count"})
        views: dict[str, int] = {}
        for media_id in remote_ids:
            try:
                answer = self.client.get(f"{media_id}/insights", "reading a Reel's views",
                                         {"metric": "views"})
            except GraphRefused as err:
                if err.problem.code == 100:  # deleted in the app since
                    continue
                raise
            for entry in answer.get("data") or []:
                values = entry.get("values") or [{}]
                total = entry.get("total_value") or {}
                views[media_id] = int(values[-1].get("value") or total.get("value") or 0)
        count = account.get("followers_count")
        return AudienceFigures(int(count) if count is not None else None, views)
