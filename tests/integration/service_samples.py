"""Builders of work orders and complaints in every state, for the service persistence tests.

The aggregates are driven through their own methods (never by setting fields), so every stored
row is a state the domain can reach. Each order or complaint belongs to a resident and a
property that exist, as the database's foreign keys require.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import attrs
from persistence_samples import a_property, a_resident

from estate_core.service.common import ActorRef, Rating
from estate_core.service.complaint import Complaint, ComplaintCategory, ComplaintKind
from estate_core.service.workorder import WorkOrder
from estate_core.service.workorder_states import (
    AUTO_CLOSE_AFTER,
    RepairKind,
    ReportChannel,
    Technician,
)
from estate_core.shared.ids import new_id

AT = datetime(2026, 3, 15, 2, 0, tzinfo=UTC)
DESK = ActorRef.staff(new_id())
"""Customer service 客服 acting on every order."""


def technician(name: str = "李师傅", phone: str = "13900000001") -> Technician:
    return Technician(staff_id=new_id(), name=name, phone=phone)


@attrs.frozen
class Home:
    """A resident bound to nothing in particular: just the rows the foreign keys need."""

    tenant_id: UUID
    community_id: UUID
    property_id: UUID
    resident_id: UUID


def add_home(
    uow_factory: Callable[[UUID], Any],
    tenant_id: UUID,
    community_id: UUID | None = None,
    phone: str = "13800000001",
    room: str = "101",
) -> Home:
    community_id = community_id or new_id()
    resident = a_resident(tenant_id, phone)
    prop = a_property(tenant_id, community_id, room=room)
    with uow_factory(tenant_id) as uow:
        uow.residents.add(resident)
        uow.properties.add(prop)
        uow.commit()
    return Home(tenant_id, community_id, prop.id, resident.id)


def report(
    home: Home,
    at: datetime = AT,
    *,
    kind: RepairKind = RepairKind.FAULT,
    photos: tuple[str, ...] = ("uploads/leak-1.jpg",),
) -> WorkOrder:
    return WorkOrder.report(
        id=new_id(),
        tenant_id=home.tenant_id,
        community_id=home.community_id,
        property_id=home.property_id,
        resident_id=home.resident_id,
        channel=ReportChannel.ONLINE,
        kind=kind,
        category="水电",
        description="厨房水管漏水",
        photos=photos,
        contact_phone="13800000001",
        preferred_time=at + timedelta(days=2) if kind is RepairKind.APPOINTMENT else None,
        by=ActorRef.resident(home.resident_id),
        at=at,
    )


def dispatched(order: WorkOrder, to: Technician, at: datetime, arrival: timedelta) -> WorkOrder:
    if order.kind is RepairKind.APPOINTMENT:
        order.approve(DESK, at, "已电话确认")
    order.dispatch(to, at + arrival, DESK, at)
    return order


def completed(order: WorkOrder, at: datetime) -> WorkOrder:
    """Dispatched, accepted and completed at ``at`` (its arrival an hour later)."""
    to = technician()
    dispatched(order, to, at, timedelta(hours=1))
    order.accept(to.staff_id, at)
    order.complete(to.staff_id, ["uploads/fixed-1.jpg", "uploads/fixed-2.jpg"], at, "换了阀门")
    return order


def closed_by_rating(order: WorkOrder, at: datetime, stars: int = 5) -> WorkOrder:
    completed(order, at)
    order.rate(order.resident_id, Rating(stars=stars, text="师傅很专业"), at)
    return order


def auto_close_time(order: WorkOrder) -> datetime:
    assert order.completed_at is not None
    return order.completed_at + AUTO_CLOSE_AFTER


def submit(home: Home, at: datetime = AT) -> Complaint:
    return Complaint.submit(
        id=new_id(),
        tenant_id=home.tenant_id,
        community_id=home.community_id,
        property_id=home.property_id,
        resident_id=home.resident_id,
        kind=ComplaintKind.COMPLAINT,
        category=ComplaintCategory.ENVIRONMENT,
        text="楼下绿化带很久没有修剪",
        photos=("uploads/grass.jpg",),
        contact_phone="13800000001",
        at=at,
    )


def replied(complaint: Complaint, at: datetime, handler: UUID | None = None) -> Complaint:
    handler = handler or new_id()
    complaint.accept(handler, at)
    complaint.reply(handler, "已安排绿化班组本周修剪", at)
    return complaint
