"""Owner import with the files and mistakes staff really make (issue 15): full-width digits,
blank lines, cells longer than their columns, and files that are not CSV text."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from adapters.persistence.memory import InMemoryUnitOfWork
from estate_core.identity import services as identity
from estate_core.identity.model import Resident
from estate_core.properties import services as properties
from estate_core.properties.imports import ImportOwners, import_owners, parse_owner_csv
from estate_core.properties.model import BUILDING_MAX, OWNER_NAME_MAX, ROOM_MAX, PropertyKind
from estate_core.shared.access import StaffActor
from estate_core.shared.clock import FixedClock
from estate_core.shared.errors import InvalidInput
from estate_core.shared.ids import new_id
from estate_core.shared.pagination import PageRequest

HEADER = "楼栋,单元,房号,面积,业主姓名,业主手机"


@pytest.fixture
def community(uow: InMemoryUnitOfWork, admin: StaffActor) -> UUID:
    return identity.create_community(
        uow, admin, identity.CreateCommunity(name="阳光花园", address="天府大道 1 号")
    )


def _import(
    uow: InMemoryUnitOfWork, clock: FixedClock, admin: StaffActor, community: UUID, csv: bytes
) -> Any:
    rows = parse_owner_csv(csv)
    return import_owners(uow, clock, admin, ImportOwners(community_id=community, rows=rows))


def _refused_rows(raised: pytest.ExceptionInfo[InvalidInput]) -> dict[int, list[str]]:
    return {row["row"]: [e["code"] for e in row["errors"]] for row in raised.value.details["rows"]}


def _verified_resident(uow: InMemoryUnitOfWork, clock: FixedClock, phone: str) -> Resident:
    with uow:
        resident = Resident(
            id=new_id(), tenant_id=uow.tenant_id, phone=phone, created_at=clock.now()
        )
        resident.verify_phone(clock.now())
        uow.residents.add(resident)
        uow.commit()
    return resident


def _property_count(uow: InMemoryUnitOfWork, community: UUID) -> int:
    with uow:
        return len(uow.properties.list_in_community(community, PageRequest(limit=100)).items)


FULL_WIDTH_PHONES = ["１３８００１３８００１", "138００138001", "＋８６ 138-0013-8001"]


@pytest.mark.parametrize("typed", FULL_WIDTH_PHONES)
def test_a_phone_typed_with_full_width_digits_binds_the_real_owner(
    uow: InMemoryUnitOfWork, clock: FixedClock, admin: StaffActor, community: UUID, typed: str
) -> None:
    owner = _verified_resident(uow, clock, "13800138001")
    csv = f"{HEADER}\n1,1,101,88.00,张伟,{typed}\n"
    result = _import(uow, clock, admin, community, csv.encode())
    assert result.bound_automatically == 1
    with uow:
        home = uow.properties.find_by_address(community, "1", "1", "101")
        assert home is not None
        assert home.owner_of_record is not None
        assert home.owner_of_record.phone == "13800138001"
        household = uow.households.for_property(home.id)
        assert household is not None
        assert household.owner_id == owner.id


def test_recording_an_owner_by_hand_normalises_full_width_digits(
    uow: InMemoryUnitOfWork, clock: FixedClock, admin: StaffActor, community: UUID
) -> None:
    owner = _verified_resident(uow, clock, "13800138001")
    home = properties.register_property(
        uow,
        admin,
        properties.RegisterProperty(
            community_id=community,
            kind=PropertyKind.RESIDENCE,
            building="1",
            unit="1",
            room="101",
            area=Decimal("88"),
        ),
    )
    command = properties.RecordOwner(property_id=home, name="张伟", phone="1380013８００1")
    assert properties.record_owner(uow, clock, admin, command)
    with uow:
        household = uow.households.for_property(home)
        assert household is not None
        assert household.owner_id == owner.id


def test_row_numbers_are_the_files_own_line_numbers_despite_blank_and_empty_lines(
    uow: InMemoryUnitOfWork, clock: FixedClock, admin: StaffActor, community: UUID
) -> None:
    csv = (
        f"{HEADER}\n"  # line 1
        "1,1,101,88.00,张伟,13800138001\n"  # 2
        "\n"  # 3
        ",,,,,\n"  # 4
        '1,1,"10\n2",88.00,王芳,13800138002\n'  # 5-6: one record, a room over two lines
        "1,1,103,88.00,李娜,12345\n"  # 7
        ",,,,\r\n"  # 8
        "1,1,104,abc,赵六,13800138004\n"  # 9
    )
    with pytest.raises(InvalidInput) as raised:
        _import(uow, clock, admin, community, csv.encode())
    assert _refused_rows(raised) == {
        5: ["owner_import.invalid_text"],
        7: ["owner_import.invalid_phone"],
        9: ["owner_import.invalid_area"],
    }


def test_address_parts_and_names_longer_than_their_columns_are_row_errors(
    uow: InMemoryUnitOfWork, clock: FixedClock, admin: StaffActor, community: UUID
) -> None:
    csv = (
        f"{HEADER}\n"
        f"{'楼' * (BUILDING_MAX + 1)},1,101,88.00,张伟,13800138001\n"
        f"1,1,{'9' * (ROOM_MAX + 1)},88.00,张伟,13800138001\n"
        f"1,1,103,88.00,{'名' * (OWNER_NAME_MAX + 1)},13800138001\n"
        f"1,1,{'9' * ROOM_MAX},88.00,{'名' * OWNER_NAME_MAX},13800138001\n"
        "1,1,105,88.00,张\x07伟,13800138001\n"
    )
    with pytest.raises(InvalidInput) as raised:
        _import(uow, clock, admin, community, csv.encode())
    assert _refused_rows(raised) == {
        2: ["owner_import.invalid_text"],
        3: ["owner_import.invalid_text"],
        4: ["owner_import.invalid_text"],
        6: ["owner_import.invalid_text"],
    }
    assert _property_count(uow, community) == 0


def test_the_core_refuses_an_address_or_owner_name_longer_than_its_column(
    uow: InMemoryUnitOfWork, clock: FixedClock, admin: StaffActor, community: UUID
) -> None:
    def register(room: str, building: str = "1") -> UUID:
        return properties.register_property(
            uow,
            admin,
            properties.RegisterProperty(
                community_id=community,
                kind=PropertyKind.RESIDENCE,
                building=building,
                unit="1",
                room=room,
                area=Decimal("88"),
            ),
        )

    with pytest.raises(InvalidInput) as raised:
        register("9" * (ROOM_MAX + 1))
    assert raised.value.code == "property.invalid_room"
    with pytest.raises(InvalidInput) as raised:
        register("101", building="楼" * (BUILDING_MAX + 1))
    assert raised.value.code == "property.invalid_building"
    home = register("101")
    too_long = properties.RecordOwner(property_id=home, name="名" * 41, phone="13800138001")
    with pytest.raises(InvalidInput) as raised:
        properties.record_owner(uow, clock, admin, too_long)
    assert raised.value.code == "property.invalid_owner_name"
    with uow:
        assert uow.residents.find_by_phone("13800138001") is None


def test_a_utf16_file_as_excel_saves_unicode_text_is_read() -> None:
    text = f"{HEADER}\r\n1,1,101,88.00,张伟,13800138001\r\n"
    for encoding in ("utf-16", "utf-16-be"):
        data = text.encode(encoding)
        if encoding == "utf-16-be":
            data = b"\xfe\xff" + data
        [row] = parse_owner_csv(data)
        assert (row["room"], row["owner_name"]) == ("101", "张伟")


@pytest.mark.parametrize(
    "data",
    [
        b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 40,
        f"{HEADER}\n1,1,101,88.00,".encode() + b"\xff\xfe\xff" + b",13800138001\n",
    ],
    ids=["xlsx", "stray-0xff"],
)
def test_a_file_that_is_not_csv_text_is_refused_with_one_sentence(data: bytes) -> None:
    with pytest.raises(InvalidInput) as raised:
        parse_owner_csv(data)
    assert raised.value.code == "owner_import.unreadable"
    assert raised.value.message.count(".") <= 1
    assert "\n" not in raised.value.message


def test_old_mac_cr_only_line_endings_are_read() -> None:
    data = f"{HEADER}\r1,1,101,88.00,张伟,13800138001\r1,1,102,90.00,王芳,13800138002\r"
    rows = parse_owner_csv(data.encode("gb18030"))
    assert [row["room"] for row in rows] == ["101", "102"]


def test_a_cell_over_the_csv_field_limit_is_a_row_error() -> None:
    huge = "x" * 200_000
    data = f"{HEADER}\n1,1,101,88.00,张伟,13800138001\n\n1,1,102,88.00,{huge},13800138002\n"
    with pytest.raises(InvalidInput) as raised:
        parse_owner_csv(data.encode())
    assert raised.value.code == "owner_import.invalid"
    assert _refused_rows(raised) == {4: ["owner_import.unreadable_row"]}
