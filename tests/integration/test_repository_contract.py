"""One contract for the repositories, run on the in-memory store, a SQLite file and PostgreSQL.

Whatever a use case can observe through a repository (what is found, what survives a commit,
which conflicts are refused with which code, which events reach the outbox) is the same on
every backend.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID

import pytest
from persistence_samples import Backend, a_household, a_property, a_resident

from estate_core.properties.model import Member, MemberRole, OwnerOfRecord
from estate_core.shared.errors import ConcurrencyConflict, Conflict, InvalidInput, NotFound
from estate_core.shared.ids import new_id
from estate_core.shared.pagination import PageRequest

AT = datetime(2026, 3, 15, 2, 0, tzinfo=UTC)


def test_committed_resident_is_found_by_id_and_by_each_login_key(
    backend: Backend, tenant_id: UUID
) -> None:
    resident = a_resident(tenant_id, name="李四")
    resident.verify_phone(AT)
    resident.link_wechat("wx-openid-1")
    resident.link_alipay("2088-1")
    with backend.uow(tenant_id) as uow:
        uow.residents.add(resident)
        uow.commit()
    with backend.uow(tenant_id) as uow:
        loaded = uow.residents.get(resident.id)
        assert (loaded.phone, loaded.name, loaded.phone_verified_at) == ("13800000001", "李四", AT)
        assert uow.residents.find_by_phone("13800000001") is loaded
        assert uow.residents.find_by_wechat_openid("wx-openid-1") is loaded
        assert uow.residents.find_by_alipay_user_id("2088-1") is loaded
        assert uow.residents.find_by_phone("13900000000") is None
        assert uow.residents.find(new_id()) is None


def test_getting_a_missing_aggregate_raises_its_not_found_code(
    backend: Backend, tenant_id: UUID
) -> None:
    with backend.uow(tenant_id) as uow:
        with pytest.raises(NotFound) as resident:
            uow.residents.get(new_id())
        with pytest.raises(NotFound) as prop:
            uow.properties.get(new_id())
        with pytest.raises(NotFound) as household:
            uow.households.get(new_id())
    codes = (resident.value.code, prop.value.code, household.value.code)
    assert codes == ("resident.not_found", "property.not_found", "household.not_found")


def test_an_added_aggregate_is_found_before_commit_in_the_same_unit_of_work(
    backend: Backend, tenant_id: UUID
) -> None:
    resident = a_resident(tenant_id)
    with backend.uow(tenant_id) as uow:
        uow.residents.add(resident)
        assert uow.residents.find(resident.id) is resident
        assert uow.residents.find_by_phone(resident.phone) is resident


def test_leaving_without_commit_keeps_nothing(backend: Backend, tenant_id: UUID) -> None:
    resident = a_resident(tenant_id)
    with backend.uow(tenant_id) as uow:
        uow.residents.add(resident)
    with backend.uow(tenant_id) as uow:
        assert uow.residents.find(resident.id) is None
    assert backend.outbox() == []


def test_changes_to_a_loaded_aggregate_are_kept_only_when_committed(
    backend: Backend, tenant_id: UUID
) -> None:
    resident = a_resident(tenant_id)
    with backend.uow(tenant_id) as uow:
        uow.residents.add(resident)
        uow.commit()
    with backend.uow(tenant_id) as uow:
        uow.residents.get(resident.id).rename("王五")
    with backend.uow(tenant_id) as uow:
        assert uow.residents.get(resident.id).name == ""
        uow.residents.get(resident.id).rename("王五")
        uow.commit()
    with backend.uow(tenant_id) as uow:
        assert uow.residents.get(resident.id).name == "王五"


def test_second_resident_with_the_same_phone_is_refused(backend: Backend, tenant_id: UUID) -> None:
    with backend.uow(tenant_id) as uow:
        uow.residents.add(a_resident(tenant_id))
        uow.commit()
    with backend.uow(tenant_id) as uow:
        uow.residents.add(a_resident(tenant_id))
        with pytest.raises(Conflict) as raised:
            uow.commit()
    assert raised.value.code == "residents.duplicate"


def test_second_property_at_the_same_address_is_refused(backend: Backend, tenant_id: UUID) -> None:
    community_id = new_id()
    with backend.uow(tenant_id) as uow:
        uow.properties.add(a_property(tenant_id, community_id))
        uow.commit()
    with backend.uow(tenant_id) as uow:
        uow.properties.add(a_property(tenant_id, community_id))
        with pytest.raises(Conflict) as raised:
            uow.commit()
    assert raised.value.code == "properties.duplicate"


def test_property_keeps_its_value_objects_dates_and_exact_area(
    backend: Backend, tenant_id: UUID
) -> None:
    owner = OwnerOfRecord(name="张三", phone="13800000009")
    prop = a_property(tenant_id, new_id(), owner=owner)
    prop.billing_start, prop.billing_end = date(2026, 1, 15), date(2027, 1, 14)
    bare = a_property(tenant_id, prop.community_id, room="102")
    with backend.uow(tenant_id) as uow:
        uow.properties.add(prop)
        uow.properties.add(bare)
        uow.commit()
    with backend.uow(tenant_id) as uow:
        loaded = uow.properties.get(prop.id)
        assert loaded.owner_of_record == owner
        assert (loaded.area, loaded.billing_start, loaded.billing_end) == (
            Decimal("89.25"),
            date(2026, 1, 15),
            date(2027, 1, 14),
        )
        assert uow.properties.get(bare.id).owner_of_record is None
        loaded.record_owner(None)
        uow.properties.get(bare.id).record_owner(owner)
        uow.commit()
    with backend.uow(tenant_id) as uow:
        assert uow.properties.get(prop.id).owner_of_record is None
        assert uow.properties.get(bare.id).owner_of_record == owner


def test_property_is_found_by_its_address_in_its_community_only(
    backend: Backend, tenant_id: UUID
) -> None:
    prop = a_property(tenant_id, new_id(), building="3", unit="2", room="1201")
    with backend.uow(tenant_id) as uow:
        uow.properties.add(prop)
        uow.commit()
    with backend.uow(tenant_id) as uow:
        found = uow.properties.find_by_address(prop.community_id, "3", "2", "1201")
        assert found is not None
        assert found.id == prop.id
        assert uow.properties.find_by_address(new_id(), "3", "2", "1201") is None
        assert uow.properties.find_by_address(prop.community_id, "3", "2", "1202") is None


def test_listing_a_community_walks_every_property_once_in_address_order(
    backend: Backend, tenant_id: UUID
) -> None:
    community_id = new_id()
    addresses = [
        (building, unit, room)
        for building in ("1", "10", "2", "B栋")
        for unit in ("1", "2")
        for room in ("101", "1001", "201")
    ]
    with backend.uow(tenant_id) as uow:
        for building, unit, room in addresses:
            uow.properties.add(a_property(tenant_id, community_id, building, unit, room))
        uow.properties.add(a_property(tenant_id, new_id()))
        uow.commit()
    seen: list[tuple[str, str, str]] = []
    cursor: str | None = None
    pages = 0
    with backend.uow(tenant_id) as uow:
        while True:
            page = uow.properties.list_in_community(
                community_id, PageRequest(limit=5, after=cursor)
            )
            seen += [(p.building, p.unit, p.room) for p in page.items]
            pages += 1
            cursor = page.next_cursor
            if cursor is None:
                break
    assert seen == sorted(addresses)
    assert pages == 5


def test_household_members_survive_a_round_trip_with_roles_and_lease(
    backend: Backend, tenant_id: UUID
) -> None:
    prop = a_property(tenant_id, new_id())
    household = a_household(prop)
    owner, family, renter = (a_resident(tenant_id, f"1380000000{i}") for i in range(3))
    household.bind_owner(owner.id, AT)
    household.add_member(family.id, MemberRole.FAMILY, AT + timedelta(minutes=1))
    household.add_member(
        renter.id, MemberRole.TENANT, AT + timedelta(minutes=2), lease_end=date(2026, 12, 31)
    )
    with backend.uow(tenant_id) as uow:
        for resident in (owner, family, renter):
            uow.residents.add(resident)
        uow.properties.add(prop)
        uow.households.add(household)
        uow.commit()
    with backend.uow(tenant_id) as uow:
        loaded = uow.households.for_property(prop.id)
        assert loaded is not None
        assert list(loaded.members) == [
            Member(resident_id=owner.id, role=MemberRole.OWNER, since=AT),
            Member(resident_id=family.id, role=MemberRole.FAMILY, since=AT + timedelta(minutes=1)),
            Member(
                resident_id=renter.id,
                role=MemberRole.TENANT,
                since=AT + timedelta(minutes=2),
                lease_end=date(2026, 12, 31),
            ),
        ]
        assert loaded.owner_id == owner.id
        assert loaded.role_of(renter.id, date(2027, 1, 1)) is None


def test_membership_changes_are_kept_and_households_found_by_member(
    backend: Backend, tenant_id: UUID
) -> None:
    first, second = a_property(tenant_id, new_id()), a_property(tenant_id, new_id())
    homes = [a_household(first), a_household(second)]
    owner, family = a_resident(tenant_id, "13800000001"), a_resident(tenant_id, "13800000002")
    with backend.uow(tenant_id) as uow:
        uow.properties.add(first)
        uow.properties.add(second)
        uow.residents.add(owner)
        uow.residents.add(family)
        for household in homes:
            uow.households.add(household)
            household.bind_owner(owner.id, AT)
        homes[0].add_member(family.id, MemberRole.FAMILY, AT)
        uow.commit()
    with backend.uow(tenant_id) as uow:
        assert {h.property_id for h in uow.households.of_resident(owner.id)} == {
            first.id,
            second.id,
        }
        assert [h.property_id for h in uow.households.of_resident(family.id)] == [first.id]
        home = uow.households.get(homes[0].id)
        home.remove_member(family.id)
        uow.households.get(homes[1].id).unbind()
        assert uow.households.of_resident(family.id) == []
        uow.commit()
    with backend.uow(tenant_id) as uow:
        assert [h.property_id for h in uow.households.of_resident(owner.id)] == [first.id]
        assert uow.households.get(homes[1].id).members == []


def test_family_member_binding_as_owner_changes_role_in_place(
    backend: Backend, tenant_id: UUID
) -> None:
    prop = a_property(tenant_id, new_id())
    household = a_household(prop)
    person = a_resident(tenant_id)
    household.add_member(person.id, MemberRole.FAMILY, AT)
    with backend.uow(tenant_id) as uow:
        uow.residents.add(person)
        uow.properties.add(prop)
        uow.households.add(household)
        uow.commit()
    with backend.uow(tenant_id) as uow:
        uow.households.get(household.id).bind_owner(person.id, AT + timedelta(days=1))
        uow.commit()
    with backend.uow(tenant_id) as uow:
        members = uow.households.get(household.id).members
        assert [(m.resident_id, m.role) for m in members] == [(person.id, MemberRole.OWNER)]


def test_second_household_for_a_property_is_refused(backend: Backend, tenant_id: UUID) -> None:
    prop = a_property(tenant_id, new_id())
    with backend.uow(tenant_id) as uow:
        uow.properties.add(prop)
        uow.households.add(a_household(prop))
        uow.commit()
    with backend.uow(tenant_id) as uow:
        uow.households.add(a_household(prop))
        with pytest.raises(Conflict) as raised:
            uow.commit()
    assert raised.value.code == "households.duplicate"


def test_lost_update_of_a_resident_is_refused(
    interleaving_backend: Backend, tenant_id: UUID
) -> None:
    resident = a_resident(tenant_id)
    with interleaving_backend.uow(tenant_id) as uow:
        uow.residents.add(resident)
        uow.commit()
    first, second = interleaving_backend.uow(tenant_id), interleaving_backend.uow(tenant_id)
    with first, second:
        first.residents.get(resident.id).rename("甲")
        second.residents.get(resident.id).rename("乙")
        first.commit()
        with pytest.raises(ConcurrencyConflict):
            second.commit()
    with interleaving_backend.uow(tenant_id) as uow:
        assert uow.residents.get(resident.id).name == "甲"


def test_lost_update_of_household_members_alone_is_refused(
    interleaving_backend: Backend, tenant_id: UUID
) -> None:
    prop = a_property(tenant_id, new_id())
    household = a_household(prop)
    owner, family = a_resident(tenant_id, "13800000001"), a_resident(tenant_id, "13800000002")
    household.bind_owner(owner.id, AT)
    with interleaving_backend.uow(tenant_id) as uow:
        uow.residents.add(owner)
        uow.residents.add(family)
        uow.properties.add(prop)
        uow.households.add(household)
        uow.commit()
    first, second = interleaving_backend.uow(tenant_id), interleaving_backend.uow(tenant_id)
    with first:
        first.households.get(household.id).add_member(family.id, MemberRole.FAMILY, AT)
        with second:
            second.households.get(household.id).unbind()
            second.commit()
        with pytest.raises(ConcurrencyConflict):
            first.commit()
    with interleaving_backend.uow(tenant_id) as uow:
        assert uow.households.get(household.id).members == []


def test_commit_turns_pending_events_into_outbox_messages_once(
    backend: Backend, tenant_id: UUID
) -> None:
    prop = a_property(tenant_id, new_id())
    household = a_household(prop)
    owner = a_resident(tenant_id)
    with backend.uow(tenant_id) as uow:
        uow.residents.add(owner)
        uow.properties.add(prop)
        uow.households.add(household)
        household.bind_owner(owner.id, AT)
        owner.verify_phone(AT)
        uow.commit()
        assert household.pending_events == ()
        uow.commit()
    messages = backend.outbox()
    assert sorted(m.event_name for m in messages) == ["OwnerBound", "ResidentVerified"]
    bound = next(m for m in messages if m.event_name == "OwnerBound")
    assert bound.tenant_id == tenant_id
    assert bound.payload == {
        "property_id": str(prop.id),
        "resident_id": str(owner.id),
        "automatic": False,
    }
    assert bound.occurred_at == AT


def test_events_of_a_loaded_aggregate_reach_the_outbox_even_if_the_caller_drops_it(
    backend: Backend, tenant_id: UUID
) -> None:
    resident = a_resident(tenant_id)
    with backend.uow(tenant_id) as uow:
        uow.residents.add(resident)
        uow.commit()
    with backend.uow(tenant_id) as uow:
        uow.residents.get(resident.id).verify_phone(AT)
        uow.residents.find_by_phone("13900000000")
        uow.commit()
    assert [m.event_name for m in backend.outbox()] == ["ResidentVerified"]


def test_a_cursor_this_service_did_not_give_is_refused(backend: Backend, tenant_id: UUID) -> None:
    with backend.uow(tenant_id) as uow, pytest.raises(InvalidInput) as raised:
        uow.properties.list_in_community(new_id(), PageRequest(after="not a cursor!"))
    assert raised.value.code == "page.invalid_cursor"
