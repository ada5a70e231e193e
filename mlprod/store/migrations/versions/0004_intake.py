"""intake: the employer's contact person, review date, what probing found in each file

Revision ID: 0004_intake
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_intake"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("contact_person", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("submission_files", schema=None) as batch_op:
        batch_op.add_column(sa.Column("media_format", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("duration", sa.Double(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("submission_files", schema=None) as batch_op:
        batch_op.drop_column("duration")
        batch_op.drop_column("media_format")
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_column("reviewed_at")
        batch_op.drop_column("contact_person")
