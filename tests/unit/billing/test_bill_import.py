"""Bill import 导入 (seed 004): all or nothing, with every wrong row's errors."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

import pytest
from billing_world import World

from estate_core.billing import imports, services
from estate_core.billing.calculation import Calculation
from estate_core.billing.model import BillStatus
from estate_core.properties.model import PropertyKind
from estate_core.shared.access import Permission, StaffActor
from estate_core.shared.errors import InvalidInput
from estate_core.shared.ids import new_id
from estate_core.shared.money import Money
from world_builders import code_of

CSV = """楼栋,单元,房号,收费项目,账期,金额,到期日,业主姓名
1,1,101,物业费,2026-03,250.00,2026-03-20,王五
1,1,102,物业费,2026-03,"1,250.50",,李四
"""


def _import(world: World, rows: Sequence[Mapping[str, str]]) -> imports.BillImportResult:
    return imports.import_bills(
        world.uow,
        world.clock,
        world.admin,
        imports.ImportBills(community_id=world.community_id, rows=rows),
    )


def _row(room: str = "101", **changes: str) -> dict[str, str]:
    row = {
        "building": "1",
        "unit": "1",
        "room": room,
        "fee_item": "物业费",
        "period": "2026-03",
        "amount": "250.00",
    }
    row.update(changes)
    return row


def test_a_valid_csv_file_with_chinese_headers_imports_every_row(world: World) -> None:
    first, second = world.home(room="101"), world.home(room="102")
    world.fee()
    result = _import(world, imports.parse_bill_csv(CSV.encode("utf-8-sig")))
    assert result.imported == 2
    [bill] = world.bills(first)
    assert (bill.amount_due, bill.due_date, bill.period_end) == (
        Money.yuan("250.00"),
        date(2026, 3, 20),
        date(2026, 3, 31),
    )
    [other] = world.bills(second)
    assert other.amount_due == Money.yuan("1250.50")
    assert other.due_date == date(2026, 3, 16)  # the fee item's rule: 15 days after the start


def test_a_csv_saved_by_excel_on_chinese_windows_is_read() -> None:
    rows = imports.parse_bill_csv(CSV.encode("gb18030"))
    assert rows[0]["fee_item"] == "物业费"
    assert "业主姓名" not in rows[0]


def test_a_file_lacking_a_required_column_is_refused_as_a_whole() -> None:
    with pytest.raises(InvalidInput) as raised:
        imports.parse_bill_csv("楼栋,单元,房号,金额\n1,1,101,250.00\n")
    assert raised.value.code == "bill_import.missing_columns"
    assert raised.value.details["columns"] == ["fee_item", "period"]


def test_a_file_with_any_bad_row_imports_nothing_and_lists_every_rows_errors(
    world: World,
) -> None:
    for room in ("101", "102", "103"):
        world.home(room=room)
    world.fee()
    world.fee("车位费", calculation=Calculation.FIXED, price="80", cycle=3)
    _import(world, [_row("103", period="2026-04")])
    rows = [
        _row("101"),
        _row("999"),
        _row("102", fee_item="暖气费"),
        _row("102", amount="12.345", period="2026-13"),
        _row("101"),
        _row("103", period="2026-04"),
        _row("102", fee_item="车位费", period="2026-02"),
        _row("", amount=""),
    ]
    with pytest.raises(InvalidInput) as raised:
        _import(world, rows)
    assert raised.value.code == "bill_import.invalid"
    reported = {
        line["row"]: [error["code"] for error in line["errors"]]
        for line in raised.value.details["rows"]
    }
    assert reported == {
        3: ["bill_import.unknown_property"],
        4: ["bill_import.unknown_fee_item"],
        5: ["bill_import.invalid_period", "bill_import.invalid_amount"],
        6: ["bill_import.duplicate_row"],
        7: ["bill_import.duplicate_bill"],
        8: ["bill_import.period_not_aligned"],
        9: ["bill_import.required", "bill_import.required"],
    }
    assert len(world.bills()) == 1


def test_a_row_for_a_fee_that_does_not_apply_to_the_property_is_refused(world: World) -> None:
    world.home(room="P1", kind=PropertyKind.PARKING_SPACE, area="12.00")
    world.fee()
    with pytest.raises(InvalidInput) as raised:
        _import(world, [_row("P1")])
    [line] = raised.value.details["rows"]
    assert [error["code"] for error in line["errors"]] == ["bill_import.not_applicable"]


def test_imported_bills_are_paid_from_prepayment_like_issued_ones(world: World) -> None:
    home = world.home(room="101")
    world.fee()
    with world.uow:
        ledger = services.open_prepayment_ledger(world.uow, home)
        ledger.credit(Money.yuan("300"), "top_up", new_id(), world.clock.now())
        world.uow.commit()
    assert _import(world, [_row("101")]).settled_from_prepayment == 1
    assert [b.status for b in world.bills(home)] == [BillStatus.PAID]


def test_importing_bills_needs_the_bill_issue_permission(world: World) -> None:
    world.home(room="101")
    world.fee()
    reader = StaffActor(staff_id=new_id(), permissions=frozenset({Permission.REPORT_READ}))
    code = code_of(
        lambda: imports.import_bills(
            world.uow,
            world.clock,
            reader,
            imports.ImportBills(community_id=world.community_id, rows=[_row("101")]),
        )
    )
    assert code == "permission.missing"
