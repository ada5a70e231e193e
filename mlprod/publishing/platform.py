"""The one interface the publish workflow drives: what a platform package must provide.

A *platform* (DESIGN.md) is a place a build is published — ``youtube`` today; ``youtube_short``,
``facebook``, ``instagram`` and ``discord`` next. Each is a package beside ``mlprod/youtube/``
(it imports nothing from its siblings, nor from ``mlprod/jobs/``) with one class implementing
:class:`Platform`. The workflows in ``mlprod/jobs/`` (publish, expire, status, stats) only ever
speak to that class; they own the database records (:class:`~mlprod.store.models.Publication`,
one per build on a platform) and decide what to do, the platform says how it is done there.

Adding a platform
-----------------
1. A package, e.g. ``mlprod/facebook/``, with a class implementing :class:`Platform` whose
   constructor takes ``(settings, db, options: PlatformOptions)``. Sign in lazily: planning and
   ``mlprod status`` never touch the network.
2. One line in the registry, ``mlprod/jobs/platforms.py``:
   ``PlatformName.facebook: "mlprod.facebook.platform:FacebookPlatform"``.
3. Nothing else: no workflow changes. A recipe (or ``--platform``) naming the platform is enough.

What each method is for, in the order the publish workflow calls them
----------------------------------------------------------------------
Planning (pure, no network, before anything is sent; a problem here fails the recipe, not the
batch):

* :meth:`Platform.cut` — which build it takes (YouTube: the landscape cut; a Reel: vertical).
* :meth:`Platform.post_for` — its metadata made from the recipe (:class:`Post`), with mlprod's
  *marker* written into it so that the publication can be found again with an empty database.
* :meth:`Platform.check` — its rules on that metadata (title length, caption limits, hashtags…):
  raise :class:`~mlprod.errors.PublishError` naming the recipe, the platform and the fix, so that
  nothing is uploaded that would be refused. :meth:`Platform.check_files` does the same for what
  is only known once built (duration, size, aspect: 3 to 90 seconds for a Reel).
* :meth:`Platform.steps` — what follows the upload, in order (:class:`~mlprod.states.Step`):
  thumbnail, captions, playlist, links… and ``release`` (the visibility or schedule the recipe
  asks) last, so that a publication shows only when whole.
* :meth:`Platform.estimate` and :meth:`Platform.ensure_budget` — the cost of the planned work in
  the platform's own unit (YouTube quota units; a Reel counts 1 against 30 a day) and a refusal
  up front when today's budget cannot cover the whole batch. Platforms that spend one budget
  (YouTube and its Shorts: one quota) name the same ``budget_pool`` (an optional attribute; by
  default each platform is its own): the batch is checked against the pool's total.

Doing (each call sends one thing and returns what the platform answered; the workflow records it
at once, in its own transaction, so a run stopped anywhere is finished by the next):

* :meth:`Platform.find` — look for an earlier publication carrying this marker (cheaply: YouTube
  reads its uploads playlist). Found: the workflow *adopts* it instead of uploading again.
* :meth:`Platform.upload` — send the build, resumably, with the session persisted through
  :mod:`mlprod.publishing.sessions` (keyed by recipe and platform) so that a killed process
  resumes; never creates a second copy; return the session's id with what the platform made.
  The upload is not public: private, unpublished or draft until ``release``.
* :meth:`Platform.do_step` — one step (attach the thumbnail, the captions, add to the playlist,
  release…); ``check_first`` asks to look before adding when an earlier run may have done it.
* :meth:`Platform.update` — push changed metadata of a publication already there.
* :meth:`Platform.take_down` — a closed job offer leaves the public eye (unlisted, deleted); or,
  where the API cannot, a :class:`TakeDown` telling staff what to remove by hand.
* :meth:`Platform.url` — the link people open.
* :meth:`Platform.audience` — followers and views, for ``mlprod stats sync`` and the report.
* :meth:`Platform.budget` — today's figures for the batch summary (None: no budget to show).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from mlprod.recipe import LoadedRecipe
from mlprod.states import Format, PlatformName, Privacy, PublicationState, PublishAction, Step, VideoKind

Progress = Callable[[int, int], None]
"""Called with (bytes acknowledged, total) while a file goes up."""


@dataclass(frozen=True)
class PlatformOptions:
    """What a publish or expire run asks of every platform it opens."""

    quota_budget: int | None = None
    """The daily budget in the platform's unit (YouTube: ``--quota-budget``); None: its default."""
    sleep: Callable[[float], None] | None = None
    """How to wait between retries (tests pass one that does not)."""


@dataclass(frozen=True)
class BuiltFiles:
    """The files of one build that a platform sends."""

    build_id: int | None
    video: Path
    captions: Path | None
    thumbnail: Path | None


