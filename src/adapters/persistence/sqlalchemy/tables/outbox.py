"""The outbox: domain events stored in the same transaction as the change that raised them.

The worker delivers them later (DESIGN.md §6). A row is pending while ``delivered_at`` is null.
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
    tenant_primary_key(),
    sa.CheckConstraint("attempts >= 0", name="attempts_non_negative"),
    partial_index(
        "ix_outbox_pending",
        "occurred_at",
        "id",
        where="delivered_at IS NULL",
        info={CROSS_TENANT: "the worker claims pending messages of every tenant, oldest first"},
    ),
)
