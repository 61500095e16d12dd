"""The worker: claim columns on the outbox, scheduled job slots, message deliveries, the inbox.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04

Written by hand from ``tables/outbox.py`` and ``tables/worker.py``, which say why each key and
index exists. The outbox's pending index now leaves dead letters out; SMS codes get an index
on their expiry for the purge job.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIME = sa.DateTime(timezone=True)
CLAIM_COLUMNS = ("available_at", "locked_by", "locked_until", "last_error", "dead_at")


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _claim_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("available_at", UTC_TIME, nullable=True),
        sa.Column("locked_by", sa.String(100), nullable=True),
        sa.Column("locked_until", UTC_TIME, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("dead_at", UTC_TIME, nullable=True),
    ]


def _partial_index(name: str, table: str, columns: list[str], where: str) -> None:
    condition = sa.text(where)
    op.create_index(name, table, columns, sqlite_where=condition, postgresql_where=condition)


def upgrade() -> None:
    op.drop_index("ix_outbox_pending", table_name="outbox")
    with op.batch_alter_table("outbox") as batch:
        for column in _claim_columns():
            batch.add_column(column)
    pending = "delivered_at IS NULL AND dead_at IS NULL"
    _partial_index("ix_outbox_pending", "outbox", ["occurred_at", "id"], pending)
    _partial_index("ix_outbox_dead", "outbox", ["dead_at"], "dead_at IS NOT NULL")
    op.create_table(
        "jobs",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("slot", sa.String(100), nullable=False),
        sa.Column("payload", _json(), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("done_at", UTC_TIME, nullable=True),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        *_claim_columns(),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_jobs")),
        sa.UniqueConstraint("tenant_id", "name", "slot", name=op.f("uq_jobs_tenant_id_name_slot")),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_jobs_attempts_non_negative")),
    )
    _partial_index(
        "ix_jobs_pending", "jobs", ["available_at", "id"], "done_at IS NULL AND dead_at IS NULL"
    )
    _partial_index("ix_jobs_dead", "jobs", ["dead_at"], "dead_at IS NOT NULL")
    op.create_table(
        "message_deliveries",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("recipient", sa.String(100), nullable=False),
        sa.Column("sent_at", UTC_TIME, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "idempotency_key", name=op.f("pk_message_deliveries")),
    )
    op.create_table(
        "inbox_messages",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("resident_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("source_key", sa.String(200), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("read_at", UTC_TIME, nullable=True),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_inbox_messages")),
        sa.UniqueConstraint(
            "tenant_id", "source_key", name=op.f("uq_inbox_messages_tenant_id_source_key")
        ),
    )
    op.create_index("ix_sms_codes_tenant_id_expires_at", "sms_codes", ["tenant_id", "expires_at"])
    op.create_index(
        "ix_inbox_messages_tenant_id_resident_id_created_at",
        "inbox_messages",
        ["tenant_id", "resident_id", "created_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_sms_codes_tenant_id_expires_at", table_name="sms_codes")
    op.drop_table("inbox_messages")
    op.drop_table("message_deliveries")
    op.drop_table("jobs")
    op.drop_index("ix_outbox_dead", table_name="outbox")
    op.drop_index("ix_outbox_pending", table_name="outbox")
    with op.batch_alter_table("outbox") as batch:
        for name in CLAIM_COLUMNS:
            batch.drop_column(name)
    _partial_index("ix_outbox_pending", "outbox", ["occurred_at", "id"], "delivered_at IS NULL")
