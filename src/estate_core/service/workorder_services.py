"""Use cases that change a WorkOrder 报修工单: report, review, dispatch, work, rate, cancel, visit.

Who may do what: residents report for a property they are an active member of, and rate or
cancel their own orders; customer service enters phone reports (workorder.create), reviews
appointments (workorder.review), dispatches, reassigns and cancels (workorder.dispatch) and
records return visits (workorder.visit); the assigned technician accepts and completes
(workorder.work). Staff act only inside their data scope. Another resident's order is NotFound.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

import attrs

from estate_core.properties.services import require_member
from estate_core.service.common import ActorRef, Rating
from estate_core.service.errors import TechnicianIneligible
from estate_core.service.ports import ServiceUnitOfWork
from estate_core.service.support import contact_phone, require_resident
from estate_core.service.workorder import WorkOrder
from estate_core.service.workorder_queries import own_order
from estate_core.service.workorder_states import (
    AUTO_CLOSE_AFTER,
    RepairKind,
    ReportChannel,
    Technician,
)
from estate_core.shared.access import (
    Actor,
    Permission,
    ResidentActor,
    StaffActor,
    require_staff,
)
from estate_core.shared.clock import Clock, local_date
from estate_core.shared.errors import ConcurrencyConflict
from estate_core.shared.ids import new_id


@attrs.frozen(kw_only=True)
class ReportRepair:
    """A resident reports a repair (在线报修) for one of their properties."""

    property_id: UUID
    category: str
    description: str
    photos: Sequence[str] = ()
    contact_phone: str | None = None
    kind: RepairKind = RepairKind.FAULT
    preferred_time: datetime | None = None


@attrs.frozen(kw_only=True)
class ReportRepairByPhone(ReportRepair):
    """Customer service enters a phone report (电话报修) on a resident's behalf."""

    resident_id: UUID


def report_repair(uow: ServiceUnitOfWork, clock: Clock, actor: Actor, cmd: ReportRepair) -> UUID:
    """Only an active member of the property may report: unbound residents cannot (seed 004)."""
    resident = require_resident(actor)
    return _report(uow, clock, resident.resident_id, ReportChannel.ONLINE, ActorRef.of(actor), cmd)


def report_repair_by_phone(
    uow: ServiceUnitOfWork, clock: Clock, actor: Actor, cmd: ReportRepairByPhone
) -> UUID:
    require_staff(actor, Permission.WORKORDER_CREATE)
    return _report(
        uow, clock, cmd.resident_id, ReportChannel.PHONE, ActorRef.of(actor), cmd, staff=actor
    )


def _report(
    uow: ServiceUnitOfWork,
    clock: Clock,
    resident_id: UUID,
    channel: ReportChannel,
    by: ActorRef,
    cmd: ReportRepair,
    staff: Actor | None = None,
) -> UUID:
    now = clock.now()
    with uow:
        household, _ = require_member(uow, resident_id, cmd.property_id, local_date(now))
        if staff is not None:
            require_staff(staff, Permission.WORKORDER_CREATE, household.community_id)
        order = WorkOrder.report(
            id=new_id(),
            tenant_id=uow.tenant_id,
            community_id=household.community_id,
            property_id=cmd.property_id,
            resident_id=resident_id,
            channel=channel,
            kind=cmd.kind,
            category=cmd.category,
            description=cmd.description,
            photos=cmd.photos,
            contact_phone=contact_phone(uow, resident_id, cmd.contact_phone),
            preferred_time=cmd.preferred_time,
            by=by,
            at=now,
        )
        uow.work_orders.add(order)
        uow.commit()
        return order.id


def _staff_order(
    uow: ServiceUnitOfWork, actor: Actor, work_order_id: UUID, permission: Permission
) -> tuple[WorkOrder, StaffActor]:
    order = uow.work_orders.get(work_order_id)
    return order, require_staff(actor, permission, order.community_id)


@attrs.frozen(kw_only=True)
class ApproveRepair:
    work_order_id: UUID
    note: str = ""


def approve_repair(uow: ServiceUnitOfWork, clock: Clock, actor: Actor, cmd: ApproveRepair) -> None:
    """审核通过 an appointment repair, typically after phoning the resident."""
    with uow:
        order, staff = _staff_order(uow, actor, cmd.work_order_id, Permission.WORKORDER_REVIEW)
        order.approve(ActorRef.of(staff), clock.now(), cmd.note)
        uow.commit()


@attrs.frozen(kw_only=True)
class RejectRepair:
    work_order_id: UUID
    reason: str


def reject_repair(uow: ServiceUnitOfWork, clock: Clock, actor: Actor, cmd: RejectRepair) -> None:
    with uow:
        order, staff = _staff_order(uow, actor, cmd.work_order_id, Permission.WORKORDER_REVIEW)
        order.reject(ActorRef.of(staff), clock.now(), cmd.reason)
        uow.commit()


@attrs.frozen(kw_only=True)
class DispatchRepair:
    work_order_id: UUID
    technician_id: UUID
    expected_arrival: datetime


@attrs.frozen(kw_only=True)
class ReassignRepair:
    work_order_id: UUID
    technician_id: UUID
    expected_arrival: datetime
    note: str = ""


