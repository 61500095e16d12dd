"""Amounts, periods and rates at the edges of billing (issue 15): bounded where they enter,
full-width digits read, and every refusal a row error or a domain error, never a crash."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal

import pytest
from billing_world import World

from estate_core.billing import funds, imports
from estate_core.billing.fee_item import MAX_UNIT_PRICE
from estate_core.billing.ledger import FundEntryKind
from estate_core.shared.errors import InvalidInput
from estate_core.shared.money import MAX_AMOUNT, Money
from world_builders import code_of

HEADER = "楼栋,单元,房号,收费项目,账期,金额,到期日"


def _import(world: World, rows: Sequence[Mapping[str, str]]) -> imports.BillImportResult:
    return imports.import_bills(
        world.uow,
        world.clock,
        world.admin,
        imports.ImportBills(community_id=world.community_id, rows=rows),
    )


def _refused_rows(raised: pytest.ExceptionInfo[InvalidInput]) -> dict[int, list[str]]:
    return {row["row"]: [e["code"] for e in row["errors"]] for row in raised.value.details["rows"]}


@pytest.mark.parametrize(
    "amount",
    ["100000000", "99999999999999999999999", "1e30", "sNaN", "-Infinity", "92233720368547758.08"],
)
def test_an_amount_above_the_maximum_is_a_row_error_and_imports_nothing(
    world: World, amount: str
) -> None:
    world.home(room="101")
    world.home(room="102")
    world.fee()
    csv = f"{HEADER}\n1,1,101,物业费,2026-03,250.00,\n1,1,102,物业费,2026-03,{amount},\n"
    with pytest.raises(InvalidInput) as raised:
        _import(world, imports.parse_bill_csv(csv.encode()))
    assert _refused_rows(raised) == {3: ["bill_import.invalid_amount"]}
    assert world.bills() == []


def test_the_largest_amount_allowed_is_imported(world: World) -> None:
    home = world.home(room="101")
    world.fee()
    _import(world, imports.parse_bill_csv(f"{HEADER}\n1,1,101,物业费,2026-03,99999999.99,\n"))
    [bill] = world.bills(home)
    assert bill.amount_due == MAX_AMOUNT


def test_full_width_digits_in_periods_amounts_and_dates_are_read(world: World) -> None:
    home = world.home(room="101")
    world.fee()
    csv = f"{HEADER}\n1,1,101,物业费,２０２６－０３,￥２５０.５０,２０２６/０３/２０\n"
    _import(world, imports.parse_bill_csv(csv))
    [bill] = world.bills(home)
    assert bill.amount_due == Money.yuan("250.50")
    assert bill.due_date.isoformat() == "2026-03-20"


@pytest.mark.parametrize("period", ["0000-01", "2026-13", "2026-03x", "２０２６-٠٣", "9999999-01"])
def test_a_period_that_is_no_month_is_a_row_error(world: World, period: str) -> None:
    world.home(room="101")
    world.fee()
    row = {
        "building": "1",
        "unit": "1",
        "room": "101",
        "fee_item": "物业费",
        "period": period,
        "amount": "250.00",
    }
    with pytest.raises(InvalidInput) as raised:
        _import(world, [row])
    assert _refused_rows(raised) == {2: ["bill_import.invalid_period"]}


def test_bill_row_numbers_are_the_files_own_line_numbers(world: World) -> None:
    world.home(room="101")
    world.fee()
    csv = f"{HEADER}\n\n,,,,,,\n1,1,101,物业费,2026-03,abc,\n"
    with pytest.raises(InvalidInput) as raised:
        _import(world, imports.parse_bill_csv(csv))
    assert _refused_rows(raised) == {4: ["bill_import.invalid_amount"]}


def test_a_fee_rate_above_the_maximum_is_refused(world: World) -> None:
    world.fee(price=str(MAX_UNIT_PRICE))
    for price in (str(MAX_UNIT_PRICE + Decimal("0.0001")), "1e20", "NaN"):
        with pytest.raises(InvalidInput) as raised:
            world.fee(name=f"费{price}", price=price)
        assert raised.value.code == "fee_item.invalid_price"


def test_a_public_fund_entry_above_the_maximum_is_refused(world: World) -> None:
    def record(amount: Money) -> None:
        funds.record_fund_entry(
            world.uow,
            world.clock,
            world.admin,
            funds.RecordFundEntry(
                community_id=world.community_id,
                kind=FundEntryKind.INCOME,
                category="大修基金",
                amount=amount,
                on=date(2026, 3, 1),
            ),
        )

    record(MAX_AMOUNT)
    assert code_of(lambda: record(MAX_AMOUNT + Money(1))) == "fund.invalid_amount"
    statement = funds.public_fund_statement(world.uow, world.clock, world.admin, world.community_id)
    assert statement.balance == MAX_AMOUNT


def test_a_period_given_as_its_first_day_is_that_month(world: World) -> None:
    """What a spreadsheet makes of "2026-03" typed into a cell."""
    home = world.home(room="101")
    world.fee()
    _import(world, imports.parse_bill_csv(f"{HEADER}\n1,1,101,物业费,2026-03-01,250.00,\n"))
    [bill] = world.bills(home)
    assert bill.period_start.isoformat() == "2026-03-01"
