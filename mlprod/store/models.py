"""SQLAlchemy 2.0 typed models. Every change here comes with an Alembic migration.

Closed sets (statuses, kinds, states, platforms) are the StrEnums of :mod:`mlprod.states`: their
columns are plain VARCHARs in the database and read back as enum members (:func:`enum_column`).

Every model that holds one site's records inherits :class:`~mlprod.store.sites.SiteMixin` (sessions
see and write their own site's rows only; keys and indexes start with ``site``). Not a site's:
``submission_numbers``, the installation's sequence of submission numbers (sub-2026-0042 names one
submission in the whole region).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from mlprod.states import (
    BuildStatus,
    Format,
    LabelKind,
    PlatformName,
    Privacy,
    PublicationState,
    Quality,
    SubmissionStatus,
    UploadStatus,
    VideoKind,
)
from mlprod.store.sites import SiteMixin, site_key


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def enum_column(enum: type[StrEnum], length: int = 20) -> Enum:
    """A VARCHAR holding the members' values (no CHECK constraint, no native type: adding a
    member needs no migration), read back as members of ``enum``."""
    return Enum(enum, native_enum=False, create_constraint=False, length=length,
                values_callable=lambda members: [m.value for m in members], validate_strings=True)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dt.datetime: DateTime(timezone=True),
        dict[str, Any]: JSON,
    }


class Build(SiteMixin, Base):
    """One rendered artifact for one recipe and one format."""

    __tablename__ = "builds"
    __table_args__ = (Index("ix_builds_site_recipe", "site", "recipe"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    recipe: Mapped[str] = mapped_column(String(500))  # path relative to the workspace
    slug: Mapped[str] = mapped_column(String(200))
    format: Mapped[Format] = mapped_column(enum_column(Format))
    quality: Mapped[Quality] = mapped_column(enum_column(Quality))
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[BuildStatus] = mapped_column(enum_column(BuildStatus))
    video_path: Mapped[str | None] = mapped_column(String(1000))
    captions_path: Mapped[str | None] = mapped_column(String(1000))
    thumbnail_path: Mapped[str | None] = mapped_column(String(1000))
    duration: Mapped[float | None]
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    render_seconds: Mapped[float | None]
    reused: Mapped[bool] = mapped_column(default=False)
    error: Mapped[str | None] = mapped_column(Text)
    renderer_version: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Publication(SiteMixin, Base):
    """One build on one platform (DESIGN.md, "publication"): its id there, state, schedule, link.

    Created when the platform confirms the upload (or when mlprod finds the video it published
    earlier by its marker: ``adopted``). ``missing`` lists the :class:`~mlprod.states.Step` values
    still to do, in order; each is removed in its own transaction as soon as it is done, and the
    state moves from ``incomplete`` to ``published`` or ``scheduled`` with the last one.
    """

    __tablename__ = "publications"
    __table_args__ = (
        UniqueConstraint("site", "platform", "remote_id", name="uq_publications_site_remote_id"),
        Index("ix_publications_site_recipe", "site", "recipe"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    recipe: Mapped[str] = mapped_column(String(500))  # path relative to the workspace
    platform: Mapped[PlatformName] = mapped_column(enum_column(PlatformName))
    remote_id: Mapped[str] = mapped_column(String(100))  # the platform's id: a YouTube video id…
    build_id: Mapped[int | None] = mapped_column(ForeignKey("builds.id", ondelete="SET NULL"))
    kind: Mapped[VideoKind] = mapped_column(enum_column(VideoKind))
    title: Mapped[str] = mapped_column(String(200))
    state: Mapped[PublicationState] = mapped_column(enum_column(PublicationState))
    missing: Mapped[list[str]] = mapped_column(JSON, default=list)  # Step values, in order
    privacy: Mapped[Privacy] = mapped_column(enum_column(Privacy))  # what the platform shows now
    publish_at: Mapped[dt.datetime | None]
    url: Mapped[str | None] = mapped_column(String(500))
    playlist_id: Mapped[str | None] = mapped_column(String(100))  # where the platform has playlists
    offer_closes: Mapped[dt.date | None] = mapped_column(Date)
    metadata_hash: Mapped[str | None] = mapped_column(String(64))
    marker: Mapped[str | None] = mapped_column(String(64))  # what mlprod wrote on it, to find it again
    adopted: Mapped[bool] = mapped_column(default=False)
    expired_at: Mapped[dt.datetime | None]
    published_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    build: Mapped[Build | None] = relationship()


class UploadSession(SiteMixin, Base):
    """A resumable upload in progress, persisted so a killed process resumes instead of restarting."""

    __tablename__ = "upload_sessions"
    __table_args__ = (Index("ix_upload_sessions_site_recipe", "site", "recipe"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    recipe: Mapped[str] = mapped_column(String(500))
    platform: Mapped[PlatformName] = mapped_column(enum_column(PlatformName), default=PlatformName.youtube)
    build_id: Mapped[int | None] = mapped_column(ForeignKey("builds.id", ondelete="SET NULL"))
    session_url: Mapped[str] = mapped_column(Text)
    file_sha256: Mapped[str] = mapped_column(String(64))
    total_bytes: Mapped[int] = mapped_column(BigInteger)
    offset: Mapped[int] = mapped_column(BigInteger, default=0)
    status: Mapped[UploadStatus] = mapped_column(enum_column(UploadStatus), default=UploadStatus.active)
    remote_id: Mapped[str | None] = mapped_column(String(100))  # the platform's id once it made one
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class QuotaSpend(SiteMixin, Base):
    """The quota ledger: units spent per API call, by Pacific-time day (per site: each site's
    channel is signed in through its own Google Cloud project, which has its own quota)."""

    __tablename__ = "quota_ledger"
    __table_args__ = (Index("ix_quota_ledger_site_day", "site", "day"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date)  # America/Los_Angeles
    method: Mapped[str] = mapped_column(String(80))
    units: Mapped[int]
    spent_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ChannelSnapshot(SiteMixin, Base):
    """channels.list statistics on a date (the subscriber count is rounded by YouTube)."""

    __tablename__ = "channel_snapshots"
    __table_args__ = (Index("ix_channel_snapshots_site_day", "site", "day"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    taken_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    day: Mapped[dt.date] = mapped_column(Date)
    subscriber_count: Mapped[int | None] = mapped_column(BigInteger)
    subscriber_count_hidden: Mapped[bool] = mapped_column(default=False)
    view_count: Mapped[int] = mapped_column(BigInteger, default=0)
    video_count: Mapped[int] = mapped_column(default=0)


class DailyMetric(SiteMixin, Base):
    """Channel-wide Analytics figures for one day."""

    __tablename__ = "daily_metrics"
    site: Mapped[str] = site_key()
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    views: Mapped[int] = mapped_column(BigInteger, default=0)
    minutes_watched: Mapped[int] = mapped_column(BigInteger, default=0)
    subscribers_gained: Mapped[int] = mapped_column(default=0)
    subscribers_lost: Mapped[int] = mapped_column(default=0)
    synced_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class VideoMetric(SiteMixin, Base):
    """Per-video Analytics figures for one day (days without any figure for the video have no row)."""

    __tablename__ = "video_metrics"
    __table_args__ = (UniqueConstraint("site", "youtube_id", "day", name="uq_video_metrics_site_video_day"),
                      Index("ix_video_metrics_site_day", "site", "day"))
    id: Mapped[int] = mapped_column(primary_key=True)
    youtube_id: Mapped[str] = mapped_column(String(64))
    day: Mapped[dt.date] = mapped_column(Date)
    views: Mapped[int] = mapped_column(BigInteger, default=0)
    minutes_watched: Mapped[int] = mapped_column(BigInteger, default=0)
    subscribers_gained: Mapped[int] = mapped_column(default=0)
    subscribers_lost: Mapped[int] = mapped_column(default=0)
    synced_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class SyncState(SiteMixin, Base):
    """Where `mlprod stats sync` stands for the channel: one row, advanced with every chunk it stores.

    ``synced_through`` is the last day whose Analytics figures are in ``daily_metrics``; the days after
    it are not delivered by the API yet. ``subscribers_before`` is the channel's count before its first
    Analytics day (0 when the figures cover its whole life); ``subscribers_before_margin`` says by how
    much it may be too low when it had to be deduced from YouTube's rounded count.
    """

    __tablename__ = "stats_sync_state"
    __table_args__ = (UniqueConstraint("site", "channel_id", name="uq_stats_sync_state_site_channel"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(64))
    channel_title: Mapped[str] = mapped_column(String(200), default="")
    channel_started: Mapped[dt.date] = mapped_column(Date)
    synced_through: Mapped[dt.date | None] = mapped_column(Date)
    subscribers_before: Mapped[int] = mapped_column(BigInteger, default=0)
    subscribers_before_margin: Mapped[int] = mapped_column(default=0)
    last_sync_at: Mapped[dt.datetime | None]


class ChannelVideo(SiteMixin, Base):
    """Any video of the channel seen in the statistics, ours or not: its title and publication."""

    __tablename__ = "channel_videos"
    site: Mapped[str] = site_key()
    youtube_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    published_at: Mapped[dt.datetime | None]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ChannelPlaylist(SiteMixin, Base):
    """A playlist of the channel (the theme of the tutorials in it)."""

    __tablename__ = "channel_playlists"
    site: Mapped[str] = site_key()
    playlist_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(200), default="")


class Invitation(SiteMixin, Base):
    """An employer's invitation link (the token is signed; this row allows revoking it)."""

    __tablename__ = "invitations"
    id: Mapped[int] = mapped_column(primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64), unique=True)
    employer: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Submission(SiteMixin, Base):
    """What an employer sent through the web page: offer fields, clips, consent."""

    __tablename__ = "submissions"
    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(40), unique=True)  # sub-2026-0042
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitations.id", ondelete="SET NULL"))
    employer: Mapped[str] = mapped_column(String(200))
    status: Mapped[SubmissionStatus] = mapped_column(enum_column(SubmissionStatus),
                                                     default=SubmissionStatus.pending)
    offer: Mapped[dict[str, Any]] = mapped_column(JSON)
    consent_text: Mapped[str] = mapped_column(Text)
    consent_at: Mapped[dt.datetime]
    reject_reason: Mapped[str | None] = mapped_column(Text)
    recipe: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    contact_person: Mapped[str | None] = mapped_column(Text)  # whom staff call back; never published
    reviewed_at: Mapped[dt.datetime | None]  # when staff approved or rejected it
    # the invitation's id while pending or approved, NULL once rejected: unique, so one invitation
    # has at most one live submission whatever the timing (migration 0006)
    open_invitation_id: Mapped[int | None] = mapped_column(index=True, unique=True)
    files: Mapped[list[SubmissionFile]] = relationship(
        back_populates="submission", cascade="all, delete-orphan", order_by="SubmissionFile.id"
    )


