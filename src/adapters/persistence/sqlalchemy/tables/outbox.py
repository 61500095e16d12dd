"""The outbox: domain events stored in the same transaction as the change that raised them.

The worker delivers them later (DESIGN.md §6). A row is pending while ``delivered_at`` and
``dead_at`` are null; the claim columns (``available_at``, ``locked_by``, ``locked_until``,
``last_error``, ``dead_at``) are the same as the scheduled jobs' (``tables/worker.py``), so one
claiming code serves both.
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
from adapters.persistence.sqlalchemy.types import JsonDocument, UtcDateTime


def claim_columns() -> list[sa.Column[object]]:
    """When a row may next be tried, who holds it until when, and how it last failed."""
    return [
        sa.Column("available_at", UtcDateTime(), nullable=True),
        sa.Column("locked_by", sa.String(100), nullable=True),
        sa.Column("locked_until", UtcDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("dead_at", UtcDateTime(), nullable=True),
    ]


outbox = sa.Table(
    "outbox",
    metadata,
    tenant_id_column(),
    id_column(),
    sa.Column("event_name", sa.String(100), nullable=False),
    sa.Column("payload", JsonDocument, nullable=False),
    sa.Column("occurred_at", UtcDateTime(), nullable=False),
    sa.Column("delivered_at", UtcDateTime(), nullable=True),
    sa.Column("attempts", sa.Integer(), nullable=False, server_default=sa.text("0")),
    *claim_columns(),
    tenant_primary_key(),
    sa.CheckConstraint("attempts >= 0", name="attempts_non_negative"),
    partial_index(
        "ix_outbox_dead",
        "dead_at",
        where="dead_at IS NOT NULL",
        info={CROSS_TENANT: "the platform operator lists every tenant's dead letters"},
    ),
    partial_index(
        "ix_outbox_pending",
        "occurred_at",
        "id",
        where="delivered_at IS NULL AND dead_at IS NULL",
        info={CROSS_TENANT: "the worker claims pending messages of every tenant, oldest first"},
    ),
)
