"""The properties use cases, unchanged, on the SQLAlchemy unit of work (SQLite and PostgreSQL).

Registering a home, importing its owner (bound at once: a verified phone), claiming it again
(nothing changes), adding a tenant with a lease
and handing the home over, each in its own unit of work, read back from the database.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from adapters.persistence.sqlalchemy import SqlAlchemyUnitOfWork
from estate_core.identity.model import Resident
from estate_core.properties import services
from estate_core.properties.model import MemberRole, PropertyKind
from estate_core.shared.access import Permission, ResidentActor, StaffActor
from estate_core.shared.clock import FixedClock
from estate_core.shared.ids import new_id

ADMIN = StaffActor(staff_id=new_id(), permissions=frozenset(Permission))


def test_a_home_is_registered_claimed_shared_and_handed_over(
    make_uow: Callable[[UUID], SqlAlchemyUnitOfWork], clock: FixedClock, tenant_id: UUID
) -> None:
    uow: Any = make_uow(tenant_id)
    community_id = new_id()
    owner = Resident(id=new_id(), tenant_id=tenant_id, phone="13800000001", created_at=clock.now())
    owner.verify_phone(clock.now())
    with uow:
        uow.residents.add(owner)
        uow.commit()

    property_id = services.register_property(
        uow,
        ADMIN,
        services.RegisterProperty(
            community_id=community_id,
            kind=PropertyKind.RESIDENCE,
            building="5",
            unit="2",
            room="1702",
            area=Decimal("120.35"),
        ),
    )
    bound_at_import = services.record_owner(
        uow,
        clock,
        ADMIN,
        services.RecordOwner(property_id=property_id, name="赵六", phone="138 0000 0001"),
    )
    assert bound_at_import

    claimed_again = services.claim_property(
        uow,
        clock,
        ResidentActor(resident_id=owner.id),
        services.ClaimProperty(
            community_id=community_id,
            building="5",
            unit="2",
            room="1702",
            owner_name="赵六",
            owner_phone="13800000001",
        ),
    )
    assert claimed_again == property_id

    renter_id = services.add_member(
        uow,
        clock,
        ResidentActor(resident_id=owner.id),
        services.AddMember(
            property_id=property_id,
            phone="13900000002",
            name="租客",
            role=MemberRole.TENANT,
            lease_end=date(2026, 12, 31),
        ),
    )
    today = clock.now().date()
    with uow:
        mine = services.memberships(uow, owner.id, today)
        theirs = services.memberships(uow, renter_id, today)
        lapsed = services.memberships(uow, renter_id, date(2027, 1, 1))
    assert [(m.property_id, m.role, m.address) for m in mine] == [
        (property_id, MemberRole.OWNER, "5-2-1702")
    ]
    assert [m.role for m in theirs] == [MemberRole.TENANT]
    assert lapsed == []

    clock.advance(timedelta(days=30))
    services.unbind(uow, ResidentActor(resident_id=owner.id), property_id)
    with uow:
        assert services.memberships(uow, owner.id, today) == []
        assert services.memberships(uow, renter_id, today) == []
        assert not services.is_bound_in_community(uow, owner.id, community_id, today)
