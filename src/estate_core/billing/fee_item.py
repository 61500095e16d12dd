"""FeeItem 收费项目: what a community charges, how it is computed, when it falls due."""

from __future__ import annotations

import enum
from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID

import attrs

from estate_core.billing import events
from estate_core.billing.calculation import (
    Calculation,
    add_months,
    days_in_month,
    months_between,
    period_end,
    require_month_start,
)
from estate_core.properties.model import PropertyKind
from estate_core.shared.errors import InvalidInput
from estate_core.shared.events import Aggregate
from estate_core.shared.money import Money, require_amount

BILLING_CYCLES = frozenset({1, 3, 6, 12})
_PRICE_PLACES = Decimal("0.0001")
MAX_UNIT_PRICE = Decimal("999999.9999")
"""Yuan per m², per month or per unit of usage: the most a fee rate may be (issue 15)."""
FEE_ITEM_NAME_MAX = 50


class FeeCategory(enum.StrEnum):
    PROPERTY_FEE = "property_fee"
    PARKING_FEE = "parking_fee"
    WATER = "water"
    ELECTRICITY = "electricity"
    MAINTENANCE_FUND = "maintenance_fund"
    OTHER = "other"


class DueRuleKind(enum.StrEnum):
    DAYS_AFTER_START = "days_after_start"
    DAY_OF_MONTH = "day_of_month"
    DAYS_AFTER_END = "days_after_end"


def _check_due_value(instance: DueRule, attribute: attrs.Attribute[int], value: int) -> None:
    limit = 31 if instance.kind is DueRuleKind.DAY_OF_MONTH else 366
    low = 1 if instance.kind is DueRuleKind.DAY_OF_MONTH else 0
    if type(value) is not int or not low <= value <= limit:
        raise InvalidInput("fee_item.invalid_due_rule", f"{instance.kind} takes {low}..{limit}")


@attrs.frozen(kw_only=True)
class DueRule:
    """When a bill falls due (缴费期限), as a local date.

    ``days_after_start``: period start + N days; ``day_of_month``: day N of the period's first
    month (the last day when the month is shorter); ``days_after_end``: period end + N days (for
    metered fees billed after the meter is read).
    """

    kind: DueRuleKind
    value: int = attrs.field(validator=_check_due_value)

    def due_date(self, period_start: date, last_day: date) -> date:
        if self.kind is DueRuleKind.DAYS_AFTER_START:
            return period_start + timedelta(days=self.value)
        if self.kind is DueRuleKind.DAY_OF_MONTH:
            day = min(self.value, days_in_month(period_start))
            return date(period_start.year, period_start.month, day)
        return last_day + timedelta(days=self.value)


def _check_rate(instance: object, attribute: attrs.Attribute[Decimal], value: Decimal) -> None:
    if not value.is_finite() or not Decimal(0) < value < Decimal(1):
        raise InvalidInput("fee_item.invalid_late_fee", "the daily rate is between 0 and 1")


def _check_cap(
    instance: object, attribute: attrs.Attribute[Money | None], value: Money | None
) -> None:
    if value is not None:
        require_amount(value, "fee_item.invalid_late_fee", "a late-fee cap")


@attrs.frozen(kw_only=True)
class LateFeePolicy:
    """Late fee 滞纳金: ``daily_rate`` of the unpaid amount per overdue day, at most ``cap``.

    Without a cap the late fee of a bill never exceeds the bill amount itself.
    """

    daily_rate: Decimal = attrs.field(validator=_check_rate)
    cap: Money | None = attrs.field(default=None, validator=_check_cap)


