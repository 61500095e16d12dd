"""Tables of the identity context."""

from __future__ import annotations

import sqlalchemy as sa

from adapters.persistence.sqlalchemy.metadata import (
    id_column,
    metadata,
    tenant_id_column,
    tenant_primary_key,
    version_column,
)
from adapters.persistence.sqlalchemy.types import UtcDateTime

residents = sa.Table(
    "residents",
    metadata,
    tenant_id_column(),
    id_column(),
    sa.Column("phone", sa.String(20), nullable=False),
    sa.Column("name", sa.String(40), nullable=False),
    sa.Column("phone_verified_at", UtcDateTime(), nullable=True),
    sa.Column("wechat_openid", sa.String(128), nullable=True),
    sa.Column("alipay_user_id", sa.String(128), nullable=True),
    sa.Column("disabled", sa.Boolean(), nullable=False),
    sa.Column("disabled_reason", sa.String(200), nullable=True),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    version_column(),
    tenant_primary_key(),
    sa.UniqueConstraint("tenant_id", "phone"),
    sa.UniqueConstraint("tenant_id", "wechat_openid"),
    sa.UniqueConstraint("tenant_id", "alipay_user_id"),
    sa.CheckConstraint("disabled OR disabled_reason IS NULL", name="reason_only_when_disabled"),
)
