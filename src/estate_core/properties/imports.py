"""Owner import 业主导入 (seed 004: 物业创建（导入）业主信息; seed 003: automatic binding).

Staff import a spreadsheet of properties and their owners of record. The file is validated as a
whole, like the bill import: if any row is wrong nothing is imported, and the error lists every
wrong row with all of its problems. A valid file registers the properties that do not exist yet
(with their household) and records the owner of every row by the rule of ``record_owner``: an
unverified resident account for a new phone, and an automatic binding when the phone is a
verified resident's and the home has no bound owner.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID

import attrs

from estate_core.identity.model import normalize_phone
from estate_core.properties.model import (
    BUILDING_MAX,
    MAX_AREA,
    OWNER_NAME_MAX,
    ROOM_MAX,
    UNIT_MAX,
    OwnerOfRecord,
    Property,
    PropertyKind,
)
from estate_core.properties.ports import PropertiesUnitOfWork
from estate_core.properties.services import RegisterProperty, add_property, record_owner_of
from estate_core.shared.access import Actor, Permission, require_staff
from estate_core.shared.clock import Clock
from estate_core.shared.errors import DomainError, InvalidInput, NotFound
from estate_core.shared.tabular import RowErrors, cleaned, read_csv_rows, row_number
from estate_core.shared.text import check_text

MAX_ROWS = 50_000
BATCH_ROWS = 500
"""Rows checked or stored between two releases of the unit of work (``uow.release()``): the
whole file stays one transaction, but only one batch's aggregates are held in memory."""
REQUIRED_COLUMNS = ("building", "unit", "room", "owner_name", "owner_phone")

#: Header names accepted in a file, Chinese as staff export them from other systems.
COLUMN_ALIASES: dict[str, str] = {
    "building": "building",
    "楼栋": "building",
    "楼号": "building",
    "unit": "unit",
    "单元": "unit",
    "room": "room",
    "房号": "room",
    "房间号": "room",
    "kind": "kind",
    "type": "kind",
    "类型": "kind",
    "房产类型": "kind",
    "area": "area",
    "面积": "area",
    "建筑面积": "area",
    "owner_name": "owner_name",
    "owner name": "owner_name",
    "业主姓名": "owner_name",
    "业主": "owner_name",
    "owner_phone": "owner_phone",
    "owner phone": "owner_phone",
    "业主手机": "owner_phone",
    "业主电话": "owner_phone",
    "手机号": "owner_phone",
}

#: Property kinds as written in a file, English or Chinese.
KIND_NAMES: dict[str, PropertyKind] = {
    **{kind.value: kind for kind in PropertyKind},
    "住宅": PropertyKind.RESIDENCE,
    "车位": PropertyKind.PARKING_SPACE,
    "商铺": PropertyKind.SHOP,
    "店铺": PropertyKind.SHOP,
}


def parse_owner_csv(data: bytes | str) -> list[dict[str, str]]:
    """The rows of a CSV owner file, keyed by the canonical column names of
    :data:`COLUMN_ALIASES` (UTF-8 or GB18030); ``kind`` and ``area`` columns are optional."""
    return read_csv_rows(data, COLUMN_ALIASES, REQUIRED_COLUMNS, "owner_import")


@attrs.frozen(kw_only=True)
class ImportOwners:
    """Rows to import into a community. ``first_row_number`` is the number the first row has in
    the file a person looks at (2 under one header line), so errors point at the right line."""

    community_id: UUID
    rows: Sequence[Mapping[str, str]]
    first_row_number: int = 2


@attrs.frozen(kw_only=True)
class OwnerImportResult:
    """``created`` properties registered, ``updated`` existing ones whose owner of record
    changed, ``unchanged`` existing ones already recording this owner, and ``bound_automatically``
    homes bound at once to a verified resident (seed 003)."""

    created: int
    updated: int
    unchanged: int
    bound_automatically: int


@attrs.frozen(kw_only=True)
class _Row:
    building: str
    unit: str
    room: str
    kind: PropertyKind
    area: Decimal
    owner: OwnerOfRecord
    existing: Property | None


def import_owners(
    uow: PropertiesUnitOfWork, clock: Clock, actor: Actor, cmd: ImportOwners
) -> OwnerImportResult:
    """Import properties and their owners of record, all or nothing, in one transaction.

    Needs ``household.manage`` in the community, and ``property.manage`` too when the file
    registers new properties. Each row names a property (building, unit, room), optionally its
    kind (default residence) and area (m², two decimals; required for a new property), and the
    owner's name and mainland mobile phone. A row is refused when a required field is missing,
    the phone or area is malformed, the kind is unknown, the address appears earlier in the file,
    or the kind or area given differ from the existing property's. Any refusal raises
    ``owner_import.invalid`` with ``details["rows"]`` =
    [{"row": n, "errors": [{"field", "code", "message"}...]}...].
    """
    staff = require_staff(actor, Permission.HOUSEHOLD_MANAGE, cmd.community_id)
    if not cmd.rows:
        raise InvalidInput("owner_import.empty", "the file has no rows")
    if len(cmd.rows) > MAX_ROWS:
        raise InvalidInput("owner_import.too_many_rows", f"import at most {MAX_ROWS} rows a file")
    with uow:
        if uow.communities.find(cmd.community_id) is None:
            raise NotFound("community.not_found", "no such community")
        valid, invalid = _validate(uow, cmd)
        if invalid:
            raise InvalidInput(
                "owner_import.invalid",
                f"{len(invalid)} of {len(cmd.rows)} rows are wrong; nothing was imported",
                rows=invalid,
            )
        if any(row.existing is None for row in valid):
            staff.require(Permission.PROPERTY_MANAGE, cmd.community_id)
        result = _store(uow, clock, cmd.community_id, valid)
        uow.commit()
    return result


