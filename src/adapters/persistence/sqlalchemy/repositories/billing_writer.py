"""The bulk path of the billing run and the bill import, on the driver, not the ORM unit of work.

A run streams the community's properties a batch at a time (keyset over the address key, the
columns a run needs, not aggregates) and writes each batch's bills and their ``BillIssued``
outbox rows in bulk, in the unit of work's transaction, straight from the plain rows the core
issued (:mod:`billing_rows` converts each distinct charge once); nothing of a batch is kept once
it is written, so a run's memory does not grow with the community.

Whether a bill exists is decided by the unique key (tenant, property, fee item, period start)
as the rows are inserted, never by a query per batch that would grow with the period's bills:

- PostgreSQL: the bills are ``COPY``-ed (psycopg 3) into a temporary staging table, then
  ``INSERT INTO bills SELECT … FROM staging ON CONFLICT … DO NOTHING``. COPY alone cannot skip
  a row: one bill that exists aborts the whole COPY and the transaction with it. A bill a
  concurrent run stored first is skipped (PostgreSQL waits for that run to commit, then skips).
  The outbox rows of the stored bills follow by COPY.
- SQLite: ``executemany`` of ``INSERT … ON CONFLICT … DO NOTHING``; there is one writer at a
  time anyway (``BEGIN IMMEDIATE``).

When every bill of a batch was stored (the insert's row count says so) nothing is read back;
otherwise the batch's own ids are looked up to know which ones. The bills paid from prepayment
right after (a minority) are updated one by one.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.orm import Session

from adapters.persistence.sqlalchemy.errors import database_errors
from adapters.persistence.sqlalchemy.repositories.billing_rows import (
    BILL_COLUMNS,
    OUTBOX_COLUMNS,
    BillRows,
)
from adapters.persistence.sqlalchemy.tables.billing import bills
from adapters.persistence.sqlalchemy.tables.outbox import outbox
from adapters.persistence.sqlalchemy.tables.properties import properties
from estate_core.billing.issuing import BillableProperty, NewBill
from estate_core.billing.model import Bill
from estate_core.shared.clock import Clock
from estate_core.shared.errors import ConcurrencyConflict
from estate_core.shared.events import Aggregate, event_name, event_payload
from estate_core.shared.ids import new_id

STAGING = "estate_bill_batch"
"""The temporary staging table of a PostgreSQL transaction (dropped at its end)."""

_KEY = "tenant_id, property_id, fee_item_id, period_start"
"""The unique key of a bill: what makes issuing idempotent."""

_IDS_PER_QUERY = 500
"""Ids per lookup of which bills of a batch were stored (well under SQLite's parameter limit)."""

_FIRST_VERSION = 1
"""The version of a bill as :meth:`add_new` stores it."""


class SqlBillingRunWriter:
    """``BillingRunWriter`` on SQLAlchemy Core, in the unit of work's session and transaction."""

    def __init__(self, session: Session, tenant_id: UUID, clock: Clock) -> None:
        self._session = session
        self._tenant_id = tenant_id
        self._clock = clock
        self._rows = BillRows(session.get_bind().dialect, tenant_id)

    def properties(
        self, community_id: UUID, batch_size: int
    ) -> Iterator[Sequence[BillableProperty]]:
        """Keyset batches on the unique address key (tenant, community, building, unit, room)."""
        c = properties.c
        after: tuple[str, str, str] | None = None
        while True:
            statement = (
                sa.select(
                    c.id, c.kind, c.area, c.billing_start, c.billing_end, c.building, c.unit, c.room
                )
                .where(c.tenant_id == self._tenant_id, c.community_id == community_id)
                .order_by(c.building, c.unit, c.room)
                .limit(batch_size)
            )
            if after is not None:
                statement = statement.where(sa.tuple_(c.building, c.unit, c.room) > after)
            with database_errors():
                self._session.flush()
                found = self._session.execute(statement).all()
            if found:
                yield [BillableProperty(*row[:5]) for row in found]
            if len(found) < batch_size:
                return
            last = found[-1]
            after = (last.building, last.unit, last.room)

    def add_new(self, new_bills: Sequence[NewBill]) -> list[NewBill]:
        if not new_bills:
            return []
        with database_errors():
            self._session.flush()
            with self._driver_cursor() as cursor:
                if self._postgresql:
                    stored = self._copy_bills(cursor, new_bills)
                else:
                    stored = self._insert_bills(cursor, new_bills)
                self._write_issued(cursor, stored)
        return stored

    def save_settled(self, settled: Sequence[Bill]) -> None:
        self._check_tenant(settled)
        c = bills.c
        statement = (
            sa.update(bills)
            .where(
                c.tenant_id == self._tenant_id,
                c.id == sa.bindparam("bill_id"),
                c.version == _FIRST_VERSION,
            )
            .values(
                status=sa.bindparam("new_status"),
                paid_by_payment_id=sa.bindparam("new_paid_by"),
                amount_paid=sa.bindparam("new_amount_paid", type_=c.amount_paid.type),
                paid_at=sa.bindparam("new_paid_at", type_=c.paid_at.type),
                paid_from_prepayment=sa.bindparam("new_from_prepayment"),
                version=c.version + 1,
            )
        )
        with database_errors():
            for bill in settled:
                done = self._session.connection().execute(
                    statement,
                    {
                        "bill_id": bill.id,
                        "new_status": bill.status,
                        "new_paid_by": bill.paid_by_payment_id,
                        "new_amount_paid": bill.amount_paid,
                        "new_paid_at": bill.paid_at,
                        "new_from_prepayment": bill.paid_from_prepayment,
                    },
                )
                if done.rowcount != 1:
                    raise ConcurrencyConflict("a new bill changed before it was settled; retry")
        self._write_events(settled)

    def _check_tenant(self, given: Sequence[Bill]) -> None:
        if any(bill.tenant_id != self._tenant_id for bill in given):
            raise ValueError("a bill belongs to another tenant than this unit of work")

    @property
    def _postgresql(self) -> bool:
        return self._session.get_bind().dialect.name == "postgresql"

    @contextmanager
    def _driver_cursor(self) -> Iterator[Any]:
        """A cursor of the driver's connection under the session's transaction. The driver's
        errors become SQLAlchemy's, so :func:`database_errors` translates them as any other
        (a unique key to ``Conflict``, a deadlock to ``ConcurrencyConflict``)."""
        connection = self._session.connection()
        dbapi_error: Any = connection.dialect.loaded_dbapi.Error
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            yield cursor
        except dbapi_error as error:
            raise sa.exc.DBAPIError.instance(None, None, error, dbapi_error) from error
        finally:
            cursor.close()

    def _copy_bills(self, cursor: Any, new_bills: Sequence[NewBill]) -> list[NewBill]:
        columns = ", ".join(BILL_COLUMNS)
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {STAGING} (LIKE bills) ON COMMIT DROP"
        )
        text = self._rows.copy_text(new_bills)
        with cursor.copy(f"COPY {STAGING} ({columns}) FROM STDIN") as copy:
            copy.write(text)
        cursor.execute(
            f"INSERT INTO bills ({columns}) SELECT {columns} FROM {STAGING}"
            f" ON CONFLICT ({_KEY}) DO NOTHING"
        )
        stored = new_bills
        if cursor.rowcount != len(new_bills):
            cursor.execute(
                f"SELECT s.id FROM {STAGING} s JOIN bills b ON b.tenant_id = s.tenant_id"
                " AND b.id = s.id"
            )
            ours = {row[0] for row in cursor.fetchall()}
            stored = [row for row in new_bills if row.id in ours]
        cursor.execute(f"TRUNCATE {STAGING}")
        return list(stored)

    def _insert_bills(self, cursor: Any, new_bills: Sequence[NewBill]) -> list[NewBill]:
        marks = ", ".join("?" for _ in BILL_COLUMNS)
        cursor.executemany(
            f"INSERT INTO bills ({', '.join(BILL_COLUMNS)}) VALUES ({marks})"
            f" ON CONFLICT ({_KEY}) DO NOTHING",
            self._rows.parameters(new_bills),
        )
        if cursor.rowcount == len(new_bills):
            return list(new_bills)
        ours: set[UUID] = set()
        for first in range(0, len(new_bills), _IDS_PER_QUERY):
            chunk = [row.id for row in new_bills[first : first + _IDS_PER_QUERY]]
            statement = sa.select(bills.c.id).where(
                bills.c.tenant_id == self._tenant_id, bills.c.id.in_(chunk)
            )
            ours.update(self._session.scalars(statement))
        return [row for row in new_bills if row.id in ours]

    def _write_issued(self, cursor: Any, stored: Sequence[NewBill]) -> None:
        """The ``BillIssued`` outbox rows of the bills stored, from the same rows."""
        if not stored:
            return
        now = self._clock.now()
        columns = ", ".join(OUTBOX_COLUMNS)
        if self._postgresql:
            text = self._rows.outbox_copy_text(stored, now)
            with cursor.copy(f"COPY outbox ({columns}) FROM STDIN") as copy:
                copy.write(text)
        else:
            marks = ", ".join("?" for _ in OUTBOX_COLUMNS)
            cursor.executemany(
                f"INSERT INTO outbox ({columns}) VALUES ({marks})",
                self._rows.outbox_parameters(stored, now),
            )

    def _write_events(self, aggregates: Sequence[Aggregate]) -> None:
        """The pending events of ``aggregates`` as outbox rows, taken off them once written."""
        now = self._clock.now()
        messages = [
            {
                "tenant_id": self._tenant_id,
                "id": new_id(),
                "event_name": event_name(event),
                "payload": event_payload(event),
                "occurred_at": now,
            }
            for aggregate in aggregates
            for event in aggregate.pending_events
        ]
        if messages:
            with database_errors():
                self._session.execute(sa.insert(outbox), messages)
        for aggregate in aggregates:
            aggregate.take_events()
