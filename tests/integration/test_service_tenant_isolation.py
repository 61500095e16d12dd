"""No service repository method returns another tenant's work order or complaint, on any backend.

Two tenants hold look-alike cases (same community id, same technician id, same times); every
method is called from the second tenant's unit of work with the first tenant's ids, and must
only ever see the second tenant's rows.
"""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import attrs
import pytest
from isolation import assert_adding_is_refused, assert_every_public_method_is_covered, assert_unseen
from persistence_samples import Backend
from service_samples import AT, add_home, completed, dispatched, replied, report, submit

from adapters.persistence.sqlalchemy.repositories.service import (
    SqlComplaintRepository,
    SqlWorkOrderRepository,
)
from estate_core.service.complaint import Complaint
from estate_core.service.workorder import WorkOrder
from estate_core.service.workorder_states import QUEUE_STATUSES, Technician, WorkOrderStatus
from estate_core.shared.ids import new_id
from estate_core.shared.pagination import PageRequest

COMMUNITY = new_id()
"""Shared on purpose: a query filtering on the community but not the tenant would leak."""
TECHNICIAN = Technician(staff_id=new_id(), name="李师傅", phone="13900000001")
"""Shared on purpose, like the community."""
EVERYTHING = PageRequest(limit=50)

COVERED = {
    SqlWorkOrderRepository: {
        "add",
        "get",
        "find",
        "of_resident",
        "in_community",
        "assigned_to",
        "completed_before",
        "reported_between",
    },
    SqlComplaintRepository: {
        "add",
        "get",
        "find",
        "of_resident",
        "in_community",
        "replied_before",
        "submitted_between",
    },
}


@attrs.frozen
class Tenant:
    id: UUID
    resident_id: UUID
    queued: UUID
    """A work order in the shared technician's queue."""
    done: UUID
    """A completed, unrated work order."""
    answered: UUID
    """A replied complaint."""
    orders: frozenset[UUID]
    complaints: frozenset[UUID]


def _populate(backend: Backend) -> Tenant:
    tenant_id = new_id()
    home = add_home(backend.uow, tenant_id, COMMUNITY)
    queued = dispatched(report(home), TECHNICIAN, AT, timedelta(hours=1))
    done = completed(report(home), AT)
    answered = replied(submit(home), AT)
    orders: list[WorkOrder] = [queued, done, report(home)]
    complaints: list[Complaint] = [answered, submit(home)]
    with backend.uow(tenant_id) as uow:
        for order in orders:
            uow.work_orders.add(order)
        for complaint in complaints:
            uow.complaints.add(complaint)
        uow.commit()
        return Tenant(
            id=tenant_id,
            resident_id=home.resident_id,
            queued=queued.id,
            done=done.id,
            answered=answered.id,
            orders=frozenset(o.id for o in orders),
            complaints=frozenset(c.id for c in complaints),
        )


@pytest.fixture
def tenants(backend: Backend) -> tuple[Tenant, Tenant]:
    return _populate(backend), _populate(backend)


def test_every_service_repository_method_is_covered_here() -> None:
    assert_every_public_method_is_covered(COVERED)


def test_work_orders_of_another_tenant_are_invisible(
    backend: Backend, tenants: tuple[Tenant, Tenant]
) -> None:
    first, second = tenants
    later = AT + timedelta(days=30)
    with backend.uow(second.id) as uow:
        orders = uow.work_orders
        assert_unseen(orders, first.done)
        assert orders.of_resident(first.resident_id, EVERYTHING).items == []
        lists = {
            "community": orders.in_community(COMMUNITY, None, EVERYTHING).items,
            "completed": orders.in_community(
                COMMUNITY, WorkOrderStatus.COMPLETED, EVERYTHING
            ).items,
            "queue": orders.assigned_to(TECHNICIAN.staff_id, QUEUE_STATUSES, EVERYTHING).items,
            "due": orders.completed_before(later),
            "reported": orders.reported_between(COMMUNITY, AT, later),
            "own": orders.of_resident(second.resident_id, EVERYTHING).items,
        }
        seen = {name: {(o.tenant_id, o.id) for o in found} for name, found in lists.items()}
    every = {(second.id, order_id) for order_id in second.orders}
    assert seen == {
        "community": every,
        "completed": {(second.id, second.done)},
        "queue": {(second.id, second.queued)},
        "due": {(second.id, second.done)},
        "reported": every,
        "own": every,
    }


def test_complaints_of_another_tenant_are_invisible(
    backend: Backend, tenants: tuple[Tenant, Tenant]
) -> None:
    first, second = tenants
    later = AT + timedelta(days=30)
    with backend.uow(second.id) as uow:
        complaints = uow.complaints
        assert_unseen(complaints, first.answered)
        assert complaints.of_resident(first.resident_id, EVERYTHING).items == []
        lists = {
            "community": complaints.in_community(COMMUNITY, None, EVERYTHING).items,
            "due": complaints.replied_before(later),
            "submitted": complaints.submitted_between(COMMUNITY, AT, later),
            "own": complaints.of_resident(second.resident_id, EVERYTHING).items,
        }
        seen = {name: {(c.tenant_id, c.id) for c in found} for name, found in lists.items()}
    every = {(second.id, complaint_id) for complaint_id in second.complaints}
    assert seen == {
        "community": every,
        "due": {(second.id, second.answered)},
        "submitted": every,
        "own": every,
    }


def test_adding_a_case_of_another_tenant_is_refused(
    backend: Backend, tenants: tuple[Tenant, Tenant]
) -> None:
    first, second = tenants
    home = add_home(backend.uow, first.id, COMMUNITY, "13800000009", "909")
    with backend.uow(second.id) as uow:
        assert_adding_is_refused([(uow.work_orders, report(home)), (uow.complaints, submit(home))])
