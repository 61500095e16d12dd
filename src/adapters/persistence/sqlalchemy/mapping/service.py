"""Mapping of the service context: WorkOrder 报修工单 and Complaint 投诉建议.

One value in columns of the aggregate's row is a composite: ``WorkOrder.assignment`` (with
its nested ``Technician``), ``rating`` and ``visit`` on both. Lists of frozen values are
association proxies over child rows, in list order (``ordering_list`` keeps ``position``):
``timeline`` on both, ``Complaint.replies``. Photos are JSON lists of file keys.

Columns behind a composite are mapped under private names: ``WorkOrder.technician_id`` is the
domain's own property (read off the assignment), never a second copy of the column.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any

from sqlalchemy import Column, Table
from sqlalchemy.ext.orderinglist import ordering_list
from sqlalchemy.orm import Composite, composite, registry, relationship

from adapters.persistence.sqlalchemy.mapping.support import (
    VERSION_ATTRIBUTE,
    attrs_composite,
    installed,
    register_child_rows,
    value_list,
)
from adapters.persistence.sqlalchemy.tables.service import (
    complaint_replies,
    complaint_timeline,
    complaints,
    work_order_timeline,
    work_orders,
)
from estate_core.service.common import ActorRef, Rating, ReturnVisit, TimelineEntry
from estate_core.service.complaint import Complaint, Reply
from estate_core.service.workorder import WorkOrder
from estate_core.service.workorder_states import Assignment, Technician


def _nested_composite(
    cls: type,
    columns: list[Column[Any]],
    flatten: Callable[[Any], tuple[Any, ...]],
    build: Callable[..., Any],
    *,
    nullable: bool = False,
) -> Composite[Any]:
    """A composite of a value object holding another one: ``flatten`` gives the column values.

    ``support.attrs_composite`` maps flat values field by field; this takes the two directions
    explicitly. With ``nullable``, all columns NULL means the value is ``None``.
    """
    if "__composite_values__" not in vars(cls):
        installed.set(cls, "__composite_values__", flatten)

    def load(*values: Any) -> Any:
        if nullable and all(value is None for value in values):
            return None
        return build(*values)

    return composite(load, *columns)


def _assignment(
    staff_id: Any, name: Any, phone: Any, expected_arrival: Any, dispatched_at: Any
) -> Assignment:
    return Assignment(
        technician=Technician(staff_id=staff_id, name=name, phone=phone),
        expected_arrival=expected_arrival,
        dispatched_at=dispatched_at,
    )


def _assignment_columns(assignment: Assignment) -> tuple[Any, ...]:
    technician = assignment.technician
    return (
        technician.staff_id,
        technician.name,
        technician.phone,
        assignment.expected_arrival,
        assignment.dispatched_at,
    )


def _entry(
    at: Any, action: Any, status: Any, kind: Any, actor_id: Any, job: Any, note: Any
) -> TimelineEntry:
    return TimelineEntry(
        at=at,
        action=action,
        status=status.value if isinstance(status, enum.Enum) else status,
        actor=ActorRef(kind=kind, id=actor_id, job=job),
        note=note,
    )


def _entry_columns(entry: TimelineEntry) -> tuple[Any, ...]:
    actor = entry.actor
    return (entry.at, entry.action, entry.status, actor.kind, actor.id, actor.job, entry.note)


def _timeline_composite(table: Table) -> Composite[Any]:
    c = table.c
    columns = [c.at, c.action, c.status, c.actor_kind, c.actor_id, c.actor_job, c.note]
    return _nested_composite(TimelineEntry, columns, _entry_columns, _entry)


class WorkOrderTimelineRow:
    """A ``work_order_timeline`` row; the domain sees only its frozen ``TimelineEntry``."""

    value: TimelineEntry
    work_order: WorkOrder

    def __init__(self, value: TimelineEntry) -> None:
        self.value = value


class ComplaintTimelineRow:
    """A ``complaint_timeline`` row; the domain sees only its frozen ``TimelineEntry``."""

    value: TimelineEntry
    complaint: Complaint

    def __init__(self, value: TimelineEntry) -> None:
        self.value = value


class ComplaintReplyRow:
    """A ``complaint_replies`` row; the domain sees only its frozen ``Reply``."""

    value: Reply
    complaint: Complaint

    def __init__(self, value: Reply) -> None:
        self.value = value


def _rows(row_class: type, back: str, table: Table) -> Any:
    """The aggregate's side of a child-row list, kept in list order by ``position``."""
    return relationship(
        row_class,
        back_populates=back,
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="selectin",
        order_by=table.c.position,
        collection_class=ordering_list("position"),
    )


