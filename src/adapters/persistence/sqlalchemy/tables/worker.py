"""The worker's own tables: scheduled job slots, message deliveries and the residents' inbox.

- ``jobs``: one row per (job name, slot) — the unique key is what makes a slot run once however
  many workers find it due; claimed and retried like outbox rows (same claim columns).
- ``message_deliveries``: one row per message sent outside the database (SMS, WeChat, console),
  keyed by its idempotency key and committed right after the send, so a job run again after a
  crash does not send it again.
- ``inbox_messages``: the in-app inbox 站内信, always written, in the transaction that marks the
  event delivered; ``source_key`` (event and recipient) keeps it to one message per event.
"""

from __future__ import annotations

import sqlalchemy as sa

from adapters.persistence.sqlalchemy.metadata import (
    CROSS_TENANT,
    id_column,
    metadata,
    partial_index,
    tenant_id_column,
    tenant_primary_key,
)
from adapters.persistence.sqlalchemy.tables.outbox import claim_columns
from adapters.persistence.sqlalchemy.types import JsonDocument, UtcDateTime

KEY_MAX = 200

jobs = sa.Table(
    "jobs",
    metadata,
    tenant_id_column(),
    id_column(),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("slot", sa.String(100), nullable=False),
    sa.Column("payload", JsonDocument, nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("done_at", UtcDateTime(), nullable=True),
    sa.Column("attempts", sa.Integer(), nullable=False, server_default=sa.text("0")),
    *claim_columns(),
    tenant_primary_key(),
    sa.UniqueConstraint("tenant_id", "name", "slot"),
    sa.CheckConstraint("attempts >= 0", name="attempts_non_negative"),
    partial_index(
        "ix_jobs_pending",
        "available_at",
        "id",
        where="done_at IS NULL AND dead_at IS NULL",
        info={CROSS_TENANT: "the worker claims due jobs of every tenant, earliest first"},
    ),
    partial_index(
        "ix_jobs_dead",
        "dead_at",
        where="dead_at IS NOT NULL",
        info={CROSS_TENANT: "the platform operator lists every tenant's dead letters"},
    ),
)

message_deliveries = sa.Table(
    "message_deliveries",
    metadata,
    tenant_id_column(),
    sa.Column("idempotency_key", sa.String(KEY_MAX), nullable=False),
    sa.Column("channel", sa.String(32), nullable=False),
    sa.Column("recipient", sa.String(100), nullable=False),
    sa.Column("sent_at", UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint("tenant_id", "idempotency_key"),
)

inbox_messages = sa.Table(
    "inbox_messages",
    metadata,
    tenant_id_column(),
    id_column(),
    sa.Column("resident_id", sa.Uuid(), nullable=False),
    sa.Column("kind", sa.String(64), nullable=False),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("body", sa.Text(), nullable=False),
    sa.Column("source_key", sa.String(KEY_MAX), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("read_at", UtcDateTime(), nullable=True),
    tenant_primary_key(),
    sa.UniqueConstraint("tenant_id", "source_key"),
    sa.Index(
        "ix_inbox_messages_tenant_id_resident_id_created_at",
        "tenant_id",
        "resident_id",
        "created_at",
    ),
)
