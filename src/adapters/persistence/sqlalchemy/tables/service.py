"""Tables of the service context: work orders 报修工单 and complaints 投诉建议.

Each aggregate is one row plus child tables for what it appends to: its timeline (进度) and,
for a complaint, its replies. The timeline is append-only and always read with its order, so a
JSON column would also do; a child table was chosen because appending is then one INSERT (never
rewriting a growing document), each step stays queryable (who closed what, how, when), and the
database itself can hold a rule over the steps: an order or complaint is closed at most once
(by the resident's rating or by the system, never both), and a complaint reopened at most once.
Photos are a short list of file keys (at most nine) that is never queried, so a JSON column.

CHECK constraints keep each row a state the state machines can reach: a dispatched order has a
whole assignment, ``closed_at`` is set exactly when closed, a rating or return visit only on a
closed case, 1–5 stars.

Indexes, each serving one query of ``repositories/service.py`` (tenant first, then the filter
columns, then the ORDER BY columns, so a keyset page costs the same at any depth):

- ``(tenant, resident, created_at DESC, id)``: 我的报修 / 投诉记录, newest first;
- ``(tenant, community, status, created_at DESC, id)``: the community's list of one status;
- ``(tenant, community, created_at DESC, id)``: the community's whole list, and the
  statistics' range ``created_at >= since AND created_at < until``;
- ``(tenant, technician, expected_arrival, id) WHERE status IN (dispatched, accepted)``:
  a technician's queue, soonest arrival first, without the orders they finished long ago;
- ``(tenant, status, completed_at)`` / ``(tenant, status, replied_at)``: the worker's
  auto-close jobs.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.mutable import MutableList

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
from adapters.persistence.sqlalchemy.types import JsonDocument, UtcDateTime, str_enum
from estate_core.service.common import ActorKind
from estate_core.service.complaint import (
    ComplaintAction,
    ComplaintCategory,
    ComplaintKind,
    ComplaintStatus,
)
from estate_core.service.workorder_states import (
    QUEUE_STATUSES,
    RepairKind,
    ReportChannel,
    WorkOrderAction,
    WorkOrderStatus,
)


def _sql_list(values: list[str]) -> str:
    return ", ".join(f"'{value}'" for value in values)


QUEUE_PREDICATE = f"status IN ({_sql_list([s for s in WorkOrderStatus if s in QUEUE_STATUSES])})"
"""Rows of the technician-queue index, listed in the enum's order as the queue query lists them
(SQLite uses a partial index only for a query carrying the very same term)."""

CLOSING_ACTIONS = "action IN ('rate', 'auto_close')"


def _photos() -> sa.Column[Any]:
    return sa.Column("photos", MutableList.as_mutable(JsonDocument), nullable=False)


def _rating_columns() -> list[Any]:
    return [
        sa.Column("rating_stars", sa.SmallInteger(), nullable=True),
        sa.Column("rating_text", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "rating_stars IS NULL OR rating_stars BETWEEN 1 AND 5", name="rating_stars_range"
        ),
        sa.CheckConstraint(
            "(rating_stars IS NULL) = (rating_text IS NULL)", name="rating_complete"
        ),
        sa.CheckConstraint(
            "rating_stars IS NULL OR status = 'closed'", name="rating_only_when_closed"
        ),
    ]


def _visit_columns() -> list[Any]:
    """The return visit 回访: recorded once, after closing."""
    return [
        sa.Column("visit_at", UtcDateTime(), nullable=True),
        sa.Column("visit_staff_id", sa.Uuid(), nullable=True),
        sa.Column("visit_note", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "(visit_at IS NULL) = (visit_staff_id IS NULL) "
            "AND (visit_at IS NULL) = (visit_note IS NULL)",
            name="visit_complete",
        ),
        sa.CheckConstraint("visit_at IS NULL OR status = 'closed'", name="visit_only_when_closed"),
    ]


def _newest_first_indexes(table: sa.Table) -> None:
    """The list indexes: by resident, by community, by community and status; newest first."""
    c = table.c
    for name, filters in (
        ("resident_newest", [c.resident_id]),
        ("community_newest", [c.community_id]),
        ("community_status_newest", [c.community_id, c.status]),
    ):
        sa.Index(f"ix_{table.name}_{name}", c.tenant_id, *filters, c.created_at.desc(), c.id)


def _timeline(
    name: str,
    parent: str,
    parent_id: str,
    statuses: type[Any],
    actions: list[str],
    closed_twice_code: str,
) -> sa.Table:
    """The append-only timeline of ``parent``; ``position`` is the entry's place in it.

    ``action`` is checked against the aggregate's actions: the closed-once index names two of
    them, so a renamed action fails loudly here instead of quietly escaping the index.
    """
    return sa.Table(
        name,
        metadata,
        tenant_id_column(),
        sa.Column(parent_id, sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("status", str_enum(statuses, "status"), nullable=False),
        sa.Column("actor_kind", str_enum(ActorKind, "actor_kind"), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("actor_job", sa.String(64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", parent_id, "position"),
        tenant_foreign_key(parent_id, parent, within_aggregate=True, ondelete="CASCADE"),
        sa.CheckConstraint("position >= 0", name="position_non_negative"),
        sa.CheckConstraint(f"action IN ({_sql_list(actions)})", name="action"),
        sa.CheckConstraint("(actor_kind = 'system') = (actor_id IS NULL)", name="actor_identified"),
        partial_index(
            f"uq_{name}_closed_once",
            "tenant_id",
            parent_id,
            unique=True,
            where=CLOSING_ACTIONS,
            info={CONFLICT_CODE: closed_twice_code},
        ),
    )


work_orders = sa.Table(
    "work_orders",
    metadata,
    tenant_id_column(),
    id_column(),
    sa.Column("community_id", sa.Uuid(), nullable=False),
    sa.Column("property_id", sa.Uuid(), nullable=False),
    sa.Column("resident_id", sa.Uuid(), nullable=False),
    sa.Column("channel", str_enum(ReportChannel, "channel"), nullable=False),
    sa.Column("kind", str_enum(RepairKind, "kind"), nullable=False),
    sa.Column("category", sa.String(30), nullable=False),
    sa.Column("description", sa.Text(), nullable=False),
    _photos(),
    sa.Column("contact_phone", sa.String(20), nullable=False),
    sa.Column("preferred_time", UtcDateTime(), nullable=True),
    sa.Column("status", str_enum(WorkOrderStatus, "status"), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("review_note", sa.Text(), nullable=False),
    sa.Column("technician_id", sa.Uuid(), nullable=True),
    sa.Column("technician_name", sa.String(40), nullable=True),
    sa.Column("technician_phone", sa.String(20), nullable=True),
    sa.Column("expected_arrival", UtcDateTime(), nullable=True),
    sa.Column("dispatched_at", UtcDateTime(), nullable=True),
    sa.Column("accepted_at", UtcDateTime(), nullable=True),
    sa.Column("completed_at", UtcDateTime(), nullable=True),
    sa.Column("completion_photos", MutableList.as_mutable(JsonDocument), nullable=False),
    sa.Column("completion_note", sa.Text(), nullable=False),
    sa.Column("closed_at", UtcDateTime(), nullable=True),
    *_rating_columns(),
    sa.Column("cancel_reason", sa.Text(), nullable=False),
    *_visit_columns(),
    version_column(),
    tenant_primary_key(),
    tenant_foreign_key("property_id", "properties"),
    tenant_foreign_key("resident_id", "residents"),
    sa.CheckConstraint(
        "(kind = 'appointment') = (preferred_time IS NOT NULL)",
        name="preferred_time_only_for_appointments",
    ),
    sa.CheckConstraint(
        "(technician_id IS NULL) = (technician_name IS NULL) "
        "AND (technician_id IS NULL) = (technician_phone IS NULL) "
        "AND (technician_id IS NULL) = (expected_arrival IS NULL) "
        "AND (technician_id IS NULL) = (dispatched_at IS NULL)",
        name="assignment_complete",
    ),
    sa.CheckConstraint(
        "technician_id IS NOT NULL "
        "OR status NOT IN ('dispatched', 'accepted', 'completed', 'closed')",
        name="assigned_once_dispatched",
    ),
    sa.CheckConstraint(
        "(completed_at IS NOT NULL) = (status IN ('completed', 'closed'))",
        name="completed_at_when_completed",
    ),
    sa.CheckConstraint(
        "(closed_at IS NOT NULL) = (status = 'closed')", name="closed_at_when_closed"
    ),
    partial_index(
        "ix_work_orders_technician_queue",
        "tenant_id",
        "technician_id",
        "expected_arrival",
        "id",
        where=QUEUE_PREDICATE,
    ),
    sa.Index("ix_work_orders_tenant_id_status_completed_at", "tenant_id", "status", "completed_at"),
)

_newest_first_indexes(work_orders)

work_order_timeline = _timeline(
    "work_order_timeline",
    "work_orders",
    "work_order_id",
    WorkOrderStatus,
    ["report", *WorkOrderAction],
    closed_twice_code="workorder.invalid_transition",
)

complaints = sa.Table(
    "complaints",
    metadata,
    tenant_id_column(),
    id_column(),
    sa.Column("community_id", sa.Uuid(), nullable=False),
    sa.Column("property_id", sa.Uuid(), nullable=False),
    sa.Column("resident_id", sa.Uuid(), nullable=False),
    sa.Column("kind", str_enum(ComplaintKind, "kind"), nullable=False),
    sa.Column("category", str_enum(ComplaintCategory, "category"), nullable=False),
    sa.Column("text", sa.Text(), nullable=False),
    _photos(),
    sa.Column("contact_phone", sa.String(20), nullable=False),
    sa.Column("status", str_enum(ComplaintStatus, "status"), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("handler_id", sa.Uuid(), nullable=True),
    sa.Column("accepted_at", UtcDateTime(), nullable=True),
    sa.Column("replied_at", UtcDateTime(), nullable=True),
    sa.Column("reopened_at", UtcDateTime(), nullable=True),
    sa.Column("reopen_reason", sa.Text(), nullable=False),
    sa.Column("closed_at", UtcDateTime(), nullable=True),
    *_rating_columns(),
    *_visit_columns(),
    version_column(),
    tenant_primary_key(),
    tenant_foreign_key("property_id", "properties"),
    tenant_foreign_key("resident_id", "residents"),
    sa.CheckConstraint(
        "(handler_id IS NULL) = (accepted_at IS NULL) "
        "AND (handler_id IS NULL) = (status = 'submitted')",
        name="handler_once_accepted",
    ),
    sa.CheckConstraint(
        "(replied_at IS NOT NULL) = (status IN ('replied', 'closed'))",
        name="replied_at_when_replied",
    ),
    sa.CheckConstraint("(reopened_at IS NULL) = (reopen_reason = '')", name="reopen_with_reason"),
    sa.CheckConstraint(
        "(closed_at IS NOT NULL) = (status = 'closed')", name="closed_at_when_closed"
    ),
    sa.Index("ix_complaints_tenant_id_status_replied_at", "tenant_id", "status", "replied_at"),
)

_newest_first_indexes(complaints)

complaint_replies = sa.Table(
    "complaint_replies",
    metadata,
    tenant_id_column(),
    sa.Column("complaint_id", sa.Uuid(), nullable=False),
    sa.Column("position", sa.Integer(), nullable=False),
    sa.Column("at", UtcDateTime(), nullable=False),
    sa.Column("staff_id", sa.Uuid(), nullable=False),
    sa.Column("text", sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint("tenant_id", "complaint_id", "position"),
    tenant_foreign_key("complaint_id", "complaints", within_aggregate=True, ondelete="CASCADE"),
    sa.CheckConstraint("position >= 0", name="position_non_negative"),
)

complaint_timeline = _timeline(
    "complaint_timeline",
    "complaints",
    "complaint_id",
    ComplaintStatus,
    ["submit", *ComplaintAction],
    closed_twice_code="complaint.invalid_transition",
)
# ``action`` is constant under the predicate, so the key means "one reopen per complaint"; it is
# in the key because SQLite reports a violation by its columns, which must differ from the
# closed-once index's for errors.py to tell the two apart.
partial_index(
    "uq_complaint_timeline_reopened_once",
    complaint_timeline.c.tenant_id,
    complaint_timeline.c.complaint_id,
    complaint_timeline.c.action,
    unique=True,
    where="action = 'reopen'",
    info={CONFLICT_CODE: "complaint.reopen_used"},
)
