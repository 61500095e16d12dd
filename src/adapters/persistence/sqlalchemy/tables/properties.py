"""Tables of the properties context: properties, households and their members."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from adapters.persistence.sqlalchemy.metadata import (
    CONFLICT_CODE,
    id_column,
    metadata,
    partial_index,
    tenant_foreign_key,
    tenant_id_column,
    tenant_primary_key,
    version_column,
)
from adapters.persistence.sqlalchemy.personal_data import PHONE, EncryptedText
from adapters.persistence.sqlalchemy.types import ExactDecimal, UtcDateTime, str_enum
from estate_core.properties.model import (
    BUILDING_MAX,
    OWNER_NAME_MAX,
    ROOM_MAX,
    UNIT_MAX,
    MemberRole,
    PropertyKind,
)


def sort_text(length: int) -> sa.types.TypeEngine[Any]:
    """Text that keyset pagination sorts on: byte order (collation "C") on PostgreSQL.

    Python, SQLite and PostgreSQL then order the same strings the same way, so a cursor made
    on one page means the same position on every backend, whatever the server's locale.
    """
    return sa.String(length).with_variant(sa.String(length, collation="C"), "postgresql")


properties = sa.Table(
    "properties",
    metadata,
    tenant_id_column(),
    id_column(),
    sa.Column("community_id", sa.Uuid(), nullable=False),
    sa.Column("kind", str_enum(PropertyKind, "kind"), nullable=False),
    sa.Column("building", sort_text(BUILDING_MAX), nullable=False),
    sa.Column("unit", sort_text(UNIT_MAX), nullable=False),
    sa.Column("room", sort_text(ROOM_MAX), nullable=False),
    sa.Column("area", ExactDecimal(10, 2), nullable=False),
    sa.Column("owner_name", sa.String(OWNER_NAME_MAX), nullable=True),
    sa.Column("owner_phone_ciphertext", EncryptedText(PHONE), nullable=True),
    sa.Column("billing_start", sa.Date(), nullable=True),
    sa.Column("billing_end", sa.Date(), nullable=True),
    version_column(),
    tenant_primary_key(),
    sa.UniqueConstraint("tenant_id", "community_id", "building", "unit", "room"),
    sa.CheckConstraint("area >= 0", name="area_non_negative"),
    sa.CheckConstraint(
        "(owner_name IS NULL) = (owner_phone_ciphertext IS NULL)",
        name="owner_of_record_complete",
    ),
    sa.CheckConstraint(
        "billing_start IS NULL OR billing_end IS NULL OR billing_start <= billing_end",
        name="billing_period_ordered",
    ),
)

households = sa.Table(
    "households",
    metadata,
    tenant_id_column(),
    id_column(),
    sa.Column("community_id", sa.Uuid(), nullable=False),
    sa.Column("property_id", sa.Uuid(), nullable=False),
    version_column(),
    tenant_primary_key(),
    sa.UniqueConstraint("tenant_id", "property_id"),
    tenant_foreign_key("property_id", "properties"),
)

household_members = sa.Table(
    "household_members",
    metadata,
    tenant_id_column(),
    sa.Column("household_id", sa.Uuid(), nullable=False),
    sa.Column("resident_id", sa.Uuid(), nullable=False),
    sa.Column("role", str_enum(MemberRole, "role"), nullable=False),
    sa.Column("since", UtcDateTime(), nullable=False),
    sa.Column("lease_end", sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint(
        "tenant_id", "household_id", "resident_id", info={CONFLICT_CODE: "household.already_member"}
    ),
    tenant_foreign_key("household_id", "households", within_aggregate=True, ondelete="CASCADE"),
    tenant_foreign_key("resident_id", "residents"),
    sa.CheckConstraint("lease_end IS NULL OR role = 'tenant'", name="lease_end_only_for_tenants"),
    sa.Index("ix_household_members_tenant_id_resident_id", "tenant_id", "resident_id"),
    partial_index(
        "uq_household_members_one_owner",
        "tenant_id",
        "household_id",
        unique=True,
        where="role = 'owner'",
        info={CONFLICT_CODE: "household.already_bound"},
    ),
)