def _technician(uow: ServiceUnitOfWork, staff_id: UUID, community_id: UUID) -> Technician:
    """A technician who may be sent here: an active account holding workorder.work whose data
    scope covers the community (维修员工管理, seed 001 §2.3.3)."""
    staff = uow.staff.find(staff_id)
    if staff is None or staff.disabled:
        raise TechnicianIneligible("no such technician")
    if not staff.actor(uow.roles.all()).can(Permission.WORKORDER_WORK, community_id):
        raise TechnicianIneligible("that technician does not serve this community")
    return Technician(staff_id=staff.id, name=staff.name, phone=staff.phone)


def dispatch_repair(
    uow: ServiceUnitOfWork,
    clock: Clock,
    actor: Actor,
    cmd: DispatchRepair,
) -> None:
    """派工 to a technician serving the community, with the expected arrival."""
    with uow:
        order, staff = _staff_order(uow, actor, cmd.work_order_id, Permission.WORKORDER_DISPATCH)
        technician = _technician(uow, cmd.technician_id, order.community_id)
        order.dispatch(technician, cmd.expected_arrival, ActorRef.of(staff), clock.now())
        uow.commit()


def reassign_repair(
    uow: ServiceUnitOfWork,
    clock: Clock,
    actor: Actor,
    cmd: ReassignRepair,
) -> None:
    """改派 a dispatched or accepted order to another technician."""
    with uow:
        order, staff = _staff_order(uow, actor, cmd.work_order_id, Permission.WORKORDER_DISPATCH)
        technician = _technician(uow, cmd.technician_id, order.community_id)
        order.reassign(technician, cmd.expected_arrival, ActorRef.of(staff), clock.now(), cmd.note)
        uow.commit()


@attrs.frozen(kw_only=True)
class AcceptRepair:
    """The technician confirms, optionally with the arrival time agreed with the resident."""

    work_order_id: UUID
    expected_arrival: datetime | None = None


def accept_repair(uow: ServiceUnitOfWork, clock: Clock, actor: Actor, cmd: AcceptRepair) -> None:
    with uow:
        order, staff = _staff_order(uow, actor, cmd.work_order_id, Permission.WORKORDER_WORK)
        order.accept(staff.staff_id, clock.now(), cmd.expected_arrival)
        uow.commit()


@attrs.frozen(kw_only=True)
class CompleteRepair:
    work_order_id: UUID
    photos: Sequence[str]
    note: str = ""


def complete_repair(
    uow: ServiceUnitOfWork, clock: Clock, actor: Actor, cmd: CompleteRepair
) -> None:
    with uow:
        order, staff = _staff_order(uow, actor, cmd.work_order_id, Permission.WORKORDER_WORK)
        order.complete(staff.staff_id, cmd.photos, clock.now(), cmd.note)
        uow.commit()


@attrs.frozen(kw_only=True)
class RateRepair:
    work_order_id: UUID
    stars: int
    text: str = ""


def rate_repair(uow: ServiceUnitOfWork, clock: Clock, actor: Actor, cmd: RateRepair) -> None:
    """The reporting resident rates the repair, which closes it (已完成)."""
    resident = require_resident(actor)
    rating = Rating(stars=cmd.stars, text=cmd.text)
    with uow:
        order = own_order(uow, resident, cmd.work_order_id)
        order.rate(resident.resident_id, rating, clock.now())
        uow.commit()


@attrs.frozen(kw_only=True)
class CancelRepair:
    work_order_id: UUID
    reason: str = ""


def cancel_repair(uow: ServiceUnitOfWork, clock: Clock, actor: Actor, cmd: CancelRepair) -> None:
    """The reporting resident cancels before dispatch; staff cancel anything not completed."""
    with uow:
        if isinstance(actor, ResidentActor):
            order = own_order(uow, actor, cmd.work_order_id)
            order.cancel_by_resident(actor.resident_id, clock.now(), cmd.reason)
        else:
            order, staff = _staff_order(
                uow, actor, cmd.work_order_id, Permission.WORKORDER_DISPATCH
            )
            order.cancel_by_staff(ActorRef.of(staff), clock.now(), cmd.reason)
        uow.commit()


@attrs.frozen(kw_only=True)
class RecordRepairVisit:
    work_order_id: UUID
    note: str


def record_repair_visit(
    uow: ServiceUnitOfWork, clock: Clock, actor: Actor, cmd: RecordRepairVisit
) -> None:
    """回访: customer service records what the resident said when phoned after closing."""
    with uow:
        order, staff = _staff_order(uow, actor, cmd.work_order_id, Permission.WORKORDER_VISIT)
        order.record_visit(staff.staff_id, clock.now(), cmd.note)
        uow.commit()


def close_unrated(uow: ServiceUnitOfWork, now: datetime) -> list[UUID]:
    """The worker's job: close every order completed at least three days ago and still unrated.

    Each order closes in its own transaction, so one resident rating at that very moment
    (a concurrency conflict) costs only their order, which their rating closed anyway.
    Running the job twice closes nothing twice.
    """
    with uow:
        due = [order.id for order in uow.work_orders.completed_before(now - AUTO_CLOSE_AFTER)]
    closed = []
    for work_order_id in due:
        with uow:
            order = uow.work_orders.get(work_order_id)
            if not order.auto_close_due(now):
                continue
            order.close_unrated(now)
            try:
                uow.commit()
            except ConcurrencyConflict:
                continue
            closed.append(work_order_id)
    return closed