def _check_name(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not value.strip() or len(value) > FEE_ITEM_NAME_MAX:
        raise InvalidInput("fee_item.invalid_name", f"a name is 1..{FEE_ITEM_NAME_MAX} characters")


def _check_price(instance: object, attribute: attrs.Attribute[Decimal], value: Decimal) -> None:
    if not isinstance(value, Decimal) or not value.is_finite() or not 0 < value <= MAX_UNIT_PRICE:
        raise InvalidInput(
            "fee_item.invalid_price", f"a unit price is more than 0 and at most {MAX_UNIT_PRICE}"
        )
    if value != value.quantize(_PRICE_PLACES):
        raise InvalidInput("fee_item.invalid_price", "a unit price has at most four decimals")


def _check_kinds(
    instance: object,
    attribute: attrs.Attribute[frozenset[PropertyKind]],
    value: frozenset[PropertyKind],
) -> None:
    if not value:
        raise InvalidInput("fee_item.no_property_kinds", "a fee applies to at least one kind")


def _check_cycle(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if value not in BILLING_CYCLES:
        raise InvalidInput("fee_item.invalid_cycle", "a billing cycle is 1, 3, 6 or 12 months")


def _check_first_period(instance: object, attribute: attrs.Attribute[date], value: date) -> None:
    require_month_start(value, "a fee item's first period")


@attrs.define(slots=False, eq=False, kw_only=True)
class FeeItem(Aggregate):
    """FeeItem 收费项目 of a community: 物业费, 车位费, 水费, 电费, 维修基金...

    ``unit_price`` is yuan per m² per month (``per_area``), per month (``fixed``) or per unit of
    usage (``metered``). Periods are ``cycle_months`` whole calendar months, the first starting at
    ``first_period_start``. The calculation, the cycle and the first period never change once
    created, so the periods already billed stay aligned and a property is never billed twice for
    the same month; to change them, retire the item and create another.
    """

    id: UUID
    tenant_id: UUID
    community_id: UUID
    name: str = attrs.field(validator=_check_name)
    category: FeeCategory
    calculation: Calculation
    unit_price: Decimal = attrs.field(validator=_check_price)
    property_kinds: frozenset[PropertyKind] = attrs.field(validator=_check_kinds)
    cycle_months: int = attrs.field(validator=_check_cycle)
    first_period_start: date = attrs.field(validator=_check_first_period)
    due_rule: DueRule
    late_fee: LateFeePolicy | None = None
    active: bool = True

    @classmethod
    def create(
        cls,
        *,
        fee_item_id: UUID,
        tenant_id: UUID,
        community_id: UUID,
        name: str,
        category: FeeCategory,
        calculation: Calculation,
        unit_price: Decimal,
        property_kinds: frozenset[PropertyKind],
        cycle_months: int,
        first_period_start: date,
        due_rule: DueRule,
        late_fee: LateFeePolicy | None = None,
    ) -> FeeItem:
        item = cls(
            id=fee_item_id,
            tenant_id=tenant_id,
            community_id=community_id,
            name=name.strip(),
            category=category,
            calculation=calculation,
            unit_price=unit_price,
            property_kinds=property_kinds,
            cycle_months=cycle_months,
            first_period_start=first_period_start,
            due_rule=due_rule,
            late_fee=late_fee,
        )
        item.record(
            events.FeeItemCreated(
                fee_item_id=fee_item_id, community_id=community_id, name=item.name
            )
        )
        return item

    def applies_to(self, kind: PropertyKind) -> bool:
        return kind in self.property_kinds

    def period_starting(self, month: date) -> tuple[date, date] | None:
        """The (start, end) of this item's period starting at ``month``, or None if none does."""
        require_month_start(month)
        offset = months_between(self.first_period_start, month)
        if offset < 0 or offset % self.cycle_months:
            return None
        return month, period_end(month, self.cycle_months)

    def next_period_start(self, month: date) -> date:
        """The first period of this item starting at or after ``month``."""
        offset = max(0, months_between(self.first_period_start, month))
        cycles = -(-offset // self.cycle_months)
        return add_months(self.first_period_start, cycles * self.cycle_months)

    def change(
        self,
        *,
        name: str,
        category: FeeCategory,
        unit_price: Decimal,
        property_kinds: frozenset[PropertyKind],
        due_rule: DueRule,
        late_fee: LateFeePolicy | None,
        active: bool,
    ) -> None:
        """Change what may change; bills already issued keep the amounts they were issued with."""
        _check_name(self, attrs.fields(FeeItem).name, name)
        _check_price(self, attrs.fields(FeeItem).unit_price, unit_price)
        _check_kinds(self, attrs.fields(FeeItem).property_kinds, property_kinds)
        self.name = name.strip()
        self.category = category
        self.unit_price = unit_price
        self.property_kinds = property_kinds
        self.due_rule = due_rule
        self.late_fee = late_fee
        self.active = active
        self.record(
            events.FeeItemChanged(
                fee_item_id=self.id, community_id=self.community_id, active=active
            )
        )
