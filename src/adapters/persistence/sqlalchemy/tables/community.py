"""Tables of the community context: notices and read receipts, activities, visitor passes.

Invariants the database backs even against a buggy caller:

- one read receipt per (notice, resident): ``uq_notice_reads_tenant_id_notice_id_resident_id``
  (code ``notice_reads.duplicate``, which ``read_notice`` treats as "already read");
- one live sign-up per resident and activity: a partial unique index (code
  ``activity.already_signed_up``);
- an activity's live head count never passes its capacity: ``activities.people`` is the sum of
  the live sign-ups' head counts, written on every flush, under ``CHECK (people <= capacity)``;
  concurrent sign-ups for the last places load the same ``version`` and only the first commit
  wins (the others get ``ConcurrencyConflict``);
- a visitor pass is never used more often than it allows (``entries_used <= max_entries``), and
  its token is unique.

The visitor's phone is personal data: stored encrypted (``personal_data.py``), never looked up.

A notice's audience (a frozen ``Audience``) is stored whole in ``notices.audience``; the
``notice_communities`` and ``notice_properties`` rows are its lookup index, written in the same
flush (see ``mapping/community.py``), with copies of the sort columns the lists page on so that
one index range serves each list.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect

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
from adapters.persistence.sqlalchemy.types import UtcDateTime, str_enum
from estate_core.community.activity import ActivityState, SignUpStatus
from estate_core.community.notice import Audience, NoticeKind, NoticeState
from estate_core.community.visitor import PassState


class AudienceType(sa.types.TypeDecorator[Audience]):
    """A notice's ``Audience`` as a JSON document of sorted id lists (JSONB on PostgreSQL)."""

    impl = sa.JSON
    cache_ok = True
    alembic_render = 'sa.JSON().with_variant(postgresql.JSONB(), "postgresql")'

    def load_dialect_impl(self, dialect: Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.JSONB())
        return dialect.type_descriptor(sa.JSON())

    def process_bind_param(self, value: Audience | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, Audience):
            raise TypeError(f"an audience column takes Audience, got {type(value).__name__}")
        return {
            "community_ids": sorted(str(i) for i in value.community_ids),
            "property_ids": sorted(str(i) for i in value.property_ids),
        }

    def process_result_value(self, value: Any, dialect: Dialect) -> Audience | None:
        if value is None:
            return None
        return Audience(
            community_ids=frozenset(UUID(i) for i in value["community_ids"]),
            property_ids=frozenset(UUID(i) for i in value["property_ids"]),
        )


