"""Community: notices with their audience index and read receipts, activities, visitor passes.

Revision ID: 0004
Revises: 0003
Create Date: 2026-03-16

Written by hand. Besides the enum CHECKs, the CHECKs hold what the domain promises:
an activity's live head count (``people``) within its capacity, a visitor pass's entries within
its maximum, and each state's timestamps present exactly when the state says so. Newest-first
lists have ``DESC`` index columns, so one forward range scan serves ``time DESC, id``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIME = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
NOTICE_STATES = "('draft', 'scheduled', 'published', 'withdrawn')"


def _key(*columns: str) -> list[sa.Column[object]]:
    return [sa.Column(name, sa.Uuid(), nullable=False) for name in columns]


def _reference(table: str, column: str, target: str, *, within: bool = False) -> sa.Constraint:
    """``(tenant_id, column)`` → ``target (tenant_id, id)``, as ``tenant_foreign_key`` makes."""
    return sa.ForeignKeyConstraint(
        ["tenant_id", column],
        [f"{target}.tenant_id", f"{target}.id"],
        name=op.f(f"fk_{table}_tenant_id_{column}_{target}"),
        ondelete="CASCADE" if within else None,
        deferrable=None if within else True,
        initially=None if within else "DEFERRED",
    )


def _notices() -> None:
    op.create_table(
        "notices",
        *_key("tenant_id", "id"),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("title", sa.String(100), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("audience", JSON, nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("publish_at", UTC_TIME, nullable=True),
        sa.Column("published_by", sa.Uuid(), nullable=True),
        sa.Column("published_at", UTC_TIME, nullable=True),
        sa.Column("withdrawn_at", UTC_TIME, nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_notices")),
        sa.CheckConstraint(
            "kind IN ('general', 'urgent', 'holiday')", name=op.f("ck_notices_kind")
        ),
        sa.CheckConstraint(f"state IN {NOTICE_STATES}", name=op.f("ck_notices_state")),
        sa.CheckConstraint(
            "state <> 'scheduled' OR publish_at IS NOT NULL",
            name=op.f("ck_notices_scheduled_has_a_time"),
        ),
        sa.CheckConstraint(
            "state NOT IN ('published', 'withdrawn') OR published_at IS NOT NULL",
            name=op.f("ck_notices_published_has_a_time"),
        ),
        sa.CheckConstraint(
            "(state = 'withdrawn') = (withdrawn_at IS NOT NULL)",
            name=op.f("ck_notices_withdrawn_iff_withdrawn_at"),
        ),
    )
    op.create_index(
        "ix_notices_due",
        "notices",
        ["tenant_id", "publish_at", "id"],
        sqlite_where=sa.text("state = 'scheduled'"),
        postgresql_where=sa.text("state = 'scheduled'"),
    )
    op.create_table(
        "notice_communities",
        *_key("tenant_id", "notice_id", "community_id"),
        sa.Column("targeted", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("published_at", UTC_TIME, nullable=True),
        sa.PrimaryKeyConstraint(
            "tenant_id", "notice_id", "community_id", name=op.f("pk_notice_communities")
        ),
        _reference("notice_communities", "notice_id", "notices", within=True),
        sa.CheckConstraint(f"state IN {NOTICE_STATES}", name=op.f("ck_notice_communities_state")),
    )
    op.create_index(
        "ix_notice_communities_staff_list",
        "notice_communities",
        ["tenant_id", "community_id", sa.column("created_at").desc(), "notice_id"],
    )
    op.create_index(
        "ix_notice_communities_resident_list",
        "notice_communities",
        ["tenant_id", "community_id", sa.column("published_at").desc(), "notice_id"],
        sqlite_where=sa.text("state = 'published'"),
        postgresql_where=sa.text("state = 'published'"),
    )
    op.create_table(
        "notice_properties",
        *_key("tenant_id", "notice_id", "property_id"),
        sa.PrimaryKeyConstraint(
            "tenant_id", "notice_id", "property_id", name=op.f("pk_notice_properties")
        ),
        _reference("notice_properties", "notice_id", "notices", within=True),
        _reference("notice_properties", "property_id", "properties"),
    )
    op.create_table(
        "notice_reads",
        *_key("tenant_id", "id", "notice_id", "resident_id"),
        sa.Column("read_at", UTC_TIME, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_notice_reads")),
        sa.UniqueConstraint(
            "tenant_id",
            "notice_id",
            "resident_id",
            name=op.f("uq_notice_reads_tenant_id_notice_id_resident_id"),
        ),
        _reference("notice_reads", "notice_id", "notices"),
        _reference("notice_reads", "resident_id", "residents"),
    )
    op.create_index(
        "ix_notice_reads_tenant_id_resident_id_notice_id",
        "notice_reads",
        ["tenant_id", "resident_id", "notice_id"],
    )


def _activities() -> None:
    op.create_table(
        "activities",
        *_key("tenant_id", "id", "community_id"),
        sa.Column("title", sa.String(100), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.Column("starts_at", UTC_TIME, nullable=False),
        sa.Column("ends_at", UTC_TIME, nullable=False),
        sa.Column("sign_up_deadline", UTC_TIME, nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("cancel_reason", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_activities")),
        sa.CheckConstraint("state IN ('open', 'cancelled')", name=op.f("ck_activities_state")),
        sa.CheckConstraint("capacity > 0", name=op.f("ck_activities_capacity_positive")),
        sa.CheckConstraint(
            "people >= 0 AND people <= capacity", name=op.f("ck_activities_people_within_capacity")
        ),
        sa.CheckConstraint("starts_at < ends_at", name=op.f("ck_activities_starts_before_it_ends")),
        sa.CheckConstraint(
            "sign_up_deadline <= starts_at", name=op.f("ck_activities_deadline_not_after_start")
        ),
        sa.CheckConstraint(
            "(state = 'cancelled') = (cancel_reason <> '')",
            name=op.f("ck_activities_reason_iff_cancelled"),
        ),
    )
    op.create_index(
        "ix_activities_tenant_id_community_id_starts_at_id",
        "activities",
        ["tenant_id", "community_id", "starts_at", "id"],
    )
    op.create_table(
        "activity_sign_ups",
        *_key("tenant_id", "activity_id"),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Uuid(), nullable=False),
        sa.Column("head_count", sa.Integer(), nullable=False),
        sa.Column("signed_up_at", UTC_TIME, nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("cancelled_at", UTC_TIME, nullable=True),
        sa.Column("checked_in_at", UTC_TIME, nullable=True),
        sa.Column("checked_in_by", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint(
            "tenant_id", "activity_id", "position", name=op.f("pk_activity_sign_ups")
        ),
        _reference("activity_sign_ups", "activity_id", "activities", within=True),
        _reference("activity_sign_ups", "resident_id", "residents"),
        sa.CheckConstraint(
            "status IN ('signed_up', 'cancelled', 'checked_in')",
            name=op.f("ck_activity_sign_ups_status"),
        ),
        sa.CheckConstraint(
            "position >= 0", name=op.f("ck_activity_sign_ups_position_non_negative")
        ),
        sa.CheckConstraint("head_count > 0", name=op.f("ck_activity_sign_ups_head_count_positive")),
        sa.CheckConstraint(
            "(status = 'cancelled') = (cancelled_at IS NOT NULL)",
            name=op.f("ck_activity_sign_ups_cancelled_iff_cancelled_at"),
        ),
        sa.CheckConstraint(
            "(status = 'checked_in') = (checked_in_at IS NOT NULL)",
            name=op.f("ck_activity_sign_ups_checked_in_iff_checked_in_at"),
        ),
        sa.CheckConstraint(
            "(checked_in_at IS NULL) = (checked_in_by IS NULL)",
            name=op.f("ck_activity_sign_ups_check_in_by_someone"),
        ),
    )
    op.create_index(
        "uq_activity_sign_ups_one_live_per_resident",
        "activity_sign_ups",
        ["tenant_id", "activity_id", "resident_id"],
        unique=True,
        sqlite_where=sa.text("status IN ('signed_up', 'checked_in')"),
        postgresql_where=sa.text("status IN ('signed_up', 'checked_in')"),
    )


def _visitor_passes() -> None:
    op.create_table(
        "visitor_passes",
        *_key("tenant_id", "id", "community_id", "property_id", "resident_id"),
        sa.Column("visitor_name", sa.String(50), nullable=False),
        sa.Column("visitor_phone_ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("head_count", sa.Integer(), nullable=False),
        sa.Column("plate", sa.String(16), nullable=False),
        sa.Column("valid_from", UTC_TIME, nullable=False),
        sa.Column("valid_until", UTC_TIME, nullable=False),
        sa.Column("max_entries", sa.Integer(), nullable=False),
        sa.Column("entries_used", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("revoked_at", UTC_TIME, nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_visitor_passes")),
        sa.UniqueConstraint("tenant_id", "token", name=op.f("uq_visitor_passes_tenant_id_token")),
        _reference("visitor_passes", "property_id", "properties"),
        _reference("visitor_passes", "resident_id", "residents"),
        sa.CheckConstraint("state IN ('active', 'revoked')", name=op.f("ck_visitor_passes_state")),
        sa.CheckConstraint("head_count > 0", name=op.f("ck_visitor_passes_head_count_positive")),
        sa.CheckConstraint("max_entries > 0", name=op.f("ck_visitor_passes_max_entries_positive")),
        sa.CheckConstraint(
            "entries_used >= 0 AND entries_used <= max_entries",
            name=op.f("ck_visitor_passes_entries_within_max"),
        ),
        sa.CheckConstraint(
            "valid_from < valid_until", name=op.f("ck_visitor_passes_window_ordered")
        ),
        sa.CheckConstraint(
            "(state = 'revoked') = (revoked_at IS NOT NULL)",
            name=op.f("ck_visitor_passes_revoked_iff_revoked_at"),
        ),
    )
    op.create_index(
        "ix_visitor_passes_resident_history",
        "visitor_passes",
        ["tenant_id", "resident_id", sa.column("created_at").desc(), "id"],
    )
    op.create_index(
        "ix_visitor_passes_gate_log",
        "visitor_passes",
        ["tenant_id", "community_id", sa.column("created_at").desc(), "id"],
    )
    op.create_table(
        "visitor_pass_entries",
        *_key("tenant_id", "pass_id"),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("at", UTC_TIME, nullable=False),
        sa.Column("guard_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint(
            "tenant_id", "pass_id", "position", name=op.f("pk_visitor_pass_entries")
        ),
        _reference("visitor_pass_entries", "pass_id", "visitor_passes", within=True),
        sa.CheckConstraint(
            "position >= 0", name=op.f("ck_visitor_pass_entries_position_non_negative")
        ),
    )


def upgrade() -> None:
    _notices()
    _activities()
    _visitor_passes()


def downgrade() -> None:
    for table in (
        "visitor_pass_entries",
        "visitor_passes",
        "activity_sign_ups",
        "activities",
        "notice_reads",
        "notice_properties",
        "notice_communities",
        "notices",
    ):
        op.drop_table(table)
