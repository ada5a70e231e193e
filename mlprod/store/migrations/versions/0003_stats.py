"""statistics: sync state, channel videos and playlists, video metrics by day

Revision ID: 0003_stats
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_stats"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stats_sync_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.String(length=64), nullable=False),
        sa.Column("channel_title", sa.String(length=200), nullable=False),
        sa.Column("channel_started", sa.Date(), nullable=False),
        sa.Column("synced_through", sa.Date(), nullable=True),
        sa.Column("subscribers_before", sa.BigInteger(), nullable=False),
        sa.Column("subscribers_before_margin", sa.Integer(), nullable=False),
        sa.Column("last_sync_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("channel_id"),
    )
    op.create_table(
        "channel_videos",
        sa.Column("youtube_id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("youtube_id"),
    )
    op.create_table(
        "channel_playlists",
        sa.Column("playlist_id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("playlist_id"),
    )
    with op.batch_alter_table("video_metrics", schema=None) as batch_op:
        batch_op.create_index("ix_video_metrics_day", ["day"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("video_metrics", schema=None) as batch_op:
        batch_op.drop_index("ix_video_metrics_day")
    op.drop_table("channel_playlists")
    op.drop_table("channel_videos")
    op.drop_table("stats_sync_state")