notices = sa.Table(
    "notices",
    metadata,
    tenant_id_column(),
    id_column(),
    sa.Column("kind", str_enum(NoticeKind, "kind"), nullable=False),
    sa.Column("title", sa.String(100), nullable=False),
    sa.Column("body", sa.Text(), nullable=False),
    sa.Column("audience", AudienceType(), nullable=False),
    sa.Column("created_by", sa.Uuid(), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("state", str_enum(NoticeState, "state"), nullable=False),
    sa.Column("publish_at", UtcDateTime(), nullable=True),
    sa.Column("published_by", sa.Uuid(), nullable=True),
    sa.Column("published_at", UtcDateTime(), nullable=True),
    sa.Column("withdrawn_at", UtcDateTime(), nullable=True),
    version_column(),
    tenant_primary_key(),
    sa.CheckConstraint(
        "state <> 'scheduled' OR publish_at IS NOT NULL", name="scheduled_has_a_time"
    ),
    sa.CheckConstraint(
        "state NOT IN ('published', 'withdrawn') OR published_at IS NOT NULL",
        name="published_has_a_time",
    ),
    sa.CheckConstraint(
        "(state = 'withdrawn') = (withdrawn_at IS NOT NULL)", name="withdrawn_iff_withdrawn_at"
    ),
    partial_index(
        "ix_notices_due",
        "tenant_id",
        "publish_at",
        "id",
        where="state = 'scheduled'",
    ),
)

notice_communities = sa.Table(
    "notice_communities",
    metadata,
    tenant_id_column(),
    sa.Column("notice_id", sa.Uuid(), nullable=False),
    sa.Column("community_id", sa.Uuid(), nullable=False),
    sa.Column("targeted", sa.Boolean(), nullable=False),
    sa.Column("state", str_enum(NoticeState, "state"), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("published_at", UtcDateTime(), nullable=True),
    sa.PrimaryKeyConstraint("tenant_id", "notice_id", "community_id"),
    tenant_foreign_key("notice_id", "notices", within_aggregate=True, ondelete="CASCADE"),
)
sa.Index(
    "ix_notice_communities_staff_list",
    notice_communities.c.tenant_id,
    notice_communities.c.community_id,
    notice_communities.c.created_at.desc(),
    notice_communities.c.notice_id,
)
partial_index(
    "ix_notice_communities_resident_list",
    notice_communities.c.tenant_id,
    notice_communities.c.community_id,
    notice_communities.c.published_at.desc(),
    notice_communities.c.notice_id,
    where="state = 'published'",
)

notice_properties = sa.Table(
    "notice_properties",
    metadata,
    tenant_id_column(),
    sa.Column("notice_id", sa.Uuid(), nullable=False),
    sa.Column("property_id", sa.Uuid(), nullable=False),
    sa.PrimaryKeyConstraint("tenant_id", "notice_id", "property_id"),
    tenant_foreign_key("notice_id", "notices", within_aggregate=True, ondelete="CASCADE"),
    tenant_foreign_key("property_id", "properties"),
)

notice_reads = sa.Table(
    "notice_reads",
    metadata,
    tenant_id_column(),
    id_column(),
    sa.Column("notice_id", sa.Uuid(), nullable=False),
    sa.Column("resident_id", sa.Uuid(), nullable=False),
    sa.Column("read_at", UtcDateTime(), nullable=False),
    version_column(),
    tenant_primary_key(),
    sa.UniqueConstraint("tenant_id", "notice_id", "resident_id"),
    tenant_foreign_key("notice_id", "notices"),
    tenant_foreign_key("resident_id", "residents"),
    sa.Index(
        "ix_notice_reads_tenant_id_resident_id_notice_id", "tenant_id", "resident_id", "notice_id"
    ),
)

activities = sa.Table(
    "activities",
    metadata,
    tenant_id_column(),
    id_column(),
    sa.Column("community_id", sa.Uuid(), nullable=False),
    sa.Column("title", sa.String(100), nullable=False),
    sa.Column("description", sa.Text(), nullable=False),
    sa.Column("capacity", sa.Integer(), nullable=False),
    sa.Column("people", sa.Integer(), nullable=False),
    sa.Column("starts_at", UtcDateTime(), nullable=False),
    sa.Column("ends_at", UtcDateTime(), nullable=False),
    sa.Column("sign_up_deadline", UtcDateTime(), nullable=False),
    sa.Column("created_by", sa.Uuid(), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("state", str_enum(ActivityState, "state"), nullable=False),
    sa.Column("cancel_reason", sa.Text(), nullable=False),
    version_column(),
    tenant_primary_key(),
    sa.CheckConstraint("capacity > 0", name="capacity_positive"),
    sa.CheckConstraint("people >= 0 AND people <= capacity", name="people_within_capacity"),
    sa.CheckConstraint("starts_at < ends_at", name="starts_before_it_ends"),
    sa.CheckConstraint("sign_up_deadline <= starts_at", name="deadline_not_after_start"),
    sa.CheckConstraint(
        "(state = 'cancelled') = (cancel_reason <> '')", name="reason_iff_cancelled"
    ),
    sa.Index(
        "ix_activities_tenant_id_community_id_starts_at_id",
        "tenant_id",
        "community_id",
        "starts_at",
        "id",
    ),
)

activity_sign_ups = sa.Table(
    "activity_sign_ups",
    metadata,
    tenant_id_column(),
    sa.Column("activity_id", sa.Uuid(), nullable=False),
    sa.Column("position", sa.Integer(), nullable=False),
    sa.Column("resident_id", sa.Uuid(), nullable=False),
    sa.Column("head_count", sa.Integer(), nullable=False),
    sa.Column("signed_up_at", UtcDateTime(), nullable=False),
    sa.Column("status", str_enum(SignUpStatus, "status"), nullable=False),
    sa.Column("cancelled_at", UtcDateTime(), nullable=True),
    sa.Column("checked_in_at", UtcDateTime(), nullable=True),
    sa.Column("checked_in_by", sa.Uuid(), nullable=True),
    sa.PrimaryKeyConstraint("tenant_id", "activity_id", "position"),
    tenant_foreign_key("activity_id", "activities", within_aggregate=True, ondelete="CASCADE"),
    tenant_foreign_key("resident_id", "residents"),
    sa.CheckConstraint("position >= 0", name="position_non_negative"),
    sa.CheckConstraint("head_count > 0", name="head_count_positive"),
    sa.CheckConstraint(
        "(status = 'cancelled') = (cancelled_at IS NOT NULL)", name="cancelled_iff_cancelled_at"
    ),
    sa.CheckConstraint(
        "(status = 'checked_in') = (checked_in_at IS NOT NULL)",
        name="checked_in_iff_checked_in_at",
    ),
    sa.CheckConstraint(
        "(checked_in_at IS NULL) = (checked_in_by IS NULL)", name="check_in_by_someone"
    ),
    partial_index(
        "uq_activity_sign_ups_one_live_per_resident",
        "tenant_id",
        "activity_id",
        "resident_id",
        unique=True,
        where="status IN ('signed_up', 'checked_in')",
        info={CONFLICT_CODE: "activity.already_signed_up"},
    ),
)

visitor_passes = sa.Table(
    "visitor_passes",
    metadata,
    tenant_id_column(),
    id_column(),
    sa.Column("community_id", sa.Uuid(), nullable=False),
    sa.Column("property_id", sa.Uuid(), nullable=False),
    sa.Column("resident_id", sa.Uuid(), nullable=False),
    sa.Column("visitor_name", sa.String(50), nullable=False),
    sa.Column("visitor_phone_ciphertext", EncryptedText(PHONE), nullable=False),
    sa.Column("head_count", sa.Integer(), nullable=False),
    sa.Column("plate", sa.String(16), nullable=False),
    sa.Column("valid_from", UtcDateTime(), nullable=False),
    sa.Column("valid_until", UtcDateTime(), nullable=False),
    sa.Column("max_entries", sa.Integer(), nullable=False),
    sa.Column("entries_used", sa.Integer(), nullable=False),
    sa.Column("token", sa.String(64), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("state", str_enum(PassState, "state"), nullable=False),
    sa.Column("revoked_at", UtcDateTime(), nullable=True),
    version_column(),
    tenant_primary_key(),
    sa.UniqueConstraint("tenant_id", "token"),
    tenant_foreign_key("property_id", "properties"),
    tenant_foreign_key("resident_id", "residents"),
    sa.CheckConstraint("head_count > 0", name="head_count_positive"),
    sa.CheckConstraint("max_entries > 0", name="max_entries_positive"),
    sa.CheckConstraint(
        "entries_used >= 0 AND entries_used <= max_entries", name="entries_within_max"
    ),
    sa.CheckConstraint("valid_from < valid_until", name="window_ordered"),
    sa.CheckConstraint(
        "(state = 'revoked') = (revoked_at IS NOT NULL)", name="revoked_iff_revoked_at"
    ),
)
sa.Index(
    "ix_visitor_passes_resident_history",
    visitor_passes.c.tenant_id,
    visitor_passes.c.resident_id,
    visitor_passes.c.created_at.desc(),
    visitor_passes.c.id,
)
sa.Index(
    "ix_visitor_passes_gate_log",
    visitor_passes.c.tenant_id,
    visitor_passes.c.community_id,
    visitor_passes.c.created_at.desc(),
    visitor_passes.c.id,
)

visitor_pass_entries = sa.Table(
    "visitor_pass_entries",
    metadata,
    tenant_id_column(),
    sa.Column("pass_id", sa.Uuid(), nullable=False),
    sa.Column("position", sa.Integer(), nullable=False),
    sa.Column("at", UtcDateTime(), nullable=False),
    sa.Column("guard_id", sa.Uuid(), nullable=False),
    sa.PrimaryKeyConstraint("tenant_id", "pass_id", "position"),
    tenant_foreign_key("pass_id", "visitor_passes", within_aggregate=True, ondelete="CASCADE"),
    sa.CheckConstraint("position >= 0", name="position_non_negative"),
)
