"""Usage figures: one row per (day, community, feature, visitor hash) — the hash is the keyed
daily HMAC of ``estate_core.engagement.usage``, never a resident id. The primary key makes a
repeated visit a no-op (``ON CONFLICT DO NOTHING``) and serves the report, which reads one
community's days in a range and counts per day and feature."""

from __future__ import annotations

import sqlalchemy as sa

from adapters.persistence.sqlalchemy.metadata import metadata, tenant_id_column
from adapters.persistence.sqlalchemy.types import str_enum
from estate_core.engagement.usage import Feature

daily_visitors = sa.Table(
    "daily_visitors",
    metadata,
    tenant_id_column(),
    sa.Column("community_id", sa.Uuid(), nullable=False),
    sa.Column("day", sa.Date(), nullable=False),
    sa.Column("feature", str_enum(Feature, "feature"), nullable=False),
    sa.Column("visitor", sa.String(32), nullable=False),
    sa.PrimaryKeyConstraint("tenant_id", "community_id", "day", "feature", "visitor"),
)
