"""The "awaiting reply" marker on a customer message whose bot turn has not finished, and
the button payload the bot received for it (so another gateway can finish the turn).

Revision ID: 0004
Revises: 0002
Create Date: 2026-12-03 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A database made with metadata.create_all (adopted by store.migrate, which stamps it
    # at 0001) already has the columns.
    present = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("messages")}
    if "reply_pending_until" in present:
        return
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("reply_pending_until", sa.DateTime(timezone=True),
                                   nullable=True))
        batch.add_column(sa.Column("payload", sa.String(length=500), nullable=True))
        batch.create_index("ix_messages_reply_pending_until", ["reply_pending_until"])


def downgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.drop_index("ix_messages_reply_pending_until")
        batch.drop_column("payload")
        batch.drop_column("reply_pending_until")
