"""Bills issued in bulk as plain rows: the billing run 出账 and the bill import 账单导入.

A run issues a bill per (property, fee item) of a community: hundreds of thousands of bills
that all share a handful of values. So a new bill is a plain row, :class:`NewBill` (its id, its
property and a :class:`Charge`), not a :class:`~estate_core.billing.model.Bill` aggregate, and
the amount is computed once per distinct (fee item, area, chargeable dates) by a
:class:`ChargeBook`, not once per property. A writer stores the rows and their ``BillIssued``
events straight from them, converting each distinct charge to its driver's formats once. Only
the bills paid from prepayment right away become aggregates (:meth:`NewBill.issue`).

The rules are those of the aggregate path: :func:`bill_amount` is the arithmetic for one
property, :meth:`NewBill.issue` is :meth:`Bill.issue`; property tests prove that the rows and
the aggregates are the same bills.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple, Protocol
from uuid import UUID

import attrs

from estate_core.billing import events
from estate_core.billing.calculation import (
    Calculation,
    add_months,
    chargeable_days,
    metered_amount,
    monthly_charge,
    months_between,
    period_amount,
)
from estate_core.billing.fee_item import FeeItem
from estate_core.billing.model import Bill
from estate_core.billing.ports import BillingUnitOfWork
from estate_core.billing.services import metered_usage
from estate_core.properties.model import PropertyKind
from estate_core.shared.money import Money


class Billable(Protocol):
    """What a bill's amount depends on: a :class:`Property` or a :class:`BillableProperty`."""

    @property
    def id(self) -> UUID: ...

    @property
    def kind(self) -> PropertyKind: ...

    @property
    def area(self) -> Decimal: ...

    @property
    def billing_start(self) -> date | None: ...

    @property
    def billing_end(self) -> date | None: ...


class BillableProperty(NamedTuple):
    """The columns of a property a billing run reads: a plain row, not the aggregate."""

    id: UUID
    kind: PropertyKind
    area: Decimal
    billing_start: date | None
    billing_end: date | None


@attrs.frozen(kw_only=True, cache_hash=True)
class BillTerms:
    """What every bill of one fee item for one period shares, copied from the fee item when
    issued (so changing the item later never changes a bill)."""

    tenant_id: UUID
    community_id: UUID
    fee_item_id: UUID
    period_start: date
    period_end: date
    due_date: date
    late_fee_rate: Decimal | None
    late_fee_cap: Money | None
    issued_at: datetime

    @classmethod
    def of(
        cls,
        tenant_id: UUID,
        item: FeeItem,
        period: tuple[date, date],
        at: datetime,
        due_date: date | None = None,
    ) -> BillTerms:
        """The terms of ``item``'s bills for ``period``, due by the item's rule unless given."""
        start, end = period
        policy = item.late_fee
        return cls(
            tenant_id=tenant_id,
            community_id=item.community_id,
            fee_item_id=item.id,
            period_start=start,
            period_end=end,
            due_date=due_date or item.due_rule.due_date(start, end),
            late_fee_rate=policy.daily_rate if policy else None,
            late_fee_cap=policy.cap if policy else None,
            issued_at=at,
        )


def _positive(instance: Charge, attribute: attrs.Attribute[Money], value: Money) -> None:
    if not value.is_positive:
        raise ValueError("a bill is for a positive amount")


@attrs.frozen(kw_only=True, cache_hash=True)
class Charge:
    """The terms and the amount of a bill: everything but its id and its property. Many bills
    share one (a writer converts each to its driver's formats once)."""

    terms: BillTerms
    amount_due: Money = attrs.field(validator=_positive)


class NewBill(NamedTuple):
    """A bill issued in bulk, as a row: what the writer stores, with its ``BillIssued`` event."""

    id: UUID
    property_id: UUID
    charge: Charge

    def issued_event(self) -> events.BillIssued:
        terms = self.charge.terms
        return events.BillIssued(
            bill_id=self.id,
            community_id=terms.community_id,
            property_id=self.property_id,
            fee_item_id=terms.fee_item_id,
            period_start=terms.period_start,
            period_end=terms.period_end,
            amount_due=self.charge.amount_due,
            due_date=terms.due_date,
        )

    def issue(self) -> Bill:
        """This bill as the aggregate, announced with ``BillIssued`` like any new bill."""
        terms = self.charge.terms
        return Bill.issue(
            bill_id=self.id,
            tenant_id=terms.tenant_id,
            community_id=terms.community_id,
            property_id=self.property_id,
            fee_item_id=terms.fee_item_id,
            period_start=terms.period_start,
            period_end=terms.period_end,
            amount_due=self.charge.amount_due,
            due_date=terms.due_date,
            late_fee_rate=terms.late_fee_rate,
            late_fee_cap=terms.late_fee_cap,
            at=terms.issued_at,
        )


def bill_amount(
    uow: BillingUnitOfWork, item: FeeItem, prop: Billable, start: date, end: date
) -> Money | None:
    """The amount of ``item`` for ``prop`` over the period, or None when a reading is missing.

    Zero when no day of the period is chargeable (see :mod:`calculation` for the arithmetic).
    """
    months = months_between(start, end) + 1
    chargeable = sum(
        chargeable_days(add_months(start, index), prop.billing_start, prop.billing_end)
        for index in range(months)
    )
    if chargeable == 0:
        return Money.zero()
    if item.calculation is Calculation.METERED:
        usage = metered_usage(uow, prop.id, item.id, start, end)
        return None if usage is None else metered_amount(item.unit_price, usage)
    monthly = monthly_charge(item.calculation, item.unit_price, prop.area)
    return period_amount(monthly, start, months, prop.billing_start, prop.billing_end)


class MissingReading(Exception):
    """A metered fee cannot be billed yet: no reading in the period, or none before it."""


class ChargeBook:
    """The charges of one fee item for one period, each computed once.

    A per-area or fixed amount depends only on the area (per-area) and on the chargeable dates
    that cut into the period; a billing start on or before the period's first day, or an end
    on or after its last, changes nothing, so both count as open. A metered amount depends on
    the property's readings and is computed for each property.
    """

    def __init__(self, uow: BillingUnitOfWork, item: FeeItem, terms: BillTerms) -> None:
        self.item = item
        self.terms = terms
        self._uow = uow
        self._charges: dict[tuple[Decimal | None, date | None, date | None], Charge | None] = {}

    def charge(self, prop: Billable) -> Charge | None:
        """The charge of ``prop``, None when it owes nothing for the period (no chargeable day);
        raises :class:`MissingReading`."""
        start, end = self.terms.period_start, self.terms.period_end
        if self.item.calculation is Calculation.METERED:
            return self._compute(prop)
        first = prop.billing_start if prop.billing_start and prop.billing_start > start else None
        last = prop.billing_end if prop.billing_end and prop.billing_end < end else None
        area = prop.area if self.item.calculation is Calculation.PER_AREA else None
        key = (area, first, last)
        try:
            return self._charges[key]
        except KeyError:
            charge = self._charges[key] = self._compute(prop)
            return charge

    def _compute(self, prop: Billable) -> Charge | None:
        terms = self.terms
        amount = bill_amount(self._uow, self.item, prop, terms.period_start, terms.period_end)
        if amount is None:
            raise MissingReading
        return Charge(terms=terms, amount_due=amount) if amount.is_positive else None
