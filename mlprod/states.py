"""The closed sets mlprod works with — kinds, statuses, states, platforms — as StrEnums.

They sit at the bottom of the package so that the database models, the recipe, the platform
packages and the workflows share one definition that mypy checks; a column typed with one of them
reads back as the enum (see ``mlprod.store.models.enum_column``). Each value is also what the
database and ``--json`` output hold, so renaming a member's value needs a migration.
"""

from __future__ import annotations

from enum import StrEnum


class VideoKind(StrEnum):
    """What a recipe makes (its ``kind:``)."""

    tutorial = "tutorial"
    job_offer = "job_offer"


class LabelKind(StrEnum):
    """Staff's word on any channel video's kind (`mlprod videos set --kind`): a recipe's kinds, or
    neither — the report's "Autre vidéo"."""

    tutorial = "tutorial"
    job_offer = "job_offer"
    other = "other"


class Privacy(StrEnum):
    """Who sees a publication: a recipe's ``publish.privacy``, and what a platform holds now."""

    public = "public"
    unlisted = "unlisted"
    private = "private"


class Format(StrEnum):
    """A build's picture: landscape 1920×1080, vertical 1080×1920, square 1080×1080."""

    landscape = "landscape"
    vertical = "vertical"
    square = "square"

    @property
    def size(self) -> tuple[int, int]:
        return {"landscape": (1920, 1080), "vertical": (1080, 1920), "square": (1080, 1080)}[self.value]


class Quality(StrEnum):
    """draft (540p, fast), standard, master."""

    draft = "draft"
    standard = "standard"
    master = "master"


class BuildStatus(StrEnum):
    done = "done"
    failed = "failed"


class UploadStatus(StrEnum):
    """A resumable upload session's life: active until the platform holds the file."""

    active = "active"
    completed = "completed"    # the platform made the video; its publication is recorded
    expired = "expired"        # the platform forgot the session (404/410): a new one was opened
    abandoned = "abandoned"    # made for another file (another build): never resumed


class SubmissionStatus(StrEnum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"


class PlatformName(StrEnum):
    """Where a build is published (DESIGN.md, "platform"); each has a package behind one interface."""

    youtube = "youtube"
    youtube_short = "youtube_short"
    facebook = "facebook"
    instagram = "instagram"
    discord = "discord"

    @property
    def label(self) -> str:
        """How messages and the report name it."""
        return {"youtube": "YouTube", "youtube_short": "YouTube Shorts", "facebook": "Facebook",
                "instagram": "Instagram", "discord": "Discord"}[self.value]


class PublicationState(StrEnum):
    """Where one publication stands on its platform."""

    incomplete = "incomplete"    # on the platform, not visible yet: steps are missing (``missing``)
    published = "published"      # whole, with the visibility the recipe asks
    scheduled = "scheduled"      # whole, private until its publish_at, public from then
    expired = "expired"          # a closed job offer, taken down (unlisted, deleted) by mlprod
    remove_by_hand = "remove_by_hand"  # a closed offer the platform's API cannot take down


class Step(StrEnum):
    """What follows an upload, one at a time, each recorded as soon as the platform confirms it.

    A platform says which of these its publications need (``Platform.steps``); ``release`` —
    the visibility or schedule the recipe asks — always comes last, so nothing shows half made.
    """

    thumbnail = "thumbnail"
    captions = "captions"
    playlist = "playlist"
    link = "link"          # cross-links between publications (a Short and its long video)
    release = "release"


class PublishAction(StrEnum):
    """What the publish workflow decided for one recipe on one platform, before sending anything."""

    upload = "upload"      # nothing there yet (or found by its marker: adopted)
    finish = "finish"      # there, with steps missing
    update = "update"      # there, its metadata changed and --update asks to push it
    nothing = "nothing"    # there and whole
