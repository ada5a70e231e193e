"""publications: one generic record per build on a platform, instead of YouTube-only ``videos``

Each ``videos`` row becomes a ``publications`` row (platform youtube): its YouTube id as
``remote_id``; its thumbnail and captions flags as the ``missing`` steps;
``expired`` when ``mlprod expire`` unlisted it, else ``scheduled`` or ``published``. Upload
sessions name their platform, and the platform's id of the finished upload is ``remote_id``.

Revision ID: 0007_publications
Revises: 0001
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0007_publications"
down_revision = "0001"
branch_labels = None
depends_on = None

WATCH_URL = "https://www.youtube.com/watch?v={}"


def _publications_table() -> sa.Table:
    return op.create_table(
        "publications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipe", sa.String(length=500), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("remote_id", sa.String(length=100), nullable=False),
        sa.Column("build_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("missing", sa.JSON(), nullable=False),
        sa.Column("privacy", sa.String(length=20), nullable=False),
        sa.Column("publish_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("url", sa.String(length=500), nullable=True),
        sa.Column("playlist_id", sa.String(length=100), nullable=True),
        sa.Column("offer_closes", sa.Date(), nullable=True),
        sa.Column("metadata_hash", sa.String(length=64), nullable=True),
        sa.Column("marker", sa.String(length=64), nullable=True),
        sa.Column("adopted", sa.Boolean(), nullable=False),
        sa.Column("expired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["build_id"], ["builds.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("platform", "remote_id"),
    )


class _Row:
    """Attribute access to a row read as a mapping; SQLite's text dates parsed."""

    DATES = frozenset({"publish_at", "expired_at", "published_at", "updated_at"})

    def __init__(self, row: Any) -> None:
        self._row = row

    def __getattr__(self, name: str) -> Any:
        value = self._row[name]
        if name in self.DATES and isinstance(value, str):
            return dt.datetime.fromisoformat(value)
        if name == "offer_closes" and isinstance(value, str):
            return dt.date.fromisoformat(value)
        return value


def _state(row: Any, now: dt.datetime) -> str:
    if row.expired_at is not None:
        return "expired"
    publish_at = row.publish_at
    if publish_at is not None and publish_at.tzinfo is None:
        publish_at = publish_at.replace(tzinfo=dt.UTC)
    if row.privacy == "private" and publish_at is not None and publish_at > now:
        return "scheduled"
    return "published"


def _missing(row: Any) -> list[str]:
    if row.expired_at is not None:
        return []
    # a playlist the recipe asks and the video is not in yet is seen when publishing: not kept here
    missing = [] if row.thumbnail_done else ["thumbnail"]
    return missing + ([] if row.captions_done else ["captions"])


def upgrade() -> None:
    publications = _publications_table()
    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_publications_recipe"), ["recipe"], unique=False)
    conn = op.get_bind()
    now = dt.datetime.now(dt.UTC)
    videos = conn.execute(sa.text("SELECT * FROM videos ORDER BY id")).mappings().all()
    rows = []
    for video in videos:
        row = _Row(video)
        rows.append({
            "id": row.id, "recipe": row.recipe, "platform": "youtube", "remote_id": row.youtube_id,
            "build_id": row.build_id, "kind": row.kind, "title": row.title, "state": _state(row, now),
            "missing": _missing(row), "privacy": row.privacy, "publish_at": row.publish_at,
            "url": WATCH_URL.format(row.youtube_id), "playlist_id": row.playlist_id,
            "offer_closes": row.offer_closes, "metadata_hash": row.metadata_hash, "marker": None,
            "adopted": False, "expired_at": row.expired_at, "published_at": row.published_at,
            "updated_at": row.updated_at})
    if rows:
        op.bulk_insert(publications, rows)
    with op.batch_alter_table("videos", schema=None) as batch_op:
        batch_op.drop_index("ix_videos_recipe")
    op.drop_table("videos")
    with op.batch_alter_table("upload_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("platform", sa.String(length=20), nullable=False,
                                      server_default="youtube"))
        batch_op.alter_column("youtube_id", new_column_name="remote_id", existing_type=sa.String(length=64),
                              type_=sa.String(length=100), existing_nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("upload_sessions", schema=None) as batch_op:
        batch_op.alter_column("remote_id", new_column_name="youtube_id", existing_type=sa.String(length=100),
                              type_=sa.String(length=64), existing_nullable=True)
        batch_op.drop_column("platform")
    op.create_table(
        "videos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipe", sa.String(length=500), nullable=False),
        sa.Column("youtube_id", sa.String(length=64), nullable=False),
        sa.Column("build_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("privacy", sa.String(length=20), nullable=False),
        sa.Column("publish_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("playlist_id", sa.String(length=64), nullable=True),
        sa.Column("offer_closes", sa.Date(), nullable=True),
        sa.Column("metadata_hash", sa.String(length=64), nullable=True),
        sa.Column("thumbnail_done", sa.Boolean(), nullable=False),
        sa.Column("captions_done", sa.Boolean(), nullable=False),
        sa.Column("expired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["build_id"], ["builds.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("youtube_id"),
    )
    with op.batch_alter_table("videos", schema=None) as batch_op:
        batch_op.create_index("ix_videos_recipe", ["recipe"], unique=False)
    op.execute(
        "INSERT INTO videos (id, recipe, youtube_id, build_id, kind, title, privacy, publish_at,"
        " playlist_id, offer_closes, metadata_hash, thumbnail_done, captions_done, expired_at,"
        " published_at, updated_at)"
        " SELECT id, recipe, remote_id, build_id, kind, title, privacy, publish_at, playlist_id,"
        " offer_closes, metadata_hash, true, true, expired_at, published_at, updated_at"
        " FROM publications WHERE platform = 'youtube'")
    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_publications_recipe"))
    op.drop_table("publications")
