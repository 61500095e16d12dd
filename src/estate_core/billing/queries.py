"""Views of bills: a property's 应缴 / 已交 / 未到期 (seed 001 §2.2.4), staff lists, arrears.

Residents see only the bills of a property they are an active member of; staff see bills in their
data scope when they hold a permission that works with bills.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date, datetime
from uuid import UUID

import attrs

from estate_core.billing.fee_item import FeeCategory, FeeItem
from estate_core.billing.ledger import LedgerEntry
from estate_core.billing.model import Bill, BillStatus
from estate_core.billing.ports import BillingUnitOfWork
from estate_core.billing.services import BILL_READERS, community_today, require_staff_with_any
from estate_core.properties.services import require_member
from estate_core.shared.access import Actor, ResidentActor
from estate_core.shared.clock import Clock
from estate_core.shared.money import Money
from estate_core.shared.pagination import Page, PageRequest, paginate


class BillView(enum.StrEnum):
    DUE = "due"
    PAID = "paid"
    UPCOMING = "upcoming"


@attrs.frozen(kw_only=True)
class BillLine:
    """Read model of one bill as a person sees it on ``day``: late fee and total as of that day."""

    bill_id: UUID
    property_id: UUID
    fee_item_id: UUID
    fee_item_name: str
    category: FeeCategory
    period_start: date
    period_end: date
    amount_due: Money
    due_date: date
    status: BillStatus
    overdue: bool
    late_fee: Money
    total_due: Money
    amount_paid: Money
    paid_at: datetime | None
    paid_from_prepayment: bool


def _lines(uow: BillingUnitOfWork, bills: Iterable[Bill], day: date) -> list[BillLine]:
    items: dict[UUID, FeeItem] = {}
    lines = []
    for bill in bills:
        item = items.get(bill.fee_item_id) or uow.fee_items.get(bill.fee_item_id)
        items[item.id] = item
        lines.append(
            BillLine(
                bill_id=bill.id,
                property_id=bill.property_id,
                fee_item_id=item.id,
                fee_item_name=item.name,
                category=item.category,
                period_start=bill.period_start,
                period_end=bill.period_end,
                amount_due=bill.amount_due,
                due_date=bill.due_date,
                status=bill.status,
                overdue=bill.is_overdue_on(day),
                late_fee=bill.late_fee_on(day),
                total_due=bill.total_due_on(day)
                if bill.status is BillStatus.UNPAID
                else Money.zero(),
                amount_paid=bill.amount_paid,
                paid_at=bill.paid_at,
                paid_from_prepayment=bill.paid_from_prepayment,
            )
        )
    return lines


def _page(uow: BillingUnitOfWork, page: Page[Bill], day: date) -> Page[BillLine]:
    return Page(items=_lines(uow, page.items, day), next_cursor=page.next_cursor)


def _require_reader(uow: BillingUnitOfWork, clock: Clock, actor: Actor, property_id: UUID) -> date:
    """Check the actor may read the property's bills; returns today in its community."""
    prop = uow.properties.get(property_id)
    day = community_today(uow, clock, prop.community_id)
    if isinstance(actor, ResidentActor):
        require_member(uow, actor.resident_id, property_id, day)
    else:
        require_staff_with_any(actor, BILL_READERS, prop.community_id)
    return day


@attrs.frozen(kw_only=True)
class ListPropertyBills:
    property_id: UUID
    view: BillView
    page: PageRequest = attrs.field(factory=PageRequest)


def list_property_bills(
    uow: BillingUnitOfWork, clock: Clock, actor: Actor, query: ListPropertyBills
) -> Page[BillLine]:
    """A property's bills: ``due`` 应缴 (payable now, oldest first, overdue ones flagged with their
    late fee), ``paid`` 已交 (paid or since refunded, latest first), ``upcoming`` 未到期."""
    with uow:
        day = _require_reader(uow, clock, actor, query.property_id)
        if query.view is BillView.DUE:
            bills = uow.bills.due_for_property(query.property_id, day, query.page)
        elif query.view is BillView.PAID:
            bills = uow.bills.paid_for_property(query.property_id, query.page)
        else:
            bills = uow.bills.upcoming_for_property(query.property_id, day, query.page)
        return _page(uow, bills, day)


@attrs.frozen(kw_only=True)
class ListCommunityBills:
    community_id: UUID
    status: BillStatus | None = None
    period_start: date | None = None
    page: PageRequest = attrs.field(factory=PageRequest)


def list_community_bills(
    uow: BillingUnitOfWork, clock: Clock, actor: Actor, query: ListCommunityBills
) -> Page[BillLine]:
    """Staff list of a community's bills, by status and period (查看已交/未交, seed 004)."""
    require_staff_with_any(actor, BILL_READERS, query.community_id)
    with uow:
        bills = uow.bills.in_community(
            query.community_id, query.page, query.status, query.period_start
        )
        return _page(uow, bills, community_today(uow, clock, query.community_id))


@attrs.frozen(kw_only=True)
class ArrearsLine:
    """Read model: one property's arrears (欠费) on a day, for chasing them (催缴)."""

    property_id: UUID
    address: str
    overdue_bills: int
    amount_overdue: Money
    late_fee: Money
    oldest_due_date: date


@attrs.frozen(kw_only=True)
class ListArrears:
    community_id: UUID
    page: PageRequest = attrs.field(factory=PageRequest)


def list_arrears(
    uow: BillingUnitOfWork, clock: Clock, actor: Actor, query: ListArrears
) -> Page[ArrearsLine]:
    """Properties with overdue bills, largest amount overdue first, so staff pick whom to chase
    first (seed 001 §2.2.4: 挑选欠费金额较大的业主)."""
    require_staff_with_any(actor, BILL_READERS, query.community_id)
    with uow:
        day = community_today(uow, clock, query.community_id)
        page = uow.bills.arrears(query.community_id, day, query.page)
        return Page(
            items=[
                ArrearsLine(
                    property_id=line.property_id,
                    address=uow.properties.get(line.property_id).address,
                    overdue_bills=line.overdue_bills,
                    amount_overdue=line.amount_overdue,
                    late_fee=line.late_fee,
                    oldest_due_date=line.oldest_due_date,
                )
                for line in page.items
            ],
            next_cursor=page.next_cursor,
        )


@attrs.frozen(kw_only=True)
class PrepaymentStatement:
    """Read model of a property's prepayment ledger: the balance and its entries, latest first."""

    property_id: UUID
    balance: Money
    entries: Page[LedgerEntry]


def prepayment_statement(
    uow: BillingUnitOfWork,
    clock: Clock,
    actor: Actor,
    property_id: UUID,
    page: PageRequest | None = None,
) -> PrepaymentStatement:
    with uow:
        _require_reader(uow, clock, actor, property_id)
        ledger = uow.prepayments.for_property(property_id)
        entries = ledger.entries if ledger else []
        return PrepaymentStatement(
            property_id=property_id,
            balance=ledger.balance if ledger else Money.zero(),
            entries=paginate(
                entries,
                key=lambda e: (-int(e.at.timestamp() * 1_000_000), str(e.id)),
                request=page or PageRequest(),
            ),
        )