class SubmissionNumber(Base):
    """The last submission number given in a year: taking the next one is an UPDATE of this row."""

    __tablename__ = "submission_numbers"
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last: Mapped[int]


class SubmissionFile(SiteMixin, Base):
    __tablename__ = "submission_files"
    __table_args__ = (Index("ix_submission_files_submission", "submission_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(20))  # clip | logo
    stored_path: Mapped[str] = mapped_column(String(1000))  # relative to the workspace, generated name
    original_name: Mapped[str] = mapped_column(String(500))  # shown, never used as a path
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    media_format: Mapped[str | None] = mapped_column(String(40))  # what probing found: mp4, png, jpeg…
    duration: Mapped[float | None]  # seconds, for clips
    submission: Mapped[Submission] = relationship(back_populates="files")


class VideoLabel(SiteMixin, Base):
    """Staff's word on a channel video (`mlprod videos set`): it wins over what the title suggests.

    ``kind`` None leaves the kind to the other sources; ``theme`` is a theme key of
    mlprod/report/classify.py or staff's own theme name.
    """

    __tablename__ = "video_labels"
    site: Mapped[str] = site_key()
    youtube_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[LabelKind | None] = mapped_column(enum_column(LabelKind))
    theme: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class PlatformFollowers(SiteMixin, Base):
    """A platform's followers on a day (Paris), as `mlprod stats sync` read them: Facebook, Instagram…

    YouTube's subscribers have their own tables (``daily_metrics``, ``channel_snapshots``), made from
    YouTube Analytics; the other platforms give a count now, recorded once a day (the last sync of
    the day wins). ``followers`` is None when the platform hides it.
    """

    __tablename__ = "platform_followers"
    __table_args__ = (UniqueConstraint("site", "platform", "day", name="uq_platform_followers_site_day"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[PlatformName] = mapped_column(enum_column(PlatformName))
    day: Mapped[dt.date] = mapped_column(Date)
    followers: Mapped[int | None] = mapped_column(BigInteger)
    synced_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class PublicationViews(SiteMixin, Base):
    """One publication's views since it was posted (a lifetime total), as read on a day (Paris).

    The views a post brought in a period are the difference between two days' totals.
    """

    __tablename__ = "publication_views"
    __table_args__ = (UniqueConstraint("site", "platform", "remote_id", "day",
                                       name="uq_publication_views_site_remote_id_day"),
                      Index("ix_publication_views_site_day", "site", "day"))
    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[PlatformName] = mapped_column(enum_column(PlatformName))
    remote_id: Mapped[str] = mapped_column(String(100))
    day: Mapped[dt.date] = mapped_column(Date)
    views: Mapped[int] = mapped_column(BigInteger, default=0)
    synced_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
