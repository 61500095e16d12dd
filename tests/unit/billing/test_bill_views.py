"""What residents and staff see of bills: 应缴 / 已交 / 未到期, arrears, voiding."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from billing_world import World

from estate_core.billing import queries, services
from estate_core.billing.fee_item import LateFeePolicy
from estate_core.billing.model import BillStatus
from estate_core.billing.queries import BillView
from estate_core.shared.access import Actor, Permission, ResidentActor, StaffActor
from estate_core.shared.ids import new_id
from estate_core.shared.money import Money
from world_builders import code_of

FEBRUARY, MARCH, APRIL = date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 1)


def _view(world: World, actor: Actor, home: UUID, view: BillView) -> list[queries.BillLine]:
    page = queries.list_property_bills(
        world.uow,
        world.clock,
        actor,
        queries.ListPropertyBills(property_id=home, view=view),
    )
    return list(page.items)


def _pay(world: World, bill_id: UUID) -> None:
    with world.uow:
        bill = world.uow.bills.get(bill_id)
        bill.settle(new_id(), bill.amount_due, world.clock.now())
        world.uow.commit()


def test_a_resident_sees_the_bills_of_their_own_home_only(world: World) -> None:
    mine, theirs = world.home(), world.home()
    owner = world.owner_of(mine)
    world.fee()
    world.run(MARCH)
    assert [line.property_id for line in _view(world, owner, mine, BillView.DUE)] == [mine]
    assert code_of(lambda: _view(world, owner, theirs, BillView.DUE)) == "household.not_member"
    stranger = ResidentActor(resident_id=world.owner_of(world.home()).resident_id)
    assert code_of(lambda: _view(world, stranger, mine, BillView.PAID)) == "household.not_member"


def test_due_paid_and_upcoming_views_split_a_homes_bills(world: World) -> None:
    """Today is 15 March: February is overdue, March is due, April (issued early) is upcoming."""
    home = world.home()
    owner = world.owner_of(home)
    world.fee(late_fee=LateFeePolicy(daily_rate=Decimal("0.0005")))
    for month in (FEBRUARY, MARCH, APRIL):
        world.run(month)
    _pay(world, world.bills(home)[1].id)  # March
    due = _view(world, owner, home, BillView.DUE)
    assert [line.period_start for line in due] == [FEBRUARY]
    [february] = due
    assert february.overdue
    assert february.late_fee == Money(338)  # 25,000 fen × 0.0005 × 27 days (17 Feb–15 Mar)
    assert february.total_due == Money(25_338)
    assert [line.period_start for line in _view(world, owner, home, BillView.PAID)] == [MARCH]
    upcoming = _view(world, owner, home, BillView.UPCOMING)
    assert [(line.period_start, line.overdue) for line in upcoming] == [(APRIL, False)]
    assert upcoming[0].fee_item_name == "物业费"


def test_staff_arrears_list_puts_the_largest_debt_first(world: World) -> None:
    small, large, paid_up = world.home(area="50.00"), world.home(area="200.00"), world.home()
    world.fee()
    world.run(FEBRUARY)
    _pay(world, world.bills(paid_up)[0].id)
    page = queries.list_arrears(
        world.uow, world.clock, world.admin, queries.ListArrears(community_id=world.community_id)
    )
    assert [(line.property_id, line.amount_overdue) for line in page.items] == [
        (large, Money.yuan("500.00")),
        (small, Money.yuan("125.00")),
    ]
    assert page.items[0].oldest_due_date == date(2026, 2, 16)
    assert page.items[0].address == "1-1-102"


def test_staff_without_a_billing_permission_cannot_read_bills(world: World) -> None:
    home = world.home()
    technician = StaffActor(staff_id=new_id(), permissions=frozenset({Permission.WORKORDER_WORK}))
    assert code_of(lambda: _view(world, technician, home, BillView.DUE)) == "permission.missing"
    cashier = StaffActor(staff_id=new_id(), permissions=frozenset({Permission.PAYMENT_COLLECT}))
    assert _view(world, cashier, home, BillView.DUE) == []


def test_community_bill_list_filters_by_status(world: World) -> None:
    first, _ = world.home(), world.home()
    world.fee()
    world.run(MARCH)
    _pay(world, world.bills(first)[0].id)
    page = queries.list_community_bills(
        world.uow,
        world.clock,
        world.admin,
        queries.ListCommunityBills(community_id=world.community_id, status=BillStatus.PAID),
    )
    assert [line.property_id for line in page.items] == [first]


def test_voiding_a_bill_needs_the_bill_void_permission_and_a_reason(world: World) -> None:
    home = world.home()
    world.fee()
    world.run(MARCH)
    [bill] = world.bills(home)
    cashier = StaffActor(staff_id=new_id(), permissions=frozenset({Permission.PAYMENT_COLLECT}))
    assert (
        code_of(
            lambda: services.void_bill(
                world.uow, world.clock, cashier, services.VoidBill(bill_id=bill.id, reason="x")
            )
        )
        == "permission.missing"
    )
    assert (
        code_of(
            lambda: services.void_bill(
                world.uow, world.clock, world.admin, services.VoidBill(bill_id=bill.id, reason="")
            )
        )
        == "bill.void_reason_required"
    )
    services.void_bill(
        world.uow, world.clock, world.admin, services.VoidBill(bill_id=bill.id, reason="重复出账")
    )
    [voided] = world.bills(home)
    assert (voided.status, voided.void_reason) == (BillStatus.VOID, "重复出账")
    owner = world.owner_of(home)
    assert _view(world, owner, home, BillView.DUE) == []
