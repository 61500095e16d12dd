"""Owner import 业主导入 (DESIGN.md §4, seeds 003 and 004), through the use case."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from adapters.persistence.memory import InMemoryUnitOfWork
from estate_core.identity import services as identity
from estate_core.identity.model import Resident
from estate_core.properties.imports import ImportOwners, import_owners, parse_owner_csv
from estate_core.properties.model import OwnerOfRecord, PropertyKind
from estate_core.shared.access import Permission, StaffActor
from estate_core.shared.clock import FixedClock
from estate_core.shared.errors import InvalidInput, PermissionDenied
from estate_core.shared.ids import new_id
from estate_core.shared.pagination import PageRequest

CSV = """楼栋,单元,房号,类型,面积,业主姓名,业主手机
1,1,101,住宅,89.50,张伟,13800138001
1,1,102,,120,王芳,138-0013-8002
,,B-12,车位,12.5,李娜,+8613800138003
"""


@pytest.fixture
def community(uow: InMemoryUnitOfWork, admin: StaffActor) -> UUID:
    return identity.create_community(
        uow, admin, identity.CreateCommunity(name="阳光花园", address="天府大道 1 号")
    )


def _import(
    uow: InMemoryUnitOfWork,
    clock: FixedClock,
    actor: StaffActor,
    community: UUID,
    rows: list[dict[str, str]],
) -> Any:
    return import_owners(uow, clock, actor, ImportOwners(community_id=community, rows=rows))


def _row(room: str, phone: str = "13800138001", **values: str) -> dict[str, str]:
    row = {
        "building": "1",
        "unit": "1",
        "room": room,
        "area": "88.00",
        "owner_name": "张伟",
        "owner_phone": phone,
    }
    return row | values


def _property_count(uow: InMemoryUnitOfWork, community: UUID) -> int:
    with uow:
        return len(uow.properties.list_in_community(community, PageRequest(limit=100)).items)


def test_a_valid_file_registers_every_property_with_its_owner_of_record(
    uow: InMemoryUnitOfWork, clock: FixedClock, admin: StaffActor, community: UUID
) -> None:
    result = _import(uow, clock, admin, community, parse_owner_csv(CSV.encode("utf-8-sig")))
    assert (result.created, result.updated, result.bound_automatically) == (3, 0, 0)
    with uow:
        home = uow.properties.find_by_address(community, "1", "1", "102")
        space = uow.properties.find_by_address(community, "", "", "B-12")
        assert home is not None
        assert space is not None
        assert home.area == Decimal("120.00")
        assert home.kind is PropertyKind.RESIDENCE
        assert home.owner_of_record == OwnerOfRecord(name="王芳", phone="13800138002")
        assert space.kind is PropertyKind.PARKING_SPACE
        assert uow.households.for_property(space.id) is not None
        created = uow.residents.find_by_phone("13800138003")
        assert created is not None
        assert not created.is_verified


def test_any_bad_row_imports_nothing_and_every_rows_errors_are_reported(
    uow: InMemoryUnitOfWork, clock: FixedClock, admin: StaffActor, community: UUID
) -> None:
    rows = [
        _row("101"),
        _row("102", phone="12345"),
        _row("103", area="-3"),
        _row("104", area="1.234", owner_name=""),
        _row("105", kind="别墅"),
        _row("", owner_phone=""),
    ]
    with pytest.raises(InvalidInput) as raised:
        _import(uow, clock, admin, community, rows)
    assert raised.value.code == "owner_import.invalid"
    reported = {
        row["row"]: [e["code"] for e in row["errors"]] for row in raised.value.details["rows"]
    }
    assert reported == {
        3: ["owner_import.invalid_phone"],
        4: ["owner_import.invalid_area"],
        5: ["owner_import.invalid_area", "owner_import.required"],
        6: ["owner_import.invalid_kind"],
        7: ["owner_import.required", "owner_import.required"],
    }
    assert _property_count(uow, community) == 0
    with uow:
        assert uow.residents.find_by_phone("13800138001") is None


def test_a_home_twice_in_the_file_is_refused_on_the_later_row(
    uow: InMemoryUnitOfWork, clock: FixedClock, admin: StaffActor, community: UUID
) -> None:
    with pytest.raises(InvalidInput) as raised:
        _import(uow, clock, admin, community, [_row("101"), _row("102"), _row(" 101 ")])
    [wrong] = raised.value.details["rows"]
    assert wrong["row"] == 4
    assert wrong["errors"][0]["code"] == "owner_import.duplicate_row"
    assert "row 2" in wrong["errors"][0]["message"]
    assert _property_count(uow, community) == 0


def test_a_new_property_needs_its_area(
    uow: InMemoryUnitOfWork, clock: FixedClock, admin: StaffActor, community: UUID
) -> None:
    with pytest.raises(InvalidInput) as raised:
        _import(uow, clock, admin, community, [_row("101", area="")])
    assert raised.value.details["rows"][0]["errors"][0]["field"] == "area"


def test_an_existing_property_gets_its_owner_of_record_updated(
    uow: InMemoryUnitOfWork, clock: FixedClock, admin: StaffActor, community: UUID
) -> None:
    _import(uow, clock, admin, community, [_row("101"), _row("102")])
    again = [_row("101", phone="13900000009", owner_name="赵六", area=""), _row("102")]
    result = _import(uow, clock, admin, community, again)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert _property_count(uow, community) == 2
    with uow:
        home = uow.properties.find_by_address(community, "1", "1", "101")
        assert home is not None
        assert home.owner_of_record == OwnerOfRecord(name="赵六", phone="13900000009")
        assert home.area == Decimal("88.00")


def test_an_existing_property_is_not_silently_given_another_area_or_kind(
    uow: InMemoryUnitOfWork, clock: FixedClock, admin: StaffActor, community: UUID
) -> None:
    _import(uow, clock, admin, community, [_row("101")])
    with pytest.raises(InvalidInput) as raised:
        _import(uow, clock, admin, community, [_row("101", area="90.00", kind="车位")])
    codes = [e["code"] for e in raised.value.details["rows"][0]["errors"]]
    assert codes == ["owner_import.kind_mismatch", "owner_import.area_mismatch"]


def test_a_verified_residents_phone_binds_the_home_automatically(
    uow: InMemoryUnitOfWork, clock: FixedClock, admin: StaffActor, community: UUID
) -> None:
    with uow:
        resident = Resident(
            id=new_id(), tenant_id=uow.tenant_id, phone="13800138001", created_at=clock.now()
        )
        resident.verify_phone(clock.now())
        uow.residents.add(resident)
        uow.commit()
    result = _import(uow, clock, admin, community, [_row("101"), _row("102", "13800138002")])
    assert result.bound_automatically == 1
    with uow:
        home = uow.properties.find_by_address(community, "1", "1", "101")
        assert home is not None
        household = uow.households.for_property(home.id)
        assert household is not None
        assert household.owner_id == resident.id


def test_a_home_with_a_bound_owner_keeps_it_when_another_owner_is_imported(
    uow: InMemoryUnitOfWork, clock: FixedClock, admin: StaffActor, community: UUID
) -> None:
    with uow:
        for phone in ("13800138001", "13800138002"):
            resident = Resident(
                id=new_id(), tenant_id=uow.tenant_id, phone=phone, created_at=clock.now()
            )
            resident.verify_phone(clock.now())
            uow.residents.add(resident)
        uow.commit()
    _import(uow, clock, admin, community, [_row("101")])
    result = _import(uow, clock, admin, community, [_row("101", "13800138002", area="")])
    assert (result.updated, result.bound_automatically) == (1, 0)
    with uow:
        first = uow.residents.find_by_phone("13800138001")
        home = uow.properties.find_by_address(community, "1", "1", "101")
        assert first is not None
        assert home is not None
        household = uow.households.for_property(home.id)
        assert household is not None
        assert household.owner_id == first.id


def test_registering_new_properties_needs_property_manage_as_well(
    uow: InMemoryUnitOfWork, clock: FixedClock, admin: StaffActor, community: UUID
) -> None:
    _import(uow, clock, admin, community, [_row("101")])
    clerk = StaffActor(staff_id=new_id(), permissions=frozenset({Permission.HOUSEHOLD_MANAGE}))
    updated = _import(uow, clock, clerk, community, [_row("101", "13800138009", area="")])
    assert updated.updated == 1
    with pytest.raises(PermissionDenied):
        _import(uow, clock, clerk, community, [_row("102")])
    assert _property_count(uow, community) == 1


def test_staff_outside_the_community_cannot_import(
    uow: InMemoryUnitOfWork, clock: FixedClock, community: UUID
) -> None:
    elsewhere = StaffActor(
        staff_id=new_id(), permissions=frozenset(Permission), community_ids=frozenset({new_id()})
    )
    with pytest.raises(PermissionDenied) as raised:
        _import(uow, clock, elsewhere, community, [_row("101")])
    assert raised.value.code == "permission.out_of_scope"


def test_a_file_without_the_owner_columns_is_refused() -> None:
    with pytest.raises(InvalidInput) as raised:
        parse_owner_csv("楼栋,单元,房号,面积\n1,1,101,88\n")
    assert raised.value.code == "owner_import.missing_columns"
    assert raised.value.details["columns"] == ["owner_name", "owner_phone"]


def test_an_empty_file_is_refused(
    uow: InMemoryUnitOfWork, clock: FixedClock, admin: StaffActor, community: UUID
) -> None:
    with pytest.raises(InvalidInput) as raised:
        _import(uow, clock, admin, community, [])
    assert raised.value.code == "owner_import.empty"
