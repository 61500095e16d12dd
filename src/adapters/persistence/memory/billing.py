"""In-memory repositories of the billing context (the Payment repository lives beside it)."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from datetime import date
from typing import Any
from uuid import UUID

from adapters.persistence.memory.store import InMemoryRepository, Session
from estate_core.billing.fee_item import FeeItem
from estate_core.billing.issuing import BillableProperty, NewBill
from estate_core.billing.ledger import PrepaymentLedger, PublicFundLedger
from estate_core.billing.meter import MeterReading
from estate_core.billing.model import Bill, BillStatus, PropertyArrears
from estate_core.shared.money import total
from estate_core.shared.pagination import Page, PageRequest, paginate


class InMemoryFeeItemRepository(InMemoryRepository[FeeItem]):
    table = "fee_items"
    unique = (("community_id", "name"),)
    not_found_code = "fee_item.not_found"

    def find_by_name(self, community_id: UUID, name: str) -> FeeItem | None:
        found = self._select(lambda f: f.community_id == community_id and f.name == name)
        return found[0] if found else None

    def in_community(self, community_id: UUID) -> list[FeeItem]:
        return sorted(self._select(lambda f: f.community_id == community_id), key=lambda f: f.name)


def _by_due_date(bill: Bill) -> tuple[str, str]:
    return (bill.due_date.isoformat(), str(bill.id))


class InMemoryBillRepository(InMemoryRepository[Bill]):
    table = "bills"
    unique = (("property_id", "fee_item_id", "period_start"),)
    not_found_code = "bill.not_found"

    def find_by_key(self, property_id: UUID, fee_item_id: UUID, period_start: date) -> Bill | None:
        found = self._select(
            lambda b: (
                (b.property_id, b.fee_item_id, b.period_start)
                == (property_id, fee_item_id, period_start)
            )
        )
        return found[0] if found else None

    def issued_keys(self, community_id: UUID, period_start: date) -> set[tuple[UUID, UUID]]:
        """A plain read, like the SQL select it stands for: the bills are not loaded into the
        unit of work, so a payment settling one of them meanwhile does not fail the run."""
        tenant_id = self._session.tenant_id
        with self._session.store.lock:
            stored = [row.value for row in self._session.store.table(self.table).values()]
        return {
            (b.property_id, b.fee_item_id)
            for b in [*stored, *self._working()]
            if b.tenant_id == tenant_id
            and b.community_id == community_id
            and b.period_start == period_start
        }

    def unpaid_for_property(self, property_id: UUID) -> list[Bill]:
        return sorted(
            self._select(lambda b: b.property_id == property_id and b.status is BillStatus.UNPAID),
            key=_by_due_date,
        )

    def due_for_property(self, property_id: UUID, day: date, page: PageRequest) -> Page[Bill]:
        return paginate(
            self._select(lambda b: b.property_id == property_id and b.is_due_on(day)),
            key=_by_due_date,
            request=page,
        )

    def upcoming_for_property(self, property_id: UUID, day: date, page: PageRequest) -> Page[Bill]:
        return paginate(
            self._select(lambda b: b.property_id == property_id and b.is_upcoming_on(day)),
            key=lambda b: (b.period_start.isoformat(), str(b.id)),
            request=page,
        )

    def paid_for_property(self, property_id: UUID, page: PageRequest) -> Page[Bill]:
        settled = {BillStatus.PAID, BillStatus.REFUNDED}
        return paginate(
            self._select(
                lambda b: (
                    b.property_id == property_id and b.status in settled and b.paid_at is not None
                )
            ),
            key=lambda b: (-_micros(b), str(b.id)),
            request=page,
        )

    def in_community(
        self,
        community_id: UUID,
        page: PageRequest,
        status: BillStatus | None = None,
        period_start: date | None = None,
    ) -> Page[Bill]:
        return paginate(
            self._select(
                lambda b: (
                    b.community_id == community_id
                    and (status is None or b.status is status)
                    and (period_start is None or b.period_start == period_start)
                )
            ),
            key=lambda b: (b.period_start.isoformat(), str(b.property_id), str(b.id)),
            request=page,
        )

    def arrears(self, community_id: UUID, day: date, page: PageRequest) -> Page[PropertyArrears]:
        overdue: dict[UUID, list[Bill]] = {}
        for bill in self._select(lambda b: b.community_id == community_id and b.is_overdue_on(day)):
            overdue.setdefault(bill.property_id, []).append(bill)
        lines = [
            PropertyArrears(
                property_id=property_id,
                overdue_bills=len(bills),
                amount_overdue=total([b.amount_due for b in bills]),
                late_fee=total([b.late_fee_on(day) for b in bills]),
                oldest_due_date=min(b.due_date for b in bills),
            )
            for property_id, bills in overdue.items()
        ]
        return paginate(
            lines, key=lambda a: (-a.amount_overdue.fen, str(a.property_id)), request=page
        )


def _micros(bill: Bill) -> int:
    return int(bill.paid_at.timestamp() * 1_000_000) if bill.paid_at else 0


class InMemoryMeterReadingRepository(InMemoryRepository[MeterReading]):
    table = "meter_readings"
    unique = (("property_id", "fee_item_id", "read_on"),)
    not_found_code = "meter_reading.not_found"

    def _of(self, property_id: UUID, fee_item_id: UUID) -> list[MeterReading]:
        return sorted(
            self._select(lambda r: r.property_id == property_id and r.fee_item_id == fee_item_id),
            key=lambda r: r.read_on,
        )

    def last_on_or_before(
        self, property_id: UUID, fee_item_id: UUID, day: date
    ) -> MeterReading | None:
        found = [r for r in self._of(property_id, fee_item_id) if r.read_on <= day]
        return found[-1] if found else None

    def first_after(self, property_id: UUID, fee_item_id: UUID, day: date) -> MeterReading | None:
        found = [r for r in self._of(property_id, fee_item_id) if r.read_on > day]
        return found[0] if found else None


class InMemoryPrepaymentRepository(InMemoryRepository[PrepaymentLedger]):
    table = "prepayment_ledgers"
    unique = (("property_id",),)
    not_found_code = "prepayment.not_found"

    def for_property(self, property_id: UUID, *, lock: bool = False) -> PrepaymentLedger | None:
        """No locks here: a concurrent change is refused at commit by the version check."""
        found = self._select(lambda ledger: ledger.property_id == property_id)
        return found[0] if found else None

    def open(self, ledger: PrepaymentLedger) -> PrepaymentLedger:
        """Single-threaded callers only need find-or-add; two interleaved units of work that
        both open one are told apart at commit by the unique key, as with ``add``."""
        if ledger.entries:
            raise ValueError("a ledger is opened empty")
        found = self.for_property(ledger.property_id)
        if found is not None:
            return found
        self.add(ledger)
        return ledger

    def in_credit(self, property_ids: Collection[UUID]) -> list[PrepaymentLedger]:
        wanted = set(property_ids)
        return self._select(
            lambda ledger: ledger.property_id in wanted and ledger.balance.is_positive
        )

    def credited_properties(self, community_id: UUID) -> set[UUID]:
        return {
            ledger.property_id
            for ledger in _committed_and_working(self._session, self.table)
            if ledger.community_id == community_id and ledger.balance.is_positive
        }


class InMemoryPublicFundRepository(InMemoryRepository[PublicFundLedger]):
    table = "public_fund_ledgers"
    unique = (("community_id",),)
    not_found_code = "fund.not_found"

    def for_community(self, community_id: UUID) -> PublicFundLedger | None:
        found = self._select(lambda ledger: ledger.community_id == community_id)
        return found[0] if found else None


def _committed_and_working(session: Session, table: str) -> list[Any]:
    """This tenant's rows of ``table``: committed ones (as read, not adopted) and the working
    copies of this unit of work, which win over their committed version."""
    with session.store.lock:
        stored = {row_id: row.value for row_id, row in session.store.table(table).items()}
    for (name, row_id), value in session.objects.items():
        if name == table:
            stored[row_id] = value
    return [value for value in stored.values() if value.tenant_id == session.tenant_id]


class InMemoryBillingRunWriter:
    """The billing run's bulk path on the in-memory store.

    Not a bulk path here: each new bill joins the unit of work as an aggregate (a test double
    need not save memory); what it does show is the contract: a bill whose key exists is skipped.
    """

    def __init__(self, session: Session, bills: InMemoryBillRepository) -> None:
        self._session = session
        self._bills = bills

    def properties(
        self, community_id: UUID, batch_size: int
    ) -> Iterator[Sequence[BillableProperty]]:
        found = [
            BillableProperty(p.id, p.kind, p.area, p.billing_start, p.billing_end)
            for p in sorted(
                _committed_and_working(self._session, "properties"),
                key=lambda p: (p.building, p.unit, p.room),
            )
            if p.community_id == community_id
        ]
        for first in range(0, len(found), batch_size):
            yield found[first : first + batch_size]

    def add_new(self, bills: Sequence[NewBill]) -> list[NewBill]:
        if any(row.charge.terms.tenant_id != self._session.tenant_id for row in bills):
            raise ValueError("a bill belongs to another tenant than this unit of work")
        existing = {
            (b.property_id, b.fee_item_id, b.period_start)
            for b in _committed_and_working(self._session, "bills")
        }
        stored = []
        for row in bills:
            key = (row.property_id, row.charge.terms.fee_item_id, row.charge.terms.period_start)
            if key not in existing:
                existing.add(key)
                self._bills.add(row.issue())
                stored.append(row)
        return stored

    def save_settled(self, bills: Sequence[Bill]) -> None:
        """The settled aggregates replace the working copies :meth:`add_new` made, keeping the
        ``BillIssued`` those still carry ahead of the settlement's events."""
        if any(bill.tenant_id != self._session.tenant_id for bill in bills):
            raise ValueError("a bill belongs to another tenant than this unit of work")
        for bill in bills:
            later = bill.take_events()
            for event in [*self._bills.get(bill.id).take_events(), *later]:
                bill.record(event)
            self._bills.add(bill)
