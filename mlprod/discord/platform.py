"""Discord behind the platform interface (:mod:`mlprod.publishing.platform`): an announcement in the
channel of the webhook staff added (``mlprod discord add-webhook URL``).

The announcement links to the video, so it waits for it: to the YouTube video when the recipe
publishes there (else its Short, Reel… in that order), and only once people can open it — a video
still incomplete, or scheduled for later, keeps the announcement waiting (:class:`NotYet`, not a
failure), and the first ``mlprod publish`` after sends it. Its thumbnail is the preview's image:
YouTube's public copy when the link is YouTube's, else the build's .jpg attached to the message.

Never twice. The message is sent with ``?wait=true``, so Discord answers with its id, which the
workflow records at once. A webhook cannot read its channel, so a message sent by a run that
stopped before recording it cannot be found again (no adoption by marker as on YouTube). Instead,
the send is written down first (an upload session, ``discord-message:MARKER``): a later run that
finds it unfinished does not send again but says what to check, and staff answer with
``mlprod discord sent RECIPE LINK`` (the message is then adopted) or ``mlprod discord not-sent
RECIPE``. A refusal from Discord, which proves nothing was posted, closes the session.

A closed job offer's announcement is edited, not deleted (:meth:`DiscordPlatform.take_down`): it
says the offer is filled, without link, preview or contact. The people who read it or answered it
in the channel keep the context (a deleted message leaves replies pointing at nothing), and it is
what YouTube does too (the video unlisted, a notice on top). When the webhook is gone, mlprod can no
longer edit its messages: ``mlprod expire`` lists the announcement for staff to remove by hand.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import time
from collections.abc import Sequence
from functools import cached_property
from typing import Any

from sqlalchemy import select

from mlprod.config import Settings
from mlprod.discord.announcement import LONGEST_LINK, DiscordPost, check_message
from mlprod.discord.announcement import post_for as announcement_for
from mlprod.discord.client import (
    UNKNOWN_MESSAGE,
    Attachment,
    DiscordRefused,
    SendUncertain,
    WebhookClient,
    WebhookGone,
)
from mlprod.discord.webhook import SavedWebhook, require_webhook, saved_webhook
from mlprod.errors import MlprodError, NotYet, PublishError
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
from mlprod.publishing.destinations import VIDEO_PLATFORMS, recipe_platforms
from mlprod.publishing.links import Linked, publications_of
from mlprod.publishing.sessions import active_sessions, open_session, save_session
from mlprod.recipe import LoadedRecipe
from mlprod.states import Format, PlatformName, Privacy, PublicationState, PublishAction, Step, UploadStatus
from mlprod.store import Database
from mlprod.store.models import UploadSession

log = logging.getLogger(__name__)

ATTACHMENT_MAX = 10 * 1024 * 1024
"""Discord's limit on a message's attachments on a server without boosts."""
SESSION_PREFIX = "discord-message:"
YOUTUBE_THUMBNAIL = "https://i.ytimg.com/vi/{}/hqdefault.jpg"
LABELS = {PlatformName.youtube: "YouTube video", PlatformName.youtube_short: "YouTube Short",
          PlatformName.facebook: "Facebook post", PlatformName.instagram: "Instagram Reel"}


def _post(post: Post) -> DiscordPost:
    assert isinstance(post, DiscordPost), "Discord publishes its own announcements"
    return post


def uncertain_message(key: str) -> str:
    return (f"{key}: discord: an earlier `mlprod publish` stopped while sending this announcement,"
            " before Discord confirmed it: it may be in the channel already, and a webhook cannot read"
            " the channel to know. Look in the channel: if the announcement is there, copy its link"
            f" (right-click → Copy Message Link) and run `mlprod discord sent {key} LINK`; if it is not,"
            f" run `mlprod discord not-sent {key}`. Then `mlprod publish` again")


class DiscordPlatform:
    """The channel of the webhook ``mlprod discord add-webhook`` saved."""

    name = PlatformName.discord
    label = "Discord"

    def __init__(self, settings: Settings, db: Database, options: PlatformOptions | None = None) -> None:
        self.settings = settings
        self.db = db
        self.options = options or PlatformOptions()

    @cached_property
    def webhook(self) -> SavedWebhook:
        return require_webhook(self.settings)

    @cached_property
    def client(self) -> WebhookClient:
        return WebhookClient(self.webhook.hook, sleep=self.options.sleep or time.sleep)

    # -- planning (no network) -----------------------------------------------------------------

    def cut(self, loaded: LoadedRecipe, chosen: Format | None) -> Format:
        """The build whose thumbnail the announcement shows: the recipe's first (YouTube's) cut."""
        return chosen or loaded.recipe.output.formats[0]

    def post_for(self, loaded: LoadedRecipe, marker: str, *, closed_on: dt.date | None = None) -> Post:
        named = recipe_platforms(loaded, self.settings.platforms)
        return announcement_for(loaded, marker, closed_on=closed_on,
                                video_on=tuple(p for p in named if p in VIDEO_PLATFORMS))

    def check(self, post: Post, where: str, now: dt.datetime) -> None:
        announced = _post(post)
        self.webhook  # noqa: B018 — no webhook yet: refused before anything is sent
        if not announced.video_on:
            raise PublishError(f"{where}: discord: an announcement links to the video, and this recipe"
                               " publishes it nowhere — add youtube (or youtube_short, facebook,"
                               " instagram) to publish.platforms")
        check_message(announced, announced.message(LONGEST_LINK, LONGEST_LINK), where)

    def check_files(self, files: BuiltFiles, where: str) -> None:
        """Nothing to refuse: the video is linked, not sent; a thumbnail too big is left out."""

    def steps(self, post: Post) -> tuple[Step, ...]:
        return ()

    def estimate(self, action: PublishAction, post: Post, steps: Sequence[Step]) -> int:
        """Messages sent or edited (Discord has no daily budget; its rate limit is waited for)."""
        return 0 if action is PublishAction.nothing else 1

    def ensure_budget(self, needed: int, now: dt.datetime) -> None:
        """No daily budget: a rate limit only delays (429, waited for)."""

    def budget(self, now: dt.datetime) -> Budget | None:
        return None

    # -- in the channel ------------------------------------------------------------------------

    def _unfinished(self, marker: str) -> UploadSession | None:
        with self.db.transaction() as s:
            return s.scalar(select(UploadSession).where(
                UploadSession.platform == self.name, UploadSession.status == UploadStatus.active,
                UploadSession.session_url == SESSION_PREFIX + marker,
            ).order_by(UploadSession.id.desc()).limit(1))

    def find(self, marker: str) -> Remote | None:
        """A webhook cannot read its channel: only a message staff pointed at with ``mlprod discord
        sent`` (after a send left unconfirmed) is found, and read back to check it is there."""
        session = self._unfinished(marker)
        if session is None or not session.remote_id:
            return None
        message = self.client.message(session.remote_id)
        if message is None:
            log.warning("the Discord message %s given with `mlprod discord sent` is not in the channel",
                        session.remote_id)
            save_session(self.db, session.id, remote_id=None)
            return None
        return self._remote(message)

    def _remote(self, message: dict[str, Any]) -> Remote:
        message_id = str(message["id"])
        url = self.webhook.message_url(message_id, message.get("channel_id"))
        return Remote(remote_id=message_id, url=url, privacy=Privacy.public,
                      uploaded_at=dt.datetime.now(dt.UTC))

    def upload(self, key: str, files: BuiltFiles, post: Post, progress: Progress | None) -> Uploaded:
        """Send the announcement once (see the module docstring for "never twice")."""
        announced = _post(post)
        if active_sessions(self.db, key, self.name):
            raise PublishError(uncertain_message(key))
        linked = self._video(key, announced)
        assert linked.url is not None
        payload, attachments = self._payload(announced, linked, files)
        check_message(announced, payload, key)
        body = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
        size = len(body) + sum(a.path.stat().st_size for a in attachments)
        session_id = open_session(self.db, key, self.name, files.build_id,
                                  SESSION_PREFIX + (announced.marker or key),
                                  hashlib.sha256(body).hexdigest(), size)
        try:
            message = self.client.send(payload, attachments)
        except SendUncertain as err:
            raise PublishError(f"{err} — {uncertain_message(key)}") from err
        except MlprodError:
            save_session(self.db, session_id, status=UploadStatus.abandoned)  # Discord refused: not posted
            raise
        if progress is not None:
            progress(size, size)
        return Uploaded(self._remote(message), session_id)

    def _video(self, key: str, post: DiscordPost) -> Linked:
        """The publication the announcement links to, once people can open it; :class:`NotYet` before."""
        if not post.video_on:
            raise PublishError(f"{key}: discord: an announcement links to the video, and this recipe"
                               " publishes it nowhere — add youtube to publish.platforms")
        target = post.video_on[0]
        linked = publications_of(self.db, key, [target]).get(target)
        what = LABELS.get(target, target.value)
        if linked is None or not linked.url:
            raise NotYet(f"the announcement waits for the {what}, not published yet — the first"
                         " `mlprod publish` after it sends the announcement")
        if linked.visible(dt.datetime.now(dt.UTC)):
            return linked
        if linked.state is PublicationState.scheduled and linked.publish_at is not None:
            when = linked.publish_at.strftime("%Y-%m-%d %H:%M UTC")
            raise NotYet(f"the announcement waits for the {what} to go public on {when} — the first"
                         " `mlprod publish` after that sends it")
        missing = ", ".join(step.value for step in linked.missing) or "its release"
        raise NotYet(f"the announcement waits for the {what} to be whole ({missing} missing) — run"
                     " `mlprod publish` again to finish it; the announcement follows")

    def _payload(self, post: DiscordPost, linked: Linked, files: BuiltFiles | None
                 ) -> tuple[dict[str, Any], list[Attachment]]:
        """The message, with YouTube's public thumbnail, else the build's attached (when it fits)."""
        assert linked.url is not None
        if linked.platform in (PlatformName.youtube, PlatformName.youtube_short):
            return post.message(linked.url, YOUTUBE_THUMBNAIL.format(linked.remote_id)), []
        thumbnail = files.thumbnail if files is not None else None
        if thumbnail is None or not thumbnail.exists():
            return post.message(linked.url, None), []
        if thumbnail.stat().st_size > ATTACHMENT_MAX:
            log.warning("%s is over Discord's %d MB for attachments: the announcement goes without its"
                        " thumbnail", thumbnail.name, ATTACHMENT_MAX // (1024 * 1024))
            return post.message(linked.url, None), []
        name = "miniature.jpg"
        return post.message(linked.url, f"attachment://{name}"), [Attachment(thumbnail, name)]

    def do_step(self, step: Step, publication: PublicationView, post: Post, files: BuiltFiles | None,
                *, check_first: bool) -> StepOutcome:
        return StepOutcome()

    def update(self, publication: PublicationView, post: Post) -> Remote:
        """Edit the announcement to the recipe's new text (and the video's current link)."""
        announced = _post(post)
        found = publications_of(self.db, publication.recipe, announced.video_on)
        linked = next((found[p] for p in announced.video_on if p in found and found[p].url), None)
        if linked is None:
            raise PublishError(f"{publication.recipe}: discord: the video the announcement links to is no"
                               " longer recorded — publish it first")
        payload, _ = self._payload(announced, linked, None)
        check_message(announced, payload, publication.recipe)
        self.client.edit(publication.remote_id, payload)
        return Remote(publication.remote_id, publication.url or self.url(publication.remote_id),
                      Privacy.public)

    def take_down(self, publication: PublicationView, closed_on: dt.date) -> TakeDown:
        """Edit the announcement to say the offer is filled (see the module docstring: why not delete)."""
        link = publication.url or self.url(publication.remote_id)
        try:
            webhook = self.webhook
        except PublishError:
            return TakeDown(done=False, by_hand=f"no Discord webhook is saved any more: open {link} and"
                                                " delete the announcement, or say the offer is filled")
        post = DiscordPost(title=publication.title, kind=publication.kind, subject=publication.title)
        try:
            self.client.edit(publication.remote_id, post.filled(closed_on))
        except WebhookGone:
            return TakeDown(done=False, by_hand=f"the webhook {webhook.hook.masked()} was deleted, so"
                                                " mlprod can no longer edit its messages: open"
                                                f" {link} and delete the announcement (or say the offer"
                                                " is filled) by hand")
        except DiscordRefused as err:
            if err.code != UNKNOWN_MESSAGE:
                raise
            return TakeDown(done=True, note="the announcement had already been deleted in Discord")
        return TakeDown(done=True)

    def url(self, remote_id: str) -> str:
        saved = saved_webhook(self.settings)
        return saved.message_url(remote_id) if saved else f"https://discord.com/channels/@me/{remote_id}"

    def audience(self, remote_ids: Sequence[str]) -> AudienceFigures:
        """A webhook reads neither members nor views: Discord has no figures to give."""
        return AudienceFigures(None, {})
