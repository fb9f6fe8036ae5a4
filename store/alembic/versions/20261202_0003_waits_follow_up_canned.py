"""Honest waits (promised vs actual per handoff), follow-up contacts and resume links for
customers who left the website chat, canned replies in the database.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

CONVERSATION_COLUMNS = (
    sa.Column("follow_up_via", sa.String(length=16), nullable=True),
    sa.Column("follow_up_address", sa.String(length=254), nullable=True),
    sa.Column("follow_up_consent_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("widget_seen_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("customer_reached_seq", sa.Integer(), nullable=False, server_default="0"),
)
HANDOFF_COLUMNS = (
    sa.Column("predicted_wait_seconds", sa.Integer(), nullable=True),
    sa.Column("predicted_back_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
)


def _inspector() -> sa.engine.reflection.Inspector:
    return sa.inspect(op.get_bind())


def _add_missing(table: str, columns: tuple[sa.Column, ...]) -> None:
    # A database made with metadata.create_all (adopted by store.migrate, which stamps it
    # at 0001) already has these columns: add only what is not there.
    present = {column["name"] for column in _inspector().get_columns(table)}
    missing = [column for column in columns if column.name not in present]
    if missing:
        with op.batch_alter_table(table) as batch:
            for column in missing:
                batch.add_column(column.copy())


def upgrade() -> None:
    _add_missing("conversations", CONVERSATION_COLUMNS)
    _add_missing("handoffs", HANDOFF_COLUMNS)
    if not _inspector().has_table("resume_links"):
        _resume_links()
    if not _inspector().has_table("canned_replies"):
        _canned_replies()


def _resume_links() -> None:
    op.create_table(
        "resume_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index(op.f("ix_resume_links_conversation_id"), "resume_links",
                    ["conversation_id"])


def _canned_replies() -> None:
    op.create_table(
        "canned_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("key", sa.String(length=64), nullable=True),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("title", sa.String(length=80), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["agent_id"], ["agents.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key", "language", name="uq_canned_reply_key"),
    )
    op.create_index(op.f("ix_canned_replies_agent_id"), "canned_replies", ["agent_id"])


def downgrade() -> None:
    op.drop_table("canned_replies")
    op.drop_table("resume_links")
    with op.batch_alter_table("handoffs") as batch:
        for column in HANDOFF_COLUMNS:
            batch.drop_column(column.name)
    with op.batch_alter_table("conversations") as batch:
        for column in CONVERSATION_COLUMNS:
            batch.drop_column(column.name)
