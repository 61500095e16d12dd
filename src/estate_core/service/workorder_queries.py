"""Reads of WorkOrder 报修工单: one order with its timeline, the lists, and statistics.

A resident sees only their own orders (another's is ``workorder.not_found``); staff holding any
work-order permission see the orders of the communities in their data scope.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

import attrs

from estate_core.service.errors import WorkOrderNotFound
from estate_core.service.ports import ServiceUnitOfWork
from estate_core.service.statistics import ServiceReport, period_bounds, report
from estate_core.service.support import map_page, require_resident
from estate_core.service.views import (
    WorkOrderSummary,
    WorkOrderView,
    work_order_summary,
    work_order_view,
)
from estate_core.service.workorder import WorkOrder
from estate_core.service.workorder_states import QUEUE_STATUSES, WorkOrderStatus
from estate_core.shared.access import Actor, Permission, ResidentActor, StaffActor, require_staff
from estate_core.shared.errors import PermissionDenied
from estate_core.shared.pagination import Page, PageRequest

WORKORDER_STAFF = frozenset(
    {
        Permission.WORKORDER_CREATE,
        Permission.WORKORDER_REVIEW,
        Permission.WORKORDER_DISPATCH,
        Permission.WORKORDER_WORK,
        Permission.WORKORDER_VISIT,
    }
)
"""Holding any of these (in scope) lets staff read the community's work orders."""


def own_order(uow: ServiceUnitOfWork, resident: ResidentActor, work_order_id: UUID) -> WorkOrder:
    order = uow.work_orders.find(work_order_id)
    if order is None or order.resident_id != resident.resident_id:
        raise WorkOrderNotFound("no such work order")
    return order


def get_work_order(uow: ServiceUnitOfWork, actor: Actor, work_order_id: UUID) -> WorkOrderView:
    """The order and its timeline, for its resident or for work-order staff in scope."""
    with uow:
        if isinstance(actor, ResidentActor):
            return work_order_view(own_order(uow, actor, work_order_id))
        order = uow.work_orders.get(work_order_id)
        _require_workorder_staff(actor, order.community_id)
        return work_order_view(order)


def _require_workorder_staff(actor: Actor, community_id: UUID) -> StaffActor:
    if not isinstance(actor, StaffActor):
        raise PermissionDenied("permission.staff_only", "only staff may do this")
    if not any(actor.can(permission) for permission in WORKORDER_STAFF):
        raise PermissionDenied("permission.missing", "this needs a work-order permission")
    if not actor.sees(community_id):
        raise PermissionDenied("permission.out_of_scope", "that community is outside your scope")
    return actor


def my_work_orders(
    uow: ServiceUnitOfWork, actor: Actor, page: PageRequest
) -> Page[WorkOrderSummary]:
    """我的报修: the resident's orders in every state, newest first."""
    resident = require_resident(actor)
    with uow:
        return map_page(uow.work_orders.of_resident(resident.resident_id, page), work_order_summary)


@attrs.frozen(kw_only=True)
class ListCommunityWorkOrders:
    community_id: UUID
    status: WorkOrderStatus | None = None
    page: PageRequest = attrs.field(factory=PageRequest)


def community_work_orders(
    uow: ServiceUnitOfWork, actor: Actor, query: ListCommunityWorkOrders
) -> Page[WorkOrderSummary]:
    """报修派单: the community's orders, e.g. the pending ones waiting for dispatch."""
    _require_workorder_staff(actor, query.community_id)
    with uow:
        found = uow.work_orders.in_community(query.community_id, query.status, query.page)
        return map_page(found, work_order_summary)


def technician_queue(
    uow: ServiceUnitOfWork, actor: Actor, page: PageRequest
) -> Page[WorkOrderSummary]:
    """报修处理: the orders dispatched to the acting technician, soonest arrival first."""
    staff = require_staff(actor, Permission.WORKORDER_WORK)
    with uow:
        found = uow.work_orders.assigned_to(staff.staff_id, QUEUE_STATUSES, page)
        return map_page(found, work_order_summary)


@attrs.frozen(kw_only=True)
class WorkOrderStatisticsQuery:
    community_id: UUID
    start: date
    end: date


def work_order_statistics(
    uow: ServiceUnitOfWork, actor: Actor, query: WorkOrderStatisticsQuery
) -> ServiceReport:
    """Orders reported on local dates start..end: the community's figures and each technician's.

    A reassigned order counts for the technician it ended with.
    """
    require_staff(actor, Permission.REPORT_READ, query.community_id)
    since, until = period_bounds(query.start, query.end)
    with uow:
        orders = uow.work_orders.reported_between(query.community_id, since, until)
        records = [order.service_record() for order in orders]
    return report(query.community_id, query.start, query.end, records)
