"""intake once: one live submission per invitation, submission numbers from a counter

Revision ID: 0006_intake_once
Revises: 0001

``submissions.open_invitation_id`` holds the invitation's id while the submission is pending or
approved, NULL once it is rejected; a unique index on it makes the database refuse a second live
submission for one invitation, whatever the timing. ``submission_numbers`` holds the last number
given each year (sub-2026-0042): taking one is an UPDATE, which serialises concurrent submissions.

The unique index (not a constraint) keeps SQLite from rebuilding the submissions table: a rebuild
drops the table, and with foreign keys on that would cascade to submission_files.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "0006_intake_once"
down_revision = "0001"
branch_labels = None
depends_on = None

_PUBLIC_ID = re.compile(r"^sub-(\d{4})-(\d+)$")


def upgrade() -> None:
    op.create_table(
        "submission_numbers",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year"),
    )
    op.add_column("submissions", sa.Column("open_invitation_id", sa.Integer(), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, public_id, invitation_id, status FROM submissions ORDER BY id"))
    highest: dict[int, int] = {}
    newest: dict[int, tuple[int, bool]] = {}  # invitation → (its newest submission, still live)
    for row_id, public_id, invitation_id, status in rows:
        match = _PUBLIC_ID.match(str(public_id))
        if match:
            year, number = int(match.group(1)), int(match.group(2))
            highest[year] = max(highest.get(year, 0), number)
        if invitation_id is not None:
            # the page offers a new form when the newest submission was rejected: the same rule here
            newest[invitation_id] = (row_id, str(getattr(status, "value", status)).lower() != "rejected")
    if highest:
        bind.execute(sa.text("INSERT INTO submission_numbers (year, last) VALUES (:year, :last)"),
                     [{"year": y, "last": n} for y, n in sorted(highest.items())])
    live = [{"id": row_id, "invitation": inv} for inv, (row_id, is_live) in newest.items() if is_live]
    if live:
        bind.execute(sa.text("UPDATE submissions SET open_invitation_id = :invitation WHERE id = :id"), live)
    op.create_index("ix_submissions_open_invitation_id", "submissions", ["open_invitation_id"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_submissions_open_invitation_id", table_name="submissions")
    op.drop_column("submissions", "open_invitation_id")  # SQLite >= 3.35 drops it in place
    op.drop_table("submission_numbers")
