"""Collection rate 收缴率 per month (DESIGN.md §8): of a community's bills for a monthly period
that were not voided, the share of the amount billed that is paid. The staff console draws it."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import attrs

from estate_core.billing.model import BillStatus
from estate_core.billing.ports import BillingUnitOfWork
from estate_core.billing.services import BILL_READERS, community_today, require_staff_with_any
from estate_core.shared.access import Actor
from estate_core.shared.clock import Clock
from estate_core.shared.errors import InvalidInput
from estate_core.shared.money import Money
from estate_core.shared.pagination import MAX_PAGE_SIZE, PageRequest

MAX_MONTHS = 12
"""A report covers at most a year (seed 000)."""


@attrs.frozen(kw_only=True)
class MonthCollection:
    """One month's bills: what was billed (voided bills left out), what of it is paid."""

    period_start: date
    billed: Money
    collected: Money
    bills: int

    @property
    def rate_permille(self) -> int | None:
        """The collection rate in ‰ (rounded down), or None for a month without bills."""
        if self.billed.fen == 0:
            return None
        return self.collected.fen * 1000 // self.billed.fen


def _month_starts(today: date, months: int) -> list[date]:
    starts = []
    year, month = today.year, today.month
    for _ in range(months):
        starts.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return starts[::-1]


def _month(uow: BillingUnitOfWork, community_id: UUID, start: date) -> MonthCollection:
    billed = collected = count = 0
    after: str | None = None
    while True:
        page = uow.bills.in_community(
            community_id, PageRequest(limit=MAX_PAGE_SIZE, after=after), None, start
        )
        for bill in page.items:
            if bill.status is BillStatus.VOID:
                continue
            count += 1
            billed += bill.amount_due.fen
            if bill.status is BillStatus.PAID:
                collected += bill.amount_due.fen
        if page.next_cursor is None:
            return MonthCollection(
                period_start=start, billed=Money(billed), collected=Money(collected), bills=count
            )
        after = page.next_cursor


def collection_by_month(
    uow: BillingUnitOfWork, clock: Clock, actor: Actor, community_id: UUID, months: int = 6
) -> list[MonthCollection]:
    """The last ``months`` monthly periods up to this one, oldest first: bills whose period
    starts on the month's first day."""
    if not 1 <= months <= MAX_MONTHS:
        raise InvalidInput("report.invalid_range", f"a report covers 1 to {MAX_MONTHS} months")
    require_staff_with_any(actor, BILL_READERS, community_id)
    with uow:
        today = community_today(uow, clock, community_id)
        return [_month(uow, community_id, start) for start in _month_starts(today, months)]
