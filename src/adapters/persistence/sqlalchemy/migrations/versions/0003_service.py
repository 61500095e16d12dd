"""Service: work orders 报修工单 and complaints 投诉建议, their timelines and replies.

Revision ID: 0003
Revises: 0002
Create Date: 2026-03-16

Written by hand (see ``tables/service.py`` for why each constraint and index exists): the
enums' CHECKs list their values; the state CHECKs keep every row a reachable state; partial
unique indexes close a case once and reopen a complaint once; the list indexes end in
``created_at DESC, id`` like the lists' ORDER BY.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIME = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

WORK_ORDER_STATUSES = (
    "'pending', 'approved', 'rejected', 'dispatched', 'accepted', 'completed', 'closed', "
    "'cancelled'"
)
COMPLAINT_STATUSES = "'submitted', 'accepted', 'replied', 'closed'"
WORK_ORDER_ACTIONS = (
    "'report', 'approve', 'reject', 'dispatch', 'reassign', 'accept', 'complete', 'rate', "
    "'auto_close', 'cancel_by_resident', 'cancel_by_staff', 'visit'"
)
COMPLAINT_ACTIONS = "'submit', 'accept', 'reply', 'reopen', 'rate', 'auto_close', 'visit'"
QUEUE_PREDICATE = "status IN ('dispatched', 'accepted')"
CLOSING_ACTIONS = "action IN ('rate', 'auto_close')"


def _check(table: str, name: str, condition: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(condition, name=op.f(f"ck_{table}_{name}"))


def _case_columns(table: str) -> list[sa.schema.SchemaItem]:
    """Rating and return visit, shared by work orders and complaints."""
    return [
        sa.Column("rating_stars", sa.SmallInteger(), nullable=True),
        sa.Column("rating_text", sa.Text(), nullable=True),
        sa.Column("visit_at", UTC_TIME, nullable=True),
        sa.Column("visit_staff_id", sa.Uuid(), nullable=True),
        sa.Column("visit_note", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f(f"pk_{table}")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "property_id"],
            ["properties.tenant_id", "properties.id"],
            name=op.f(f"fk_{table}_tenant_id_property_id_properties"),
            deferrable=True,
            initially="DEFERRED",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "resident_id"],
            ["residents.tenant_id", "residents.id"],
            name=op.f(f"fk_{table}_tenant_id_resident_id_residents"),
            deferrable=True,
            initially="DEFERRED",
        ),
        _check(table, "rating_stars_range", "rating_stars IS NULL OR rating_stars BETWEEN 1 AND 5"),
        _check(table, "rating_complete", "(rating_stars IS NULL) = (rating_text IS NULL)"),
        _check(table, "rating_only_when_closed", "rating_stars IS NULL OR status = 'closed'"),
        _check(
            table,
            "visit_complete",
            "(visit_at IS NULL) = (visit_staff_id IS NULL) "
            "AND (visit_at IS NULL) = (visit_note IS NULL)",
        ),
        _check(table, "visit_only_when_closed", "visit_at IS NULL OR status = 'closed'"),
        _check(table, "closed_at_when_closed", "(closed_at IS NOT NULL) = (status = 'closed')"),
    ]


def _newest_first_indexes(table: str) -> None:
    for name, filters in (
        ("resident_newest", ["resident_id"]),
        ("community_newest", ["community_id"]),
        ("community_status_newest", ["community_id", "status"]),
    ):
        op.create_index(
            f"ix_{table}_{name}",
            table,
            ["tenant_id", *filters, sa.literal_column("created_at DESC"), "id"],
        )


def _timeline(table: str, parent: str, parent_id: str, statuses: str, actions: str) -> None:
    op.create_table(
        table,
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column(parent_id, sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("at", UTC_TIME, nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("actor_kind", sa.String(32), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("actor_job", sa.String(64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", parent_id, "position", name=op.f(f"pk_{table}")),
        sa.ForeignKeyConstraint(
            ["tenant_id", parent_id],
            [f"{parent}.tenant_id", f"{parent}.id"],
            name=op.f(f"fk_{table}_tenant_id_{parent_id}_{parent}"),
            ondelete="CASCADE",
        ),
        _check(table, "status", f"status IN ({statuses})"),
        _check(table, "actor_kind", "actor_kind IN ('resident', 'staff', 'system')"),
        _check(table, "position_non_negative", "position >= 0"),
        _check(table, "action", f"action IN ({actions})"),
        _check(table, "actor_identified", "(actor_kind = 'system') = (actor_id IS NULL)"),
    )
    op.create_index(
        f"uq_{table}_closed_once",
        table,
        ["tenant_id", parent_id],
        unique=True,
        sqlite_where=sa.text(CLOSING_ACTIONS),
        postgresql_where=sa.text(CLOSING_ACTIONS),
    )


def upgrade() -> None:
    op.create_table(
        "work_orders",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("community_id", sa.Uuid(), nullable=False),
        sa.Column("property_id", sa.Uuid(), nullable=False),
        sa.Column("resident_id", sa.Uuid(), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("category", sa.String(30), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("photos", JSON, nullable=False),
        sa.Column("contact_phone", sa.String(20), nullable=False),
        sa.Column("preferred_time", UTC_TIME, nullable=True),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("review_note", sa.Text(), nullable=False),
        sa.Column("technician_id", sa.Uuid(), nullable=True),
        sa.Column("technician_name", sa.String(40), nullable=True),
        sa.Column("technician_phone", sa.String(20), nullable=True),
        sa.Column("expected_arrival", UTC_TIME, nullable=True),
        sa.Column("dispatched_at", UTC_TIME, nullable=True),
        sa.Column("accepted_at", UTC_TIME, nullable=True),
        sa.Column("completed_at", UTC_TIME, nullable=True),
        sa.Column("completion_photos", JSON, nullable=False),
        sa.Column("completion_note", sa.Text(), nullable=False),
        sa.Column("closed_at", UTC_TIME, nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=False),
        *_case_columns("work_orders"),
        _check("work_orders", "channel", "channel IN ('online', 'phone')"),
        _check("work_orders", "kind", "kind IN ('fault', 'appointment')"),
        _check("work_orders", "status", f"status IN ({WORK_ORDER_STATUSES})"),
        _check(
            "work_orders",
            "preferred_time_only_for_appointments",
            "(kind = 'appointment') = (preferred_time IS NOT NULL)",
        ),
        _check(
            "work_orders",
            "assignment_complete",
            "(technician_id IS NULL) = (technician_name IS NULL) "
            "AND (technician_id IS NULL) = (technician_phone IS NULL) "
            "AND (technician_id IS NULL) = (expected_arrival IS NULL) "
            "AND (technician_id IS NULL) = (dispatched_at IS NULL)",
        ),
        _check(
            "work_orders",
            "assigned_once_dispatched",
            "technician_id IS NOT NULL "
            "OR status NOT IN ('dispatched', 'accepted', 'completed', 'closed')",
        ),
        _check(
            "work_orders",
            "completed_at_when_completed",
            "(completed_at IS NOT NULL) = (status IN ('completed', 'closed'))",
        ),
    )
    _newest_first_indexes("work_orders")
    op.create_index(
        "ix_work_orders_technician_queue",
        "work_orders",
        ["tenant_id", "technician_id", "expected_arrival", "id"],
        sqlite_where=sa.text(QUEUE_PREDICATE),
        postgresql_where=sa.text(QUEUE_PREDICATE),
    )
    op.create_index(
        "ix_work_orders_tenant_id_status_completed_at",
        "work_orders",
        ["tenant_id", "status", "completed_at"],
    )
    _timeline(
        "work_order_timeline",
        "work_orders",
        "work_order_id",
        WORK_ORDER_STATUSES,
        WORK_ORDER_ACTIONS,
    )

    op.create_table(
        "complaints",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("community_id", sa.Uuid(), nullable=False),
        sa.Column("property_id", sa.Uuid(), nullable=False),
        sa.Column("resident_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("photos", JSON, nullable=False),
        sa.Column("contact_phone", sa.String(20), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("handler_id", sa.Uuid(), nullable=True),
        sa.Column("accepted_at", UTC_TIME, nullable=True),
        sa.Column("replied_at", UTC_TIME, nullable=True),
        sa.Column("reopened_at", UTC_TIME, nullable=True),
        sa.Column("reopen_reason", sa.Text(), nullable=False),
        sa.Column("closed_at", UTC_TIME, nullable=True),
        *_case_columns("complaints"),
        _check("complaints", "kind", "kind IN ('complaint', 'suggestion')"),
        _check(
            "complaints",
            "category",
            "category IN ('engineering', 'staff', 'environment', 'security', 'other')",
        ),
        _check("complaints", "status", f"status IN ({COMPLAINT_STATUSES})"),
        _check(
            "complaints",
            "handler_once_accepted",
            "(handler_id IS NULL) = (accepted_at IS NULL) "
            "AND (handler_id IS NULL) = (status = 'submitted')",
        ),
        _check(
            "complaints",
            "replied_at_when_replied",
            "(replied_at IS NOT NULL) = (status IN ('replied', 'closed'))",
        ),
        _check("complaints", "reopen_with_reason", "(reopened_at IS NULL) = (reopen_reason = '')"),
    )
    _newest_first_indexes("complaints")
    op.create_index(
        "ix_complaints_tenant_id_status_replied_at",
        "complaints",
        ["tenant_id", "status", "replied_at"],
    )
    op.create_table(
        "complaint_replies",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("complaint_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("at", UTC_TIME, nullable=False),
        sa.Column("staff_id", sa.Uuid(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint(
            "tenant_id", "complaint_id", "position", name=op.f("pk_complaint_replies")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "complaint_id"],
            ["complaints.tenant_id", "complaints.id"],
            name=op.f("fk_complaint_replies_tenant_id_complaint_id_complaints"),
            ondelete="CASCADE",
        ),
        _check("complaint_replies", "position_non_negative", "position >= 0"),
    )
    _timeline(
        "complaint_timeline", "complaints", "complaint_id", COMPLAINT_STATUSES, COMPLAINT_ACTIONS
    )
    op.create_index(
        "uq_complaint_timeline_reopened_once",
        "complaint_timeline",
        ["tenant_id", "complaint_id", "action"],
        unique=True,
        sqlite_where=sa.text("action = 'reopen'"),
        postgresql_where=sa.text("action = 'reopen'"),
    )


def downgrade() -> None:
    op.drop_table("complaint_timeline")
    op.drop_table("complaint_replies")
    op.drop_table("complaints")
    op.drop_table("work_order_timeline")
    op.drop_table("work_orders")
