"""Identity residents, properties, households and their members, and the outbox.

Revision ID: 0001
Revises:
Create Date: 2026-03-15

Written by hand, like every CHECK constraint in this set: enum columns are VARCHARs whose valid
values a CHECK lists, money columns (later revisions) have CHECKs on their sign. Migrations use
plain SQLAlchemy types, never the application's, so they stay as they were written.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIME = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def sort_text(length: int) -> sa.types.TypeEngine[str]:
    return sa.String(length).with_variant(sa.String(length, collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "residents",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("phone", sa.String(20), nullable=False),
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("phone_verified_at", UTC_TIME, nullable=True),
        sa.Column("wechat_openid", sa.String(128), nullable=True),
        sa.Column("alipay_user_id", sa.String(128), nullable=True),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("disabled_reason", sa.String(200), nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_residents")),
        sa.UniqueConstraint("tenant_id", "phone", name=op.f("uq_residents_tenant_id_phone")),
        sa.UniqueConstraint(
            "tenant_id", "wechat_openid", name=op.f("uq_residents_tenant_id_wechat_openid")
        ),
        sa.UniqueConstraint(
            "tenant_id", "alipay_user_id", name=op.f("uq_residents_tenant_id_alipay_user_id")
        ),
        sa.CheckConstraint(
            "disabled OR disabled_reason IS NULL",
            name=op.f("ck_residents_reason_only_when_disabled"),
        ),
    )
    op.create_table(
        "properties",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("community_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("building", sort_text(40), nullable=False),
        sa.Column("unit", sort_text(40), nullable=False),
        sa.Column("room", sort_text(40), nullable=False),
        sa.Column("area", sa.Numeric(10, 2), nullable=False),
        sa.Column("owner_name", sa.String(40), nullable=True),
        sa.Column("owner_phone", sa.String(20), nullable=True),
        sa.Column("billing_start", sa.Date(), nullable=True),
        sa.Column("billing_end", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_properties")),
        sa.UniqueConstraint(
            "tenant_id",
            "community_id",
            "building",
            "unit",
            "room",
            name=op.f("uq_properties_tenant_id_community_id_building_unit_room"),
        ),
        sa.CheckConstraint(
            "kind IN ('residence', 'parking_space', 'shop')", name=op.f("ck_properties_kind")
        ),
        sa.CheckConstraint("area >= 0", name=op.f("ck_properties_area_non_negative")),
        sa.CheckConstraint(
            "(owner_name IS NULL) = (owner_phone IS NULL)",
            name=op.f("ck_properties_owner_of_record_complete"),
        ),
        sa.CheckConstraint(
            "billing_start IS NULL OR billing_end IS NULL OR billing_start <= billing_end",
            name=op.f("ck_properties_billing_period_ordered"),
        ),
    )
    op.create_table(
        "households",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("community_id", sa.Uuid(), nullable=False),
        sa.Column("property_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_households")),
        sa.UniqueConstraint(
            "tenant_id", "property_id", name=op.f("uq_households_tenant_id_property_id")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "property_id"],
            ["properties.tenant_id", "properties.id"],
            name=op.f("fk_households_tenant_id_property_id_properties"),
            deferrable=True,
            initially="DEFERRED",
        ),
    )
    op.create_table(
        "household_members",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("resident_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("since", UTC_TIME, nullable=False),
        sa.Column("lease_end", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint(
            "tenant_id", "household_id", "resident_id", name=op.f("pk_household_members")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "household_id"],
            ["households.tenant_id", "households.id"],
            name=op.f("fk_household_members_tenant_id_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "resident_id"],
            ["residents.tenant_id", "residents.id"],
            name=op.f("fk_household_members_tenant_id_resident_id_residents"),
            deferrable=True,
            initially="DEFERRED",
        ),
        sa.CheckConstraint(
            "role IN ('owner', 'family', 'tenant')", name=op.f("ck_household_members_role")
        ),
        sa.CheckConstraint(
            "lease_end IS NULL OR role = 'tenant'",
            name=op.f("ck_household_members_lease_end_only_for_tenants"),
        ),
    )
    op.create_index(
        "ix_household_members_tenant_id_resident_id",
        "household_members",
        ["tenant_id", "resident_id"],
    )
    op.create_index(
        "uq_household_members_one_owner",
        "household_members",
        ["tenant_id", "household_id"],
        unique=True,
        sqlite_where=sa.text("role = 'owner'"),
        postgresql_where=sa.text("role = 'owner'"),
    )
    op.create_table(
        "outbox",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("event_name", sa.String(100), nullable=False),
        sa.Column("payload", JSON, nullable=False),
        sa.Column("occurred_at", UTC_TIME, nullable=False),
        sa.Column("delivered_at", UTC_TIME, nullable=True),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_outbox")),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_outbox_attempts_non_negative")),
    )
    op.create_index(
        "ix_outbox_pending",
        "outbox",
        ["occurred_at", "id"],
        sqlite_where=sa.text("delivered_at IS NULL"),
        postgresql_where=sa.text("delivered_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_table("outbox")
    op.drop_table("household_members")
    op.drop_table("households")
    op.drop_table("properties")
    op.drop_table("residents")
