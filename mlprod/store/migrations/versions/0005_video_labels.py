"""video labels: staff's kind and theme for a channel video (`mlprod videos set`)

Revision ID: 0005_video_labels
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_video_labels"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "video_labels",
        sa.Column("youtube_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=True),
        sa.Column("theme", sa.String(length=200), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("youtube_id"),
    )


def downgrade() -> None:
    op.drop_table("video_labels")