class Post(Protocol):
    """A platform's metadata for one publication, made from the recipe by :meth:`Platform.post_for`.

    Each platform has its own class (YouTube: a snippet and a status); the workflow reads only this.
    """

    @property
    def title(self) -> str: ...

    @property
    def privacy(self) -> Privacy: ...

    @property
    def publish_at(self) -> dt.datetime | None: ...

    @property
    def playlist(self) -> str | None: ...

    def fingerprint(self) -> str:
        """A hash of what mlprod sets (the marker left out), to tell whether an update has anything
        to push."""
        ...

    def settled(self, now: dt.datetime) -> Post:
        """This post once its schedule has passed by ``now`` (the platform made it public then):
        what a publication already there is compared with."""
        ...


@dataclass(frozen=True)
class Remote:
    """What a platform holds for one publication, as it answered."""

    remote_id: str
    url: str
    privacy: Privacy
    publish_at: dt.datetime | None = None
    playlist_id: str | None = None
    uploaded_at: dt.datetime | None = None
    done: tuple[Step, ...] = ()
    """Steps the platform shows as done already (an adopted publication: captions, release…)."""


@dataclass(frozen=True)
class Uploaded:
    """An upload the platform confirmed: the publication it made and the session that sent it."""

    remote: Remote
    session_id: int | None
    """The :class:`~mlprod.store.models.UploadSession` row, completed with the publication's record."""
    recovered: bool = False
    """The platform had finished it in an earlier run that stopped before recording it."""


@dataclass(frozen=True)
class PublicationView:
    """What the database holds of one publication, as the platform methods read it."""

    id: int
    recipe: str
    platform: PlatformName
    remote_id: str
    kind: VideoKind
    title: str
    state: PublicationState
    missing: tuple[Step, ...]
    privacy: Privacy
    publish_at: dt.datetime | None
    playlist_id: str | None
    offer_closes: dt.date | None
    metadata_hash: str | None
    build_id: int | None
    expired_at: dt.datetime | None = None
    url: str | None = None


@dataclass(frozen=True)
class StepOutcome:
    """One step's result: ``done`` False keeps it missing (tried again next run), with a warning."""

    done: bool = True
    warning: str | None = None
    playlist_id: str | None = None
    privacy: Privacy | None = None
    publish_at: dt.datetime | None = None


@dataclass(frozen=True)
class TakeDown:
    """What became of a closed offer's publication: taken down, or to remove by hand (and how)."""

    done: bool
    note: str = ""
    by_hand: str | None = None
    """Set when the API cannot take it down: what staff must do, in French or plain English."""


@dataclass(frozen=True)
class Budget:
    """Today's figures in the platform's unit, for the batch summary."""

    spent_now: int
    used_today: int
    limit: int
    unit: str = "units"
    note: str = ""
    warning: str | None = None
    """Something the user must know about these figures (an estimate, a count that may be low)."""


@dataclass(frozen=True)
class AudienceFigures:
    """Followers now (None when the platform hides them) and views per publication id."""

    followers: int | None
    views: Mapping[str, int] = field(default_factory=dict)


class Platform(Protocol):
    """One place to publish; see the module docstring for what each method is for."""

    name: PlatformName
    label: str
    """How messages name it: "YouTube", "Facebook"…"""

    def cut(self, loaded: LoadedRecipe, chosen: Format | None) -> Format: ...

    def post_for(self, loaded: LoadedRecipe, marker: str, *, closed_on: dt.date | None = None) -> Post: ...

    def check(self, post: Post, where: str, now: dt.datetime) -> None: ...

    def check_files(self, files: BuiltFiles, where: str) -> None: ...

    def steps(self, post: Post) -> tuple[Step, ...]: ...

    def estimate(self, action: PublishAction, post: Post, steps: Sequence[Step]) -> int: ...

    def ensure_budget(self, needed: int, now: dt.datetime) -> None: ...

    def budget(self, now: dt.datetime) -> Budget | None: ...

    def find(self, marker: str) -> Remote | None: ...

    def upload(self, key: str, files: BuiltFiles, post: Post, progress: Progress | None) -> Uploaded: ...

    def do_step(self, step: Step, publication: PublicationView, post: Post, files: BuiltFiles | None,
                *, check_first: bool) -> StepOutcome: ...

    def update(self, publication: PublicationView, post: Post) -> Remote: ...

    def take_down(self, publication: PublicationView, closed_on: dt.date) -> TakeDown: ...

    def url(self, remote_id: str) -> str: ...

    def audience(self, remote_ids: Sequence[str]) -> AudienceFigures: ...
