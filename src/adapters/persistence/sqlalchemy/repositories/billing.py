"""Repositories of the billing context: fee items, bills, meter readings.

Each list is a keyset page over the index named in ``tables/billing.py``; the lists newest
first (已交, 缴费记录) are :class:`NewestFirstRepository`'s. The two ledgers are in
``repositories/ledgers.py``, payments in ``repositories/payments.py``, the billing run's bulk
path in ``repositories/billing_writer.py``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar
from uuid import UUID

import sqlalchemy as sa

from adapters.persistence.sqlalchemy.errors import database_errors
from adapters.persistence.sqlalchemy.repositories.base import SqlRepository, Stored
from adapters.persistence.sqlalchemy.tables.billing import (
    SETTLED,
    UNPAID,
    bills,
    fee_items,
    meter_readings,
)
from estate_core.billing.fee_item import FeeItem
from estate_core.billing.meter import MeterReading
from estate_core.billing.model import Bill, BillStatus, PropertyArrears
from estate_core.shared.errors import InvalidInput
from estate_core.shared.money import Money, total
from estate_core.shared.pagination import Page, PageRequest, decode_cursor, encode_cursor

A = TypeVar("A", bound=Stored)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def _invalid_cursor() -> InvalidInput:
    return InvalidInput("page.invalid_cursor", "the cursor is not one this service gave")


def _cursor(after: str, *kinds: type) -> list[Any]:
    """The parts of a cursor, each checked to be of its kind (int or str)."""
    parts = decode_cursor(after)
    if len(parts) != len(kinds) or not all(
        isinstance(part, kind) and not isinstance(part, bool)
        for part, kind in zip(parts, kinds, strict=True)
    ):
        raise _invalid_cursor()
    return parts


def _uuid(raw: str) -> UUID:
    try:
        return UUID(raw)
    except ValueError:
        raise _invalid_cursor() from None


class NewestFirstRepository(SqlRepository[A]):
    """A repository with lists newest first (已交, 缴费记录)."""

    def _newest_first(
        self,
        statement: sa.Select[Any],
        at: sa.ColumnElement[datetime],
        row_id: sa.ColumnElement[UUID],
        at_of: Callable[[A], datetime],
        page: PageRequest,
    ) -> Page[A]:
        """Keyset page by ``at`` descending, then id ascending (the in-memory store's order).

        The cursor is ``[-microseconds since the epoch, id]``, as the store's. ``at <= bound``
        is the range of the ``(…, at DESC, id)`` index that starts the page at the cursor; the
        OR breaks ties on the id.
        """
        if page.after is not None:
            micros, raw_id = _cursor(page.after, int, str)
            try:
                bound = _EPOCH - micros * _MICROSECOND
            except OverflowError:
                raise _invalid_cursor() from None
            last_id = _uuid(raw_id)
            statement = statement.where(at <= bound, sa.or_(at < bound, row_id > last_id))
        rows = self._all(statement.order_by(at.desc(), row_id).limit(page.limit + 1))
        items = rows[: page.limit]
        next_cursor = None
        if len(rows) > page.limit:
            last = items[-1]
            since = (at_of(last) - _EPOCH) // _MICROSECOND
            next_cursor = encode_cursor([-since, str(last.id)])
        return Page(items=items, next_cursor=next_cursor)


class SqlFeeItemRepository(SqlRepository[FeeItem]):
    model = FeeItem
    table = fee_items
    not_found_code = "fee_item.not_found"

    def find_by_name(self, community_id: UUID, name: str) -> FeeItem | None:
        c = fee_items.c
        return self._one(self._select().where(c.community_id == community_id, c.name == name))

    def in_community(self, community_id: UUID) -> list[FeeItem]:
        """By name, on the unique key (tenant, community, name)."""
        c = fee_items.c
        return self._all(self._select().where(c.community_id == community_id).order_by(c.name))


class SqlBillRepository(NewestFirstRepository[Bill]):
    model = Bill
    table = bills
    not_found_code = "bill.not_found"

    def find_by_key(self, property_id: UUID, fee_item_id: UUID, period_start: date) -> Bill | None:
        c = bills.c
        return self._one(
            self._select().where(
                c.property_id == property_id,
                c.fee_item_id == fee_item_id,
                c.period_start == period_start,
            )
        )

    def issued_keys(self, community_id: UUID, period_start: date) -> set[tuple[UUID, UUID]]:
        """A plain read of two columns: the bills are not loaded into the unit of work. In the
        order of the community's period index, so the planner walks that index's range."""
        c = bills.c
        statement = (
            sa.select(c.property_id, c.fee_item_id)
            .where(
                c.tenant_id == self._tenant_id,
                c.community_id == community_id,
                c.period_start == period_start,
            )
            .order_by(c.period_start, c.property_id, c.id)
        )
        with database_errors():
            self._session.flush()
            return {(row.property_id, row.fee_item_id) for row in self._session.execute(statement)}

    def _unpaid_of(self, property_id: UUID) -> sa.Select[Any]:
        """The property's unpaid bills; the predicate verbatim, so SQLite's planner (which
        does not look into bound parameters) uses the partial indexes too."""
        return self._select().where(bills.c.property_id == property_id, sa.text(UNPAID))

    def unpaid_for_property(self, property_id: UUID) -> list[Bill]:
        c = bills.c
        return self._all(self._unpaid_of(property_id).order_by(c.due_date, c.id))

    def due_for_property(self, property_id: UUID, day: date, page: PageRequest) -> Page[Bill]:
        c = bills.c
        return self._page(
            self._unpaid_of(property_id).where(sa.or_(c.period_start <= day, c.due_date <= day)),
            order=[c.due_date, c.id],
            key=lambda b: (b.due_date, b.id),
            page=page,
        )

    def upcoming_for_property(self, property_id: UUID, day: date, page: PageRequest) -> Page[Bill]:
        c = bills.c
        return self._page(
            self._unpaid_of(property_id).where(c.period_start > day, c.due_date > day),
            order=[c.period_start, c.id],
            key=lambda b: (b.period_start, b.id),
            page=page,
        )

    def paid_for_property(self, property_id: UUID, page: PageRequest) -> Page[Bill]:
        c = bills.c
        statement = self._select().where(c.property_id == property_id, sa.text(SETTLED))
        return self._newest_first(statement, c.paid_at, c.id, _paid_at, page)

    def in_community(
        self,
        community_id: UUID,
        page: PageRequest,
        status: BillStatus | None = None,
        period_start: date | None = None,
    ) -> Page[Bill]:
        """By period, property, id; on the community index with or without the status."""
        c = bills.c
        statement = self._select().where(c.community_id == community_id)
        if status is not None:
            statement = statement.where(c.status == status)
        if period_start is not None:
            statement = statement.where(c.period_start == period_start)
        return self._page(
            statement,
            order=[c.period_start, c.property_id, c.id],
            key=lambda b: (b.period_start, b.property_id, b.id),
            page=page,
        )

    def arrears(self, community_id: UUID, day: date, page: PageRequest) -> Page[PropertyArrears]:
        """Largest amount overdue first, then property id; the late fee of each bill is the
        domain's own (:meth:`Bill.late_fee_on`), computed for the page's properties only."""
        c = bills.c
        amount = sa.cast(sa.func.sum(c.amount_due), sa.BigInteger)
        statement = (
            sa.select(
                c.property_id,
                sa.func.count().label("bills"),
                amount.label("amount"),
                sa.func.min(c.due_date).label("oldest"),
            )
            .where(
                c.tenant_id == self._tenant_id,
                c.community_id == community_id,
                sa.text(UNPAID),
                c.due_date < day,
            )
            .group_by(c.property_id)
        )
        if page.after is not None:
            negated, raw_id = _cursor(page.after, int, str)
            last_id = _uuid(raw_id)
            statement = statement.having(
                sa.or_(amount < -negated, sa.and_(amount == -negated, c.property_id > last_id))
            )
        statement = statement.order_by(amount.desc(), c.property_id).limit(page.limit + 1)
        with database_errors():
            self._session.flush()
            rows = list(self._session.execute(statement))
        shown = rows[: page.limit]
        fees = self._late_fees([row.property_id for row in shown], day)
        items = [
            PropertyArrears(
                property_id=row.property_id,
                overdue_bills=row.bills,
                amount_overdue=Money(row.amount),
                late_fee=fees[row.property_id],
                oldest_due_date=row.oldest,
            )
            for row in shown
        ]
        next_cursor = None
        if len(rows) > page.limit:
            last = items[-1]
            next_cursor = encode_cursor([-last.amount_overdue.fen, str(last.property_id)])
        return Page(items=items, next_cursor=next_cursor)

    def _late_fees(self, property_ids: list[UUID], day: date) -> dict[UUID, Money]:
        if not property_ids:
            return {}
        c = bills.c
        overdue = self._all(
            self._select().where(c.property_id.in_(property_ids), sa.text(UNPAID), c.due_date < day)
        )
        fees: dict[UUID, list[Money]] = defaultdict(list)
        for bill in overdue:
            fees[bill.property_id].append(bill.late_fee_on(day))
        return {property_id: total(fees[property_id]) for property_id in property_ids}


def _paid_at(bill: Bill) -> datetime:
    if bill.paid_at is None:
        raise ValueError("a settled bill has a payment time")
    return bill.paid_at


class SqlMeterReadingRepository(SqlRepository[MeterReading]):
    """Readings are read by the billing run for every metered property: those reads are not
    kept by the unit of work (a reading never changes once taken, so there is nothing to
    save), which keeps a run's memory to one batch."""

    model = MeterReading
    table = meter_readings
    not_found_code = "meter_reading.not_found"

    def last_on_or_before(
        self, property_id: UUID, fee_item_id: UUID, day: date
    ) -> MeterReading | None:
        c = meter_readings.c
        return self._first(
            self._of(property_id, fee_item_id).where(c.read_on <= day).order_by(c.read_on.desc())
        )

    def first_after(self, property_id: UUID, fee_item_id: UUID, day: date) -> MeterReading | None:
        c = meter_readings.c
        return self._first(
            self._of(property_id, fee_item_id).where(c.read_on > day).order_by(c.read_on)
        )

    def _of(self, property_id: UUID, fee_item_id: UUID) -> sa.Select[Any]:
        """On the unique key (tenant, property, fee item, read_on)."""
        c = meter_readings.c
        return self._select().where(c.property_id == property_id, c.fee_item_id == fee_item_id)

    def _first(self, statement: sa.Select[Any]) -> MeterReading | None:
        with database_errors():
            self._session.flush()
            found: MeterReading | None = self._session.scalars(statement.limit(1)).first()
        return found
