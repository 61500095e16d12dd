"""Fee items 收费项目: who may manage them, what they accept, and how their periods align."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from billing_world import DUE_IN_15_DAYS, World

from estate_core.billing import services
from estate_core.billing.calculation import Calculation
from estate_core.billing.fee_item import DueRule, DueRuleKind, FeeCategory, LateFeePolicy
from estate_core.properties.model import PropertyKind
from estate_core.shared.access import Permission, StaffActor
from estate_core.shared.errors import DomainError
from estate_core.shared.ids import new_id
from estate_core.shared.money import Money
from world_builders import code_of


def test_managing_fee_items_needs_the_fee_manage_permission(world: World) -> None:
    issuer = StaffActor(staff_id=new_id(), permissions=frozenset({Permission.BILL_ISSUE}))
    world.admin = issuer
    assert code_of(world.fee) == "permission.missing"


def test_a_community_has_one_fee_item_per_name(world: World) -> None:
    world.fee("物业费")
    assert code_of(lambda: world.fee("物业费")) == "fee_item.duplicate_name"


def test_a_fee_item_belongs_to_an_existing_community(world: World) -> None:
    world.community_id = new_id()
    assert code_of(world.fee) == "community.not_found"


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"price": "0"}, "fee_item.invalid_price"),
        ({"price": "1.23456"}, "fee_item.invalid_price"),
        ({"cycle": 2}, "fee_item.invalid_cycle"),
        ({"kinds": frozenset()}, "fee_item.no_property_kinds"),
        ({"first": date(2026, 1, 15)}, "billing.invalid_period"),
        ({"name": " "}, "fee_item.invalid_name"),
    ],
)
def test_a_fee_item_refuses_invalid_terms(
    world: World, changes: dict[str, object], code: str
) -> None:
    assert code_of(lambda: world.fee(**changes)) == code  # type: ignore[arg-type]


def test_late_fee_terms_and_due_rules_are_checked() -> None:
    with pytest.raises(DomainError) as rate:
        LateFeePolicy(daily_rate=Decimal(0))
    with pytest.raises(DomainError) as cap:
        LateFeePolicy(daily_rate=Decimal("0.0005"), cap=Money(0))
    with pytest.raises(DomainError) as day:
        DueRule(kind=DueRuleKind.DAY_OF_MONTH, value=32)
    assert {rate.value.code, cap.value.code, day.value.code} == {
        "fee_item.invalid_late_fee",
        "fee_item.invalid_due_rule",
    }


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (DueRule(kind=DueRuleKind.DAYS_AFTER_START, value=0), date(2026, 2, 1)),
        (DueRule(kind=DueRuleKind.DAY_OF_MONTH, value=30), date(2026, 2, 28)),
        (DueRule(kind=DueRuleKind.DAYS_AFTER_END, value=5), date(2026, 5, 5)),
    ],
)
def test_due_rules_give_a_local_date(rule: DueRule, expected: date) -> None:
    assert rule.due_date(date(2026, 2, 1), date(2026, 4, 30)) == expected


def test_updating_a_fee_item_changes_future_bills_not_issued_ones(world: World) -> None:
    home = world.home()
    fee_id = world.fee()
    world.run(date(2026, 3, 1))
    services.update_fee_item(
        world.uow,
        world.admin,
        services.UpdateFeeItem(
            fee_item_id=fee_id,
            name="物业服务费",
            category=FeeCategory.PROPERTY_FEE,
            unit_price=Decimal("3.00"),
            property_kinds=frozenset({PropertyKind.RESIDENCE}),
            due_rule=DUE_IN_15_DAYS,
        ),
    )
    world.run(date(2026, 4, 1))
    assert [b.amount_due for b in world.bills(home)] == [Money.yuan("250"), Money.yuan("300")]
    [view] = services.list_fee_items(world.uow, world.admin, world.community_id)
    assert (view.name, view.unit_price, view.calculation) == (
        "物业服务费",
        Decimal("3.00"),
        Calculation.PER_AREA,
    )


def test_a_quarterly_fee_has_periods_every_three_months_from_its_first(world: World) -> None:
    world.fee(cycle=3, first=date(2026, 2, 1))
    with world.uow:
        [item] = world.uow.fee_items.in_community(world.community_id)
    assert item.period_starting(date(2026, 5, 1)) == (date(2026, 5, 1), date(2026, 7, 31))
    assert item.period_starting(date(2026, 6, 1)) is None
    assert item.period_starting(date(2025, 11, 1)) is None
    assert item.next_period_start(date(2026, 6, 1)) == date(2026, 8, 1)
