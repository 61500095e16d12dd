"""Binding rules of DESIGN.md §4 (seeds 002, 003, 004), proven through the use cases."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from uuid import UUID

import pytest

from adapters.persistence.memory import InMemoryUnitOfWork
from estate_core.identity.model import Resident
from estate_core.properties import services
from estate_core.properties.model import Household, MemberRole, PropertyKind
from estate_core.shared.access import Permission, ResidentActor, StaffActor
from estate_core.shared.clock import FixedClock, local_date
from estate_core.shared.errors import PermissionDenied
from estate_core.shared.ids import new_id
from world_builders import code_of

COMMUNITY = new_id()
OWNER_PHONE = "13800000001"


def _verified_resident(uow: InMemoryUnitOfWork, clock: FixedClock, phone: str) -> ResidentActor:
    """The resident for ``phone`` after an SMS login: the imported account if any, verified."""
    with uow:
        resident = uow.residents.find_by_phone(phone)
        if resident is None:
            resident = Resident(
                id=new_id(), tenant_id=uow.tenant_id, phone=phone, created_at=clock.now()
            )
            uow.residents.add(resident)
        resident.verify_phone(clock.now())
        uow.commit()
    return ResidentActor(resident_id=resident.id)


def _home(uow: InMemoryUnitOfWork, admin: StaffActor, room: str = "101") -> UUID:
    return services.register_property(
        uow,
        admin,
        services.RegisterProperty(
            community_id=COMMUNITY,
            kind=PropertyKind.RESIDENCE,
            building="1",
            unit="2",
            room=room,
            area=Decimal("88.50"),
        ),
    )


def _claim(
    phone: str = OWNER_PHONE, name: str = "张三", room: str = "101"
) -> services.ClaimProperty:
    return services.ClaimProperty(
        community_id=COMMUNITY,
        building="1",
        unit="2",
        room=room,
        owner_name=name,
        owner_phone=phone,
    )


@pytest.fixture
def home(uow: InMemoryUnitOfWork, admin: StaffActor, clock: FixedClock) -> UUID:
    property_id = _home(uow, admin)
    services.record_owner(
        uow,
        clock,
        admin,
        services.RecordOwner(property_id=property_id, name="张三", phone=OWNER_PHONE),
    )
    return property_id


def test_owner_binds_a_home_matching_the_owner_of_record(
    uow: InMemoryUnitOfWork, clock: FixedClock, home: UUID
) -> None:
    owner = _verified_resident(uow, clock, OWNER_PHONE)
    assert services.claim_property(uow, clock, owner, _claim()) == home
    with uow:
        roles = services.memberships(uow, owner.resident_id, local_date(clock.now()))
    assert [(m.property_id, m.role) for m in roles] == [(home, MemberRole.OWNER)]
    assert [m.event_name for m in uow._store.outbox][-1] == "OwnerBound"


def test_claim_with_wrong_owner_name_is_refused(
    uow: InMemoryUnitOfWork, clock: FixedClock, home: UUID
) -> None:
    owner = _verified_resident(uow, clock, OWNER_PHONE)
    code = code_of(lambda: services.claim_property(uow, clock, owner, _claim(name="李四")))
    assert code == "household.owner_mismatch"


def test_knowing_the_owners_phone_is_not_enough_to_bind(
    uow: InMemoryUnitOfWork, clock: FixedClock, home: UUID
) -> None:
    stranger = _verified_resident(uow, clock, "13900000009")
    code = code_of(lambda: services.claim_property(uow, clock, stranger, _claim()))
    assert code == "household.owner_mismatch"


def test_second_owner_cannot_bind_a_bound_home(
    uow: InMemoryUnitOfWork, clock: FixedClock, admin: StaffActor, home: UUID
) -> None:
    owner = _verified_resident(uow, clock, OWNER_PHONE)
    services.claim_property(uow, clock, owner, _claim())
    with uow:
        household = uow.households.for_property(home)
        assert household is not None
        other = new_id()
        code = code_of(lambda: household.bind_owner(other, clock.now()))
    assert code == "household.already_bound"


def test_imported_owner_who_is_a_verified_resident_is_bound_automatically(
    uow: InMemoryUnitOfWork, clock: FixedClock, admin: StaffActor
) -> None:
    owner = _verified_resident(uow, clock, "13700000007")
    property_id = _home(uow, admin, room="202")
    bound = services.record_owner(
        uow,
        clock,
        admin,
        services.RecordOwner(property_id=property_id, name="王五", phone="137 0000 0007"),
    )
    assert bound
    with uow:
        household = uow.households.for_property(property_id)
        assert household is not None
        assert household.owner_id == owner.resident_id


def test_imported_owner_with_a_new_phone_gets_an_unverified_account_and_no_binding(
    uow: InMemoryUnitOfWork, clock: FixedClock, admin: StaffActor
) -> None:
    property_id = _home(uow, admin, room="303")
    bound = services.record_owner(
        uow,
        clock,
        admin,
        services.RecordOwner(property_id=property_id, name="赵六", phone="13600000006"),
    )
    assert not bound
    with uow:
        resident = uow.residents.find_by_phone("13600000006")
        assert resident is not None
        assert not resident.is_verified


def test_owner_adds_family_and_tenant_who_then_act_for_the_home(
    uow: InMemoryUnitOfWork, clock: FixedClock, home: UUID
) -> None:
    owner = _verified_resident(uow, clock, OWNER_PHONE)
    services.claim_property(uow, clock, owner, _claim())
    today = local_date(clock.now())
    family = services.add_member(
        uow,
        clock,
        owner,
        services.AddMember(
            property_id=home, phone="13500000005", name="家人", role=MemberRole.FAMILY
        ),
    )
    tenant = services.add_member(
        uow,
        clock,
        owner,
        services.AddMember(
            property_id=home,
            phone="13400000004",
            name="租客",
            role=MemberRole.TENANT,
            lease_end=today + timedelta(days=30),
        ),
    )
    with uow:
        assert services.require_member(uow, family, home, today)[1] is MemberRole.FAMILY
        assert services.require_member(uow, tenant, home, today)[1] is MemberRole.TENANT


def test_family_cannot_manage_members(
    uow: InMemoryUnitOfWork, clock: FixedClock, home: UUID
) -> None:
    owner = _verified_resident(uow, clock, OWNER_PHONE)
    services.claim_property(uow, clock, owner, _claim())
    family_id = services.add_member(
        uow,
        clock,
        owner,
        services.AddMember(
            property_id=home, phone="13500000005", name="家人", role=MemberRole.FAMILY
        ),
    )
    family = ResidentActor(resident_id=family_id)
    code = code_of(
        lambda: services.add_member(
            uow,
            clock,
            family,
            services.AddMember(
                property_id=home, phone="13300000003", name="x", role=MemberRole.FAMILY
            ),
        )
    )
    assert code == "household.not_owner"
    assert (
        code_of(lambda: services.remove_member(uow, family, home, owner.resident_id))
        == "household.not_owner"
    )


def test_tenant_access_lapses_after_the_lease_end(
    uow: InMemoryUnitOfWork, clock: FixedClock, home: UUID
) -> None:
    owner = _verified_resident(uow, clock, OWNER_PHONE)
    services.claim_property(uow, clock, owner, _claim())
    today = local_date(clock.now())
    tenant = services.add_member(
        uow,
        clock,
        owner,
        services.AddMember(
            property_id=home,
            phone="13400000004",
            name="租客",
            role=MemberRole.TENANT,
            lease_end=today,
        ),
    )
    with uow:
        assert services.require_member(uow, tenant, home, today)[1] is MemberRole.TENANT
        tomorrow = today + timedelta(days=1)
        assert (
            code_of(lambda: services.require_member(uow, tenant, home, tomorrow))
            == "household.not_member"
        )


def test_unbinding_hands_the_home_over_and_removes_everyone(
    uow: InMemoryUnitOfWork, clock: FixedClock, home: UUID
) -> None:
    owner = _verified_resident(uow, clock, OWNER_PHONE)
    services.claim_property(uow, clock, owner, _claim())
    family = services.add_member(
        uow,
        clock,
        owner,
        services.AddMember(
            property_id=home, phone="13500000005", name="家人", role=MemberRole.FAMILY
        ),
    )
    services.unbind(uow, owner, home)
    today = local_date(clock.now())
    with uow:
        assert (
            code_of(lambda: services.require_member(uow, family, home, today))
            == "household.not_member"
        )
        assert (
            code_of(lambda: services.require_member(uow, owner.resident_id, home, today))
            == "household.not_member"
        )
    services.claim_property(uow, clock, owner, _claim())


def test_unbound_resident_is_not_a_member(
    uow: InMemoryUnitOfWork, clock: FixedClock, home: UUID
) -> None:
    resident = _verified_resident(uow, clock, "13900000009")
    with uow:
        today = local_date(clock.now())
        assert not services.is_bound_in_community(uow, resident.resident_id, COMMUNITY, today)
        code = code_of(lambda: services.require_member(uow, resident.resident_id, home, today))
    assert code == "household.not_member"


def test_disabled_resident_cannot_act_for_the_home(
    uow: InMemoryUnitOfWork, clock: FixedClock, home: UUID
) -> None:
    owner = _verified_resident(uow, clock, OWNER_PHONE)
    services.claim_property(uow, clock, owner, _claim())
    with uow:
        uow.residents.get(owner.resident_id).disabled = True
        uow.commit()
    with uow:
        today = local_date(clock.now())
        code = code_of(lambda: services.require_member(uow, owner.resident_id, home, today))
    assert code == "resident.disabled"


def test_staff_outside_the_data_scope_cannot_register_properties(
    uow: InMemoryUnitOfWork,
) -> None:
    scoped = StaffActor(
        staff_id=new_id(),
        permissions=frozenset({Permission.PROPERTY_MANAGE}),
        community_ids=frozenset({new_id()}),
    )
    with pytest.raises(PermissionDenied) as raised:
        _home(uow, scoped)
    assert raised.value.code == "permission.out_of_scope"


def test_failed_registration_leaves_the_data_as_it_was(
    uow: InMemoryUnitOfWork, admin: StaffActor, home: UUID
) -> None:
    before = {name: dict(rows) for name, rows in uow._store.tables.items()}
    assert code_of(lambda: _home(uow, admin)) == "property.duplicate"
    assert {name: dict(rows) for name, rows in uow._store.tables.items()} == before


def test_an_owner_may_not_be_added_as_a_member(clock: FixedClock) -> None:
    household = Household(
        id=new_id(), tenant_id=new_id(), community_id=COMMUNITY, property_id=new_id()
    )
    code = code_of(lambda: household.add_member(new_id(), MemberRole.OWNER, clock.now()))
    assert code == "household.invalid_role"
    assert household.members == []
