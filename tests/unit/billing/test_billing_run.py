"""The billing run 出账: idempotent, per property kind, prorated, metered, paid from prepayment."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID

import pytest
from billing_world import World, new_community
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.persistence.memory import InMemoryStore, InMemoryUnitOfWork
from estate_core.billing import billing_run, services
from estate_core.billing.calculation import Calculation
from estate_core.billing.fee_item import DueRule, DueRuleKind, FeeCategory, LateFeePolicy
from estate_core.billing.model import Bill, BillStatus
from estate_core.properties.model import PropertyKind
from estate_core.shared.access import Permission, StaffActor
from estate_core.shared.clock import FixedClock
from estate_core.shared.errors import Conflict
from estate_core.shared.ids import new_id
from estate_core.shared.money import Money
from world_builders import code_of

MARCH = date(2026, 3, 1)
APRIL = date(2026, 4, 1)


def test_running_billing_twice_issues_nothing_new(world: World) -> None:
    homes = [world.home() for _ in range(3)]
    world.fee()
    first = world.run(MARCH)
    bills_after_first = {b.id for b in world.bills()}
    second = world.run(MARCH)
    assert (first.issued, first.already_issued) == (3, 0)
    assert (second.issued, second.already_issued) == (0, 3)
    assert {b.id for b in world.bills()} == bills_after_first
    assert {b.property_id for b in world.bills()} == set(homes)


@settings(max_examples=15, deadline=None)
@given(
    areas=st.lists(st.decimals(min_value=1, max_value=500, places=2), min_size=1, max_size=5),
    cycles=st.lists(st.sampled_from([1, 3, 6, 12]), min_size=1, max_size=3),
    month=st.integers(min_value=1, max_value=12),
)
def test_any_billing_run_repeated_leaves_the_same_bills(
    areas: list[Decimal], cycles: list[int], month: int
) -> None:
    clock = FixedClock(datetime(2026, 3, 15, 2, 0, tzinfo=UTC))
    uow = InMemoryUnitOfWork(InMemoryStore(), new_id(), clock)
    admin = StaffActor(staff_id=new_id(), permissions=frozenset(Permission))
    world = World(uow=uow, clock=clock, admin=admin, community_id=new_community(uow))
    for area in areas:
        world.home(area=str(area))
    for index, cycle in enumerate(cycles):
        world.fee(f"fee {index}", cycle=cycle)
    period = date(2026, month, 1)
    world.run(period)
    snapshot = {(b.id, b.property_id, b.fee_item_id, b.amount_due) for b in world.bills()}
    again = world.run(period)
    assert again.issued == 0
    assert {(b.id, b.property_id, b.fee_item_id, b.amount_due) for b in world.bills()} == snapshot
    keys = [(b.property_id, b.fee_item_id, b.period_start) for b in world.bills()]
    assert len(keys) == len(set(keys))


def test_the_unique_key_refuses_a_second_bill_for_the_same_property_fee_and_period(
    world: World,
) -> None:
    home = world.home()
    world.fee()
    world.run(MARCH)
    original = world.bills(home)[0]
    with world.uow:
        world.uow.bills.add(
            Bill(
                id=new_id(),
                tenant_id=world.uow.tenant_id,
                community_id=world.community_id,
                property_id=home,
                fee_item_id=original.fee_item_id,
                period_start=MARCH,
                period_end=date(2026, 3, 31),
                amount_due=Money(1),
                due_date=MARCH,
            )
        )
        with pytest.raises(Conflict) as raised:
            world.uow.commit()
    assert raised.value.code == "bills.duplicate"


def test_a_fee_bills_only_the_property_kinds_it_applies_to(world: World) -> None:
    flat = world.home()
    space = world.home(kind=PropertyKind.PARKING_SPACE, area="12.00")
    world.fee("物业费")
    world.fee(
        "车位管理费",
        calculation=Calculation.FIXED,
        price="80",
        kinds=frozenset({PropertyKind.PARKING_SPACE}),
        category=FeeCategory.PARKING_FEE,
    )
    world.run(MARCH)
    assert [b.amount_due for b in world.bills(flat)] == [Money.yuan("250.00")]
    assert [b.amount_due for b in world.bills(space)] == [Money.yuan("80.00")]


def test_the_month_of_handover_is_prorated_and_earlier_periods_are_not_billed(
    world: World,
) -> None:
    home = world.home(billing_start=date(2026, 3, 11))
    world.fee()
    assert world.run(date(2026, 2, 1)).issued == 0
    world.run(MARCH)
    assert [b.amount_due for b in world.bills(home)] == [Money(16935)]  # 25,000 × 21/31


def test_a_quarterly_fee_bills_only_in_the_months_its_periods_start(world: World) -> None:
    home = world.home()
    world.fee(cycle=3, first=date(2026, 1, 1))
    assert world.run(MARCH).issued == 0
    world.run(APRIL)
    [bill] = world.bills(home)
    assert (bill.period_start, bill.period_end) == (APRIL, date(2026, 6, 30))
    assert bill.amount_due == Money.yuan("750.00")


def test_inactive_fee_items_are_not_billed(world: World) -> None:
    world.home()
    fee_id = world.fee()
    services.update_fee_item(
        world.uow,
        world.admin,
        services.UpdateFeeItem(
            fee_item_id=fee_id,
            name="物业费",
            category=FeeCategory.PROPERTY_FEE,
            unit_price=Decimal("2.50"),
            property_kinds=frozenset({PropertyKind.RESIDENCE}),
            due_rule=DueRule(kind=DueRuleKind.DAYS_AFTER_START, value=15),
            active=False,
        ),
    )
    assert world.run(MARCH).issued == 0


def test_a_voided_bill_is_not_issued_again(world: World) -> None:
    home = world.home()
    world.fee()
    world.run(MARCH)
    [bill] = world.bills(home)
    services.void_bill(
        world.uow, world.clock, world.admin, services.VoidBill(bill_id=bill.id, reason="减免")
    )
    result = world.run(MARCH)
    assert (result.issued, result.already_issued) == (0, 1)
    assert [b.status for b in world.bills(home)] == [BillStatus.VOID]


def test_a_bill_copies_the_due_rule_and_late_fee_terms_of_its_fee_item(world: World) -> None:
    home = world.home()
    world.fee(
        due_rule=DueRule(kind=DueRuleKind.DAY_OF_MONTH, value=31),
        late_fee=LateFeePolicy(daily_rate=Decimal("0.0003"), cap=Money(5_000)),
    )
    world.run(date(2026, 2, 1))
    [bill] = world.bills(home)
    assert bill.due_date == date(2026, 2, 28)
    assert (bill.late_fee_rate, bill.late_fee_cap) == (Decimal("0.0003"), Money(5_000))


def test_billing_needs_the_bill_issue_permission(world: World) -> None:
    world.fee()
    cashier = StaffActor(staff_id=new_id(), permissions=frozenset({Permission.PAYMENT_COLLECT}))
    outsider = StaffActor(
        staff_id=new_id(),
        permissions=frozenset({Permission.BILL_ISSUE}),
        community_ids=frozenset({new_id()}),
    )
    for actor, code in ((cashier, "permission.missing"), (outsider, "permission.out_of_scope")):
        assert (
            code_of(
                lambda actor=actor: billing_run.run_billing(
                    world.uow,
                    world.clock,
                    actor,
                    billing_run.RunBilling(community_id=world.community_id, period_start=MARCH),
                )
            )
            == code
        )


def _water(world: World) -> UUID:
    return world.fee(
        "水费",
        calculation=Calculation.METERED,
        price="3.45",
        category=FeeCategory.WATER,
        due_rule=DueRule(kind=DueRuleKind.DAYS_AFTER_END, value=10),
    )


def test_a_metered_fee_bills_this_periods_reading_minus_the_one_before(world: World) -> None:
    home = world.home()
    water = _water(world)
    world.read_reading(home, water, "100.00", date(2026, 1, 25))
    world.read_reading(home, water, "112.50", date(2026, 2, 25))
    world.run(date(2026, 2, 1))
    [bill] = world.bills(home)
    assert bill.amount_due == Money(4313)  # 3.45 元 × 12.5 = 43.125 元
    assert bill.due_date == date(2026, 3, 10)


def test_a_metered_fee_without_readings_is_reported_and_billed_by_a_later_run(
    world: World,
) -> None:
    home = world.home()
    water = _water(world)
    world.read_reading(home, water, "100.00", date(2026, 1, 25))
    early = world.run(date(2026, 2, 1))
    assert early.missing_readings == ((home, water),)
    world.read_reading(home, water, "110.00", date(2026, 2, 27))
    later = world.run(date(2026, 2, 1))
    assert (later.issued, later.missing_readings) == (1, ())


def _credit(world: World, home: UUID, amount: Money) -> None:
    with world.uow:
        ledger = services.open_prepayment_ledger(world.uow, home)
        ledger.credit(amount, "top_up", new_id(), world.clock.now())
        world.uow.commit()


def test_new_bills_are_paid_from_prepayment_oldest_due_first_whole_bills_only(
    world: World,
) -> None:
    home = world.home()
    world.fee("物业费")  # 250 元, due on the 16th
    world.fee(
        "垃圾清运费",
        calculation=Calculation.FIXED,
        price="10",
        due_rule=DueRule(kind=DueRuleKind.DAYS_AFTER_START, value=9),
        category=FeeCategory.OTHER,
    )
    _credit(world, home, Money.yuan("200.00"))
    result = world.run(MARCH)
    assert result.settled_from_prepayment == 1
    by_amount = {b.amount_due: b for b in world.bills(home)}
    rubbish, property_fee = by_amount[Money.yuan("10")], by_amount[Money.yuan("250")]
    assert rubbish.status is BillStatus.PAID
    assert rubbish.paid_from_prepayment
    assert property_fee.status is BillStatus.UNPAID
    with world.uow:
        ledger = services.open_prepayment_ledger(world.uow, home)
        debit = ledger.entries[-1]
        assert ledger.balance == Money.yuan("190.00")
        assert (debit.reference_id, debit.amount) == (rubbish.id, Money.yuan("10"))
        assert rubbish.paid_by_payment_id == debit.id


def test_enough_prepayment_pays_every_new_bill(world: World) -> None:
    home = world.home()
    world.fee()
    _credit(world, home, Money.yuan("250.00"))
    assert world.run(MARCH).settled_from_prepayment == 1
    assert [b.status for b in world.bills(home)] == [BillStatus.PAID]
    with world.uow:
        assert services.open_prepayment_ledger(world.uow, home).balance == Money(0)


def test_each_issued_bill_is_announced_once_in_the_outbox(
    world: World, store: InMemoryStore
) -> None:
    homes = {world.home(), world.home()}
    world.fee()
    world.run(MARCH)
    world.run(MARCH)
    issued = [m.payload for m in store.outbox if m.event_name == "BillIssued"]
    assert {UUID(str(p["property_id"])) for p in issued} == homes
    assert len(issued) == 2
    assert {p["amount_due"] for p in issued} == {25_000}
