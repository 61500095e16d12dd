"""The collection rate 收缴率 by month the staff console draws: voided bills left out, a month
without bills has no rate, at most a year, staff with a bill-reading permission only."""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from uuid import UUID

from billing_world import World
from hypothesis import given
from hypothesis import strategies as st

from estate_core.billing import services
from estate_core.billing.reports import MonthCollection, collection_by_month
from estate_core.shared.access import Permission, StaffActor
from estate_core.shared.ids import new_id
from estate_core.shared.money import Money
from world_builders import code_of

JANUARY, FEBRUARY, MARCH = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)


def _settle(world: World, home_index: int, month: date, homes: list[UUID]) -> None:
    [bill] = [b for b in world.bills(homes[home_index]) if b.period_start == month]
    with world.uow:
        found = world.uow.bills.get(bill.id)
        found.settle(new_id(), found.amount_due, world.clock.now())
        world.uow.commit()


def test_the_rate_counts_paid_bills_of_each_month_and_leaves_voided_ones_out(
    world: World,
) -> None:
    """Today is 15 March 2026: January has no bills, February one of three paid, March two of
    three paid and the third voided."""
    homes = [world.home(), world.home(), world.home(area="50.00")]
    world.fee()
    world.run(FEBRUARY)
    world.run(MARCH)
    _settle(world, 0, FEBRUARY, homes)
    _settle(world, 0, MARCH, homes)
    _settle(world, 1, MARCH, homes)
    [unpaid] = [b for b in world.bills(homes[2]) if b.period_start == MARCH]
    services.void_bill(
        world.uow, world.clock, world.admin, services.VoidBill(bill_id=unpaid.id, reason="空置")
    )

    months = collection_by_month(world.uow, world.clock, world.admin, world.community_id, 3)

    assert [(m.period_start, m.bills, m.billed, m.collected) for m in months] == [
        (JANUARY, 0, Money(0), Money(0)),
        (FEBRUARY, 3, Money.yuan("625.00"), Money.yuan("250.00")),
        (MARCH, 2, Money.yuan("500.00"), Money.yuan("500.00")),
    ]
    assert [m.rate_permille for m in months] == [None, 400, 1000]


def test_a_report_covers_one_to_twelve_months(world: World) -> None:
    for months in (0, 13):
        assert (
            code_of(
                lambda months=months: collection_by_month(
                    world.uow, world.clock, world.admin, world.community_id, months
                )
            )
            == "report.invalid_range"
        )
    assert (
        len(collection_by_month(world.uow, world.clock, world.admin, world.community_id, 12)) == 12
    )


def test_staff_without_a_bill_reading_permission_cannot_read_it(world: World) -> None:
    technician = StaffActor(staff_id=new_id(), permissions=frozenset({Permission.WORKORDER_WORK}))
    assert (
        code_of(lambda: collection_by_month(world.uow, world.clock, technician, world.community_id))
        == "permission.missing"
    )


@given(billed=st.integers(1, 10**12), share=st.fractions(0, 1))
def test_the_rate_is_the_paid_share_in_permille_rounded_down(billed: int, share: Fraction) -> None:
    collected = int(billed * share)
    month = MonthCollection(
        period_start=MARCH, billed=Money(billed), collected=Money(collected), bills=1
    )
    rate = month.rate_permille
    assert rate is not None
    assert 0 <= rate <= 1000
    assert Fraction(rate, 1000) <= Fraction(collected, billed) < Fraction(rate + 1, 1000)