def _rating_and_visit(table: Table) -> dict[str, Any]:
    c = table.c
    return {
        "_rating_stars": c.rating_stars,
        "_rating_text": c.rating_text,
        "rating": attrs_composite(Rating, c.rating_stars, c.rating_text, nullable=True),
        "_visit_at": c.visit_at,
        "_visit_staff_id": c.visit_staff_id,
        "_visit_note": c.visit_note,
        "visit": attrs_composite(
            ReturnVisit, c.visit_at, c.visit_staff_id, c.visit_note, nullable=True
        ),
    }


def map_service(mappers: registry) -> None:
    _map_work_orders(mappers)
    _map_complaints(mappers)


def _map_work_orders(mappers: registry) -> None:
    c = work_orders.c
    assignment = [c.technician_id, c.technician_name, c.technician_phone]
    assignment += [c.expected_arrival, c.dispatched_at]
    mappers.map_imperatively(
        WorkOrderTimelineRow,
        work_order_timeline,
        properties={
            "value": _timeline_composite(work_order_timeline),
            "work_order": relationship(WorkOrder, back_populates="_timeline_rows"),
        },
    )
    mappers.map_imperatively(
        WorkOrder,
        work_orders,
        version_id_col=c.version,
        properties={
            VERSION_ATTRIBUTE: c.version,
            **{f"_{column.name}": column for column in assignment},
            "assignment": _nested_composite(
                Assignment, assignment, _assignment_columns, _assignment, nullable=True
            ),
            **_rating_and_visit(work_orders),
            "_timeline_rows": _rows(WorkOrderTimelineRow, "work_order", work_order_timeline),
        },
    )
    value_list(WorkOrder, "timeline", "_timeline_rows", WorkOrderTimelineRow)
    register_child_rows(WorkOrderTimelineRow, "work_order")


def _map_complaints(mappers: registry) -> None:
    mappers.map_imperatively(
        ComplaintTimelineRow,
        complaint_timeline,
        properties={
            "value": _timeline_composite(complaint_timeline),
            "complaint": relationship(Complaint, back_populates="_timeline_rows"),
        },
    )
    r = complaint_replies.c
    mappers.map_imperatively(
        ComplaintReplyRow,
        complaint_replies,
        properties={
            "value": attrs_composite(Reply, r.at, r.staff_id, r.text),
            "complaint": relationship(Complaint, back_populates="_reply_rows"),
        },
    )
    mappers.map_imperatively(
        Complaint,
        complaints,
        version_id_col=complaints.c.version,
        properties={
            VERSION_ATTRIBUTE: complaints.c.version,
            **_rating_and_visit(complaints),
            "_timeline_rows": _rows(ComplaintTimelineRow, "complaint", complaint_timeline),
            "_reply_rows": _rows(ComplaintReplyRow, "complaint", complaint_replies),
        },
    )
    value_list(Complaint, "timeline", "_timeline_rows", ComplaintTimelineRow)
    value_list(Complaint, "replies", "_reply_rows", ComplaintReplyRow)
    register_child_rows(ComplaintTimelineRow, "complaint")
    register_child_rows(ComplaintReplyRow, "complaint")
