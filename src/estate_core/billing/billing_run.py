"""The billing run 出账: every applicable bill of a community for one period, idempotently.

Also the step every way of issuing bills shares (the run and the import): settling new bills
from the property's prepayment ledger (预缴抵扣). Bills are issued as plain rows
(:mod:`~estate_core.billing.issuing`) and written through the
:class:`~estate_core.billing.ports.BillingRunWriter`, the bulk path: a run streams the
community's properties a batch at a time, so it needs memory for one batch, not the community.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime
from uuid import UUID

import attrs

from estate_core.billing.calculation import require_month_start
from estate_core.billing.issuing import (
    BillableProperty,
    BillTerms,
    ChargeBook,
    MissingReading,
    NewBill,
)
from estate_core.billing.model import Bill
from estate_core.billing.ports import BillingUnitOfWork
from estate_core.billing.services import community_today
from estate_core.shared.access import Actor, Permission, require_staff
from estate_core.shared.clock import Clock
from estate_core.shared.errors import NotFound
from estate_core.shared.ids import new_id

PREPAYMENT_REASON = "bill"
RUN_BATCH_SIZE = 5_000
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
    The writer skips a bill whose key exists (the unique key, not a query that grows with the
    run), also when a concurrent run stored it first, and it is counted as already issued.
    A property is billed for a fee item when the item applies to its kind and the amount is
    positive (a property handed over after the period owes nothing for it). New bills are
    settled from prepayment credit (:func:`settle_from_prepayment`). One transaction for the
    whole run; the properties are read and billed a batch at a time.
    """
    require_staff(actor, Permission.BILL_ISSUE, cmd.community_id)
    require_month_start(cmd.period_start)
    now = clock.now()
    tally = _Tally()
    with uow:
        books = _charge_books(uow, cmd, now)
        day = community_today(uow, clock, cmd.community_id)
        if books:
            credited = uow.prepayments.credited_properties(cmd.community_id)
            for batch in uow.billing_writer.properties(cmd.community_id, RUN_BATCH_SIZE):
                _bill_batch(uow, books, batch, credited, now, day, tally)
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
    books: Sequence[ChargeBook],
    batch: Sequence[BillableProperty],
    credited: Collection[UUID],
    at: datetime,
    day: date,
    tally: _Tally,
) -> None:
    """Issue, store and settle from prepayment the bills of one batch of properties."""
    rows: list[NewBill] = []
    for prop in batch:
        for book in books:
            if not book.item.applies_to(prop.kind):
                continue
            try:
                charge = book.charge(prop)
            except MissingReading:
                tally.missing.append((prop.id, book.item.id))
                continue
            if charge is not None:
                rows.append(NewBill(new_id(), prop.id, charge))
    stored = uow.billing_writer.add_new(rows)
    tally.already += len(rows) - len(stored)
    settled = settle_from_prepayment(uow, stored, at, day, credited)
    uow.billing_writer.save_settled(settled)
    tally.issued += len(stored)
    tally.settled += len(settled)


def _charge_books(uow: BillingUnitOfWork, cmd: RunBilling, at: datetime) -> list[ChargeBook]:
    items = uow.fee_items.in_community(cmd.community_id)
    if cmd.fee_item_ids is not None:
        unknown = cmd.fee_item_ids - {item.id for item in items}
        if unknown:
            raise NotFound("fee_item.not_found", "no such fee item in this community")
        items = [item for item in items if item.id in cmd.fee_item_ids]
    books = []
    for item in items:
        period = item.period_starting(cmd.period_start)
        if item.active and period is not None:
            books.append(ChargeBook(uow, item, BillTerms.of(uow.tenant_id, item, period, at)))
    return books


def settle_from_prepayment(
    uow: BillingUnitOfWork,
    stored: Sequence[NewBill],
    at: datetime,
    day: date,
    credited: Collection[UUID] | None = None,
) -> list[Bill]:
    """Pay new bills from prepayment credit (预缴抵扣); returns the bills paid, as aggregates.

    Per property, oldest due date first, whole bills only: a bill the balance cannot cover is
    left unpaid and the next, smaller one may still be paid. Each bill takes one debit entry of
    its total due that day (referencing the bill), and the bill records that entry's id as what
    paid it (``paid_from_prepayment``), so ledger and bill point at each other. Only the bills
    of properties in credit become aggregates; their ``BillIssued`` went out with the rows.
    ``credited`` narrows the ledgers looked up to these properties (a run reads them once).
    """
    candidates = {row.property_id for row in stored}
    if credited is not None:
        candidates.intersection_update(credited)
    if not candidates:
        return []
    ledgers = {ledger.property_id: ledger for ledger in uow.prepayments.in_credit(candidates)}
    if not ledgers:
        return []
    bills = [row.issue() for row in stored if row.property_id in ledgers]
    settled = []
    for bill in sorted(bills, key=lambda b: (b.due_date, b.period_start, str(b.id))):
        bill.take_events()
        ledger = ledgers[bill.property_id]
        amount = bill.total_due_on(day)
        if amount > ledger.balance:
            continue
        entry = ledger.debit(amount, PREPAYMENT_REASON, bill.id, at)
        bill.settle_from_prepayment(entry.id, amount, at)
        settled.append(bill)
    return settled
