"""The billing run 出账: every applicable bill of a community for one period, idempotently.

Also the steps every way of issuing bills shares (the run and the import): making a bill, and
settling new bills from the property's prepayment ledger (预缴抵扣). Both write through the
:class:`~estate_core.billing.ports.BillingRunWriter`, the bulk path: a run streams the
community's properties a batch at a time, so it needs memory for one batch, not the community.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from uuid import UUID

import attrs

from estate_core.billing.calculation import (
    Calculation,
    add_months,
    chargeable_days,
    metered_amount,
    monthly_charge,
    months_between,
    period_amount,
    require_month_start,
)
from estate_core.billing.fee_item import FeeItem
from estate_core.billing.model import Bill
from estate_core.billing.ports import BillingUnitOfWork
from estate_core.billing.services import community_today, metered_usage
from estate_core.properties.model import Property
from estate_core.shared.access import Actor, Permission, require_staff
from estate_core.shared.clock import Clock
from estate_core.shared.errors import NotFound
from estate_core.shared.ids import new_id
from estate_core.shared.money import Money

PREPAYMENT_REASON = "bill"
RUN_BATCH_SIZE = 1_000
"""Properties billed per batch: the bills of one batch are written at once, then dropped."""


@attrs.frozen(kw_only=True)
class RunBilling:
    """Issue the bills of every active fee item whose period starts at ``period_start``.

    ``fee_item_ids`` narrows the run to some items (e.g. only water, once the meters are read).
    """

    community_id: UUID
    period_start: date
    fee_item_ids: frozenset[UUID] | None = None


@attrs.frozen(kw_only=True)
class BillingRunResult:
    """What a run did. ``missing_readings`` lists (property, fee item) pairs of metered fees that
    could not be billed yet: no reading in the period, or no earlier reading to subtract."""

    community_id: UUID
    period_start: date
    issued: int
    already_issued: int
    settled_from_prepayment: int
    missing_readings: tuple[tuple[UUID, UUID], ...]


def run_billing(
    uow: BillingUnitOfWork, clock: Clock, actor: Actor, cmd: RunBilling
) -> BillingRunResult:
    """Run billing 出账 for (community, period), by staff holding ``bill.issue``.

    Idempotent: a bill that exists for (property, fee item, period start), whatever its status,
    is never issued again, so running twice issues nothing new, and a voided bill is not revived.
    The unique key backs this when two runs race: a bill the other run stored first is skipped
    and counted as already issued. A property is billed for a fee item when the item applies to
    its kind and the amount is positive (a property handed over after the period owes nothing
    for it). New bills are settled from prepayment credit (:func:`settle_from_prepayment`).
    One transaction for the whole run; the properties are read and billed a batch at a time.
    """
    require_staff(actor, Permission.BILL_ISSUE, cmd.community_id)
    require_month_start(cmd.period_start)
    now = clock.now()
    tally = _Tally()
    with uow:
        items = _items_billed(uow, cmd)
        day = community_today(uow, clock, cmd.community_id)
        if items:
            for batch in uow.billing_writer.properties(cmd.community_id, RUN_BATCH_SIZE):
                _bill_batch(uow, items, batch, cmd.period_start, now, day, tally)
        uow.commit()
    return BillingRunResult(
        community_id=cmd.community_id,
        period_start=cmd.period_start,
        issued=tally.issued,
        already_issued=tally.already,
        settled_from_prepayment=tally.settled,
        missing_readings=tuple(tally.missing),
    )


@attrs.define
class _Tally:
    issued: int = 0
    already: int = 0
    settled: int = 0
    missing: list[tuple[UUID, UUID]] = attrs.field(factory=list)


def _bill_batch(
    uow: BillingUnitOfWork,
    items: Sequence[tuple[FeeItem, tuple[date, date]]],
    batch: Sequence[Property],
    period_start: date,
    at: datetime,
    day: date,
    tally: _Tally,
) -> None:
    """Issue, store and settle from prepayment the bills of one batch of properties."""
    writer = uow.billing_writer
    existing = writer.issued_keys([prop.id for prop in batch], period_start)
    new_bills: list[Bill] = []
    for prop in batch:
        for item, (start, end) in items:
            if not item.applies_to(prop.kind):
                continue
            if (prop.id, item.id) in existing:
                tally.already += 1
                continue
            amount = bill_amount(uow, item, prop, start, end)
            if amount is None:
                tally.missing.append((prop.id, item.id))
            elif amount.is_positive:
                new_bills.append(new_bill(uow.tenant_id, item, prop.id, start, end, amount, at))
    stored = writer.add_new(new_bills)
    tally.already += len(new_bills) - len(stored)
    settled = settle_from_prepayment(uow, stored, at, day)
    writer.save_settled(settled)
    tally.issued += len(stored)
    tally.settled += len(settled)


def _items_billed(
    uow: BillingUnitOfWork, cmd: RunBilling
) -> list[tuple[FeeItem, tuple[date, date]]]:
    items = uow.fee_items.in_community(cmd.community_id)
    if cmd.fee_item_ids is not None:
        unknown = cmd.fee_item_ids - {item.id for item in items}
        if unknown:
            raise NotFound("fee_item.not_found", "no such fee item in this community")
        items = [item for item in items if item.id in cmd.fee_item_ids]
    billed = []
    for item in items:
        period = item.period_starting(cmd.period_start)
        if item.active and period is not None:
            billed.append((item, period))
    return billed


def bill_amount(
    uow: BillingUnitOfWork, item: FeeItem, prop: Property, start: date, end: date
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


def new_bill(
    tenant_id: UUID,
    item: FeeItem,
    property_id: UUID,
    start: date,
    end: date,
    amount: Money,
    at: datetime,
    due_date: date | None = None,
) -> Bill:
    """Issue one bill, copying the fee item's due rule and late-fee terms onto it; the caller
    stores it (``BillingRunWriter.add_new``)."""
    policy = item.late_fee
    return Bill.issue(
        bill_id=new_id(),
        tenant_id=tenant_id,
        community_id=item.community_id,
        property_id=property_id,
        fee_item_id=item.id,
        period_start=start,
        period_end=end,
        amount_due=amount,
        due_date=due_date or item.due_rule.due_date(start, end),
        late_fee_rate=policy.daily_rate if policy else None,
        late_fee_cap=policy.cap if policy else None,
        at=at,
    )


def settle_from_prepayment(
    uow: BillingUnitOfWork, bills: Sequence[Bill], at: datetime, day: date
) -> list[Bill]:
    """Pay new bills from prepayment credit (预缴抵扣); returns the bills paid.

    Per property, oldest due date first, whole bills only: a bill the balance cannot cover is
    left unpaid and the next, smaller one may still be paid. Each bill takes one debit entry of
    its total due that day (referencing the bill), and the bill records that entry's id as what
    paid it (``paid_from_prepayment``), so ledger and bill point at each other.
    """
    if not bills:
        return []
    ledgers = {
        ledger.property_id: ledger
        for ledger in uow.prepayments.in_credit({bill.property_id for bill in bills})
    }
    if not ledgers:
        return []
    settled = []
    ordered = sorted(bills, key=lambda b: (b.due_date, b.period_start, str(b.id)))
    for bill in ordered:
        ledger = ledgers.get(bill.property_id)
        amount = bill.total_due_on(day)
        if ledger is None or amount > ledger.balance:
            continue
        entry = ledger.debit(amount, PREPAYMENT_REASON, bill.id, at)
        bill.settle_from_prepayment(entry.id, amount, at)
        settled.append(bill)
    return settled