def _store(
    uow: PropertiesUnitOfWork, clock: Clock, community_id: UUID, rows: Sequence[_Row]
) -> OwnerImportResult:
    created = updated = unchanged = bound = 0
    for number, row in enumerate(rows, 1):
        if number % BATCH_ROWS == 0:
            uow.release()
        prop = None if row.existing is None else uow.properties.get(row.existing.id)
        if prop is None:
            prop = add_property(
                uow,
                RegisterProperty(
                    community_id=community_id,
                    kind=row.kind,
                    building=row.building,
                    unit=row.unit,
                    room=row.room,
                    area=row.area,
                ),
            )
            created += 1
        elif prop.owner_of_record == row.owner:
            unchanged += 1
        else:
            updated += 1
        bound += record_owner_of(uow, clock, prop, row.owner)
    return OwnerImportResult(
        created=created, updated=updated, unchanged=unchanged, bound_automatically=bound
    )


def _validate(
    uow: PropertiesUnitOfWork, cmd: ImportOwners
) -> tuple[list[_Row], list[dict[str, Any]]]:
    seen: dict[tuple[str, str, str], int] = {}
    valid: list[_Row] = []
    invalid: list[dict[str, Any]] = []
    for index, raw in enumerate(cmd.rows):
        if index and index % BATCH_ROWS == 0:
            uow.release()
        number = row_number(raw, cmd.first_row_number + index)
        errors = RowErrors()
        row = cleaned(raw)
        checked = _check(uow, cmd.community_id, row, errors)
        address = (row.get("building", ""), row.get("unit", ""), row.get("room", ""))
        if address[2] and address in seen:
            errors.add("room", "owner_import.duplicate_row", f"same home as row {seen[address]}")
        elif address[2]:
            seen[address] = number
        if errors.errors:
            invalid.append({"row": number, "errors": errors.errors})
        elif checked is not None:
            valid.append(checked)
    return valid, invalid


def _check(
    uow: PropertiesUnitOfWork, community_id: UUID, row: Mapping[str, str], errors: RowErrors
) -> _Row | None:
    building, unit, room = row.get("building", ""), row.get("unit", ""), row.get("room", "")
    if not room:
        errors.add("room", "owner_import.required", "room is required")
    address_valid = all(
        _text(row, field, what, limit, errors)
        for field, what, limit in (
            ("building", "a building", BUILDING_MAX),
            ("unit", "a unit", UNIT_MAX),
            ("room", "a room", ROOM_MAX),
        )
    )
    kind = _kind(row.get("kind", ""), errors)
    area = _area(row.get("area", ""), errors)
    owner = _owner(row, errors)
    if not room or not address_valid:
        return None
    existing = uow.properties.find_by_address(community_id, building, unit, room)
    if existing is None:
        if not row.get("area"):
            errors.add("area", "owner_import.required", "a new property needs its area")
    else:
        if row.get("kind") and kind is not None and kind is not existing.kind:
            errors.add("kind", "owner_import.kind_mismatch", f"this is a {existing.kind.value}")
        if area is not None and area != existing.area:
            errors.add("area", "owner_import.area_mismatch", f"registered as {existing.area} m²")
    if owner is None or kind is None or (area is None and existing is None):
        return None
    return _Row(
        building=building,
        unit=unit,
        room=room,
        kind=existing.kind if existing else kind,
        area=existing.area if existing else area or Decimal(0),
        owner=owner,
        existing=existing,
    )


def _text(row: Mapping[str, str], field: str, what: str, limit: int, errors: RowErrors) -> bool:
    """Whether the cell fits its column: at most ``limit`` characters, no control character."""
    try:
        check_text(row.get(field, ""), "owner_import.invalid_text", what, limit, required=False)
    except InvalidInput as error:
        errors.add(field, error.code, error.message)
        return False
    return True


def _kind(value: str, errors: RowErrors) -> PropertyKind | None:
    if not value:
        return PropertyKind.RESIDENCE
    kind = KIND_NAMES.get(value.lower())
    if kind is None:
        errors.add("kind", "owner_import.invalid_kind", "a kind is 住宅, 车位 or 商铺")
    return kind


def _area(value: str, errors: RowErrors) -> Decimal | None:
    text = value.removesuffix("㎡").removesuffix("m²").strip()
    if not text:
        return None
    try:
        area = Decimal(text)
        valid = 0 <= area <= MAX_AREA and area == area.quantize(Decimal("0.01"))
    except InvalidOperation:
        valid = False
    if not valid:
        errors.add("area", "owner_import.invalid_area", "an area is m², at most two decimals")
        return None
    return area.quantize(Decimal("0.01"))


def _owner(row: Mapping[str, str], errors: RowErrors) -> OwnerOfRecord | None:
    name = row.get("owner_name", "")
    if not name:
        errors.add("owner_name", "owner_import.required", "the owner's name is required")
    elif not _text(row, "owner_name", "the owner's name", OWNER_NAME_MAX, errors):
        name = ""
    raw_phone = row.get("owner_phone", "")
    phone = None
    if not raw_phone:
        errors.add("owner_phone", "owner_import.required", "the owner's phone is required")
    else:
        try:
            phone = normalize_phone(raw_phone)
        except DomainError:
            errors.add(
                "owner_phone", "owner_import.invalid_phone", "not a mainland China mobile number"
            )
    if not name or phone is None:
        return None
    return OwnerOfRecord(name=name, phone=phone)
