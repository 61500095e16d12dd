"""No repository method ever returns a row of another tenant (DESIGN.md §3), on any backend.

Two tenants hold look-alike data (same phones, same community id, same addresses); every
repository method is called from the second tenant's unit of work with the first tenant's ids
and keys, and must only ever see the second tenant's rows.
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import attrs
import pytest
from isolation import (
    assert_adding_is_refused,
    assert_all_of,
    assert_every_public_method_is_covered,
    assert_unseen,
)
from persistence_samples import Backend, a_household, a_property, a_resident

from adapters.persistence.sqlalchemy.repositories.identity import SqlResidentRepository
from adapters.persistence.sqlalchemy.repositories.properties import (
    SqlHouseholdRepository,
    SqlPropertyRepository,
)
from estate_core.identity.model import Resident
from estate_core.properties.model import Household, OwnerOfRecord, Property
from estate_core.shared.ids import new_id
from estate_core.shared.pagination import PageRequest

AT = datetime(2026, 3, 15, 2, 0, tzinfo=UTC)
COMMUNITY = new_id()
"""Shared on purpose: a query filtering on the community but not the tenant would leak."""

COVERED = {
    SqlResidentRepository: {
        "add",
        "get",
        "find",
        "find_by_phone",
        "find_by_wechat_openid",
        "find_by_alipay_user_id",
    },
    SqlPropertyRepository: {"add", "get", "find", "find_by_address", "list_in_community"},
    SqlHouseholdRepository: {"add", "get", "for_property", "of_resident", "find"},
}


@attrs.frozen
class Tenant:
    id: UUID
    resident: Resident
    prop: Property
    household: Household


def _populate(backend: Backend) -> Tenant:
    tenant_id = new_id()
    resident = a_resident(tenant_id, "13800000001", name=f"住户 {tenant_id.hex[:8]}")
    resident.link_wechat("same-openid")
    resident.link_alipay("same-alipay-id")
    prop = a_property(tenant_id, COMMUNITY, owner=OwnerOfRecord(name="张三", phone="13800000001"))
    household = a_household(prop)
    household.bind_owner(resident.id, AT)
    with backend.uow(tenant_id) as uow:
        uow.residents.add(resident)
        uow.properties.add(prop)
        uow.households.add(household)
        uow.commit()
    return Tenant(tenant_id, resident, prop, household)


@pytest.fixture
def tenants(backend: Backend) -> tuple[Tenant, Tenant]:
    return _populate(backend), _populate(backend)


def test_every_repository_method_is_covered_here() -> None:
    assert_every_public_method_is_covered(COVERED)


def test_residents_of_another_tenant_are_invisible(
    backend: Backend, tenants: tuple[Tenant, Tenant]
) -> None:
    first, second = tenants
    with backend.uow(second.id) as uow:
        assert_unseen(uow.residents, first.resident.id)
        found = [
            uow.residents.find_by_phone("13800000001"),
            uow.residents.find_by_wechat_openid("same-openid"),
            uow.residents.find_by_alipay_user_id("same-alipay-id"),
        ]
        assert {resident.id for resident in found if resident} == {second.resident.id}
        assert_all_of(second.id, found)


def test_properties_of_another_tenant_are_invisible(
    backend: Backend, tenants: tuple[Tenant, Tenant]
) -> None:
    first, second = tenants
    with backend.uow(second.id) as uow:
        assert_unseen(uow.properties, first.prop.id)
        by_address = uow.properties.find_by_address(COMMUNITY, "1", "1", "101")
        assert by_address is not None
        assert by_address.id == second.prop.id
        listed = uow.properties.list_in_community(COMMUNITY, PageRequest(limit=10)).items
        assert [p.id for p in listed] == [second.prop.id]


def test_households_of_another_tenant_are_invisible(
    backend: Backend, tenants: tuple[Tenant, Tenant]
) -> None:
    first, second = tenants
    with backend.uow(second.id) as uow:
        assert_unseen(uow.households, first.household.id)
        assert uow.households.for_property(first.prop.id) is None
        assert uow.households.of_resident(first.resident.id) == []
        own = uow.households.of_resident(second.resident.id)
        assert [h.id for h in own] == [second.household.id]
        assert_all_of(second.id, own)


def test_adding_an_aggregate_of_another_tenant_is_refused(
    backend: Backend, tenants: tuple[Tenant, Tenant]
) -> None:
    first, second = tenants
    with backend.uow(second.id) as uow:
        assert_adding_is_refused(
            [
                (uow.residents, a_resident(first.id, "13900000000")),
                (uow.properties, a_property(first.id, COMMUNITY, room="999")),
                (uow.households, a_household(first.prop)),
            ]
        )
