"""The bulk path of the billing run and the bill import, in Core, not the ORM unit of work.

A run streams the community's properties a batch at a time (keyset over the address key) and
writes each batch's bills and their ``BillIssued`` events in bulk, in the unit of work's
transaction; nothing of a batch is kept once it is written, so a run's memory does not grow
with the community (``benchmarks/billing_run.py`` measures it).

- PostgreSQL: the bills are ``COPY``-ed (psycopg 3) into a temporary staging table, then
  ``INSERT INTO bills SELECT … FROM staging ON CONFLICT (tenant, property, fee item, period)
  DO NOTHING RETURNING id``. COPY alone cannot skip a row: one bill that exists aborts the
  whole COPY and the transaction with it. Through staging the insert stays idempotent: a bill
  a concurrent run stored first is skipped (PostgreSQL waits for that run to commit, then
  skips), and ``RETURNING`` says which bills are ours. The events go to the outbox by COPY.
- SQLite: ``INSERT … ON CONFLICT DO NOTHING RETURNING id`` through ``executemany``; there is
  one writer at a time anyway (``BEGIN IMMEDIATE``).

The bills paid from prepayment right after (a minority) are updated one by one.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import Any
from uuid import UUID

import psycopg
import sqlalchemy as sa
from psycopg.types.json import Jsonb
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

from adapters.persistence.sqlalchemy.errors import database_errors
from adapters.persistence.sqlalchemy.tables.billing import bills
from adapters.persistence.sqlalchemy.tables.outbox import outbox
from adapters.persistence.sqlalchemy.tables.properties import properties
from estate_core.billing.model import Bill
from estate_core.properties.model import Property
from estate_core.shared.clock import Clock
from estate_core.shared.errors import ConcurrencyConflict
from estate_core.shared.events import Aggregate, event_name, event_payload
from estate_core.shared.ids import new_id
from estate_core.shared.money import Money

STAGING = "estate_bill_batch"
"""The temporary staging table of a PostgreSQL transaction (dropped at its end)."""

_BILL_COLUMNS = [column.name for column in bills.columns]
_OUTBOX_COLUMNS = ["tenant_id", "id", "event_name", "payload", "occurred_at"]
_FIRST_VERSION = 1
"""The version SQLAlchemy gives a new row; a bill stored here starts there too."""


def _bill_row(bill: Bill) -> dict[str, Any]:
    values = {name: getattr(bill, name) for name in _BILL_COLUMNS if name != "version"}
    values["version"] = _FIRST_VERSION
    return values


def _raw(value: Any) -> Any:
    """A value as the driver takes it (what the column types would bind)."""
    if isinstance(value, Money):
        return value.fen
    if isinstance(value, enum.Enum):
        return value.value
    return value


class SqlBillingRunWriter:
    """``BillingRunWriter`` on SQLAlchemy Core, in the unit of work's session and transaction."""

    def __init__(self, session: Session, tenant_id: UUID, clock: Clock) -> None:
        self._session = session
        self._tenant_id = tenant_id
        self._clock = clock

    def properties(self, community_id: UUID, batch_size: int) -> Iterator[Sequence[Property]]:
        """Keyset batches on the unique address key (tenant, community, building, unit, room).

        Loaded through the ORM but not tracked: the session holds unchanged objects weakly, so
        a batch is freed as soon as the run moves on to the next.
        """
        c = properties.c
        after: tuple[str, str, str] | None = None
        while True:
            statement = (
                sa.select(Property)
                .where(c.tenant_id == self._tenant_id, c.community_id == community_id)
                .order_by(c.building, c.unit, c.room)
                .limit(batch_size)
            )
            if after is not None:
                statement = statement.where(sa.tuple_(c.building, c.unit, c.room) > after)
            with database_errors():
                self._session.flush()
                batch = list(self._session.scalars(statement))
            if batch:
                yield batch
            if len(batch) < batch_size:
                return
            last = batch[-1]
            after = (last.building, last.unit, last.room)

    def issued_keys(
        self, property_ids: Collection[UUID], period_start: date
    ) -> set[tuple[UUID, UUID]]:
        """On the unique key (tenant, property, fee item, period start)."""
        wanted = sorted(set(property_ids))
        if not wanted:
            return set()
        c = bills.c
        statement = sa.select(c.property_id, c.fee_item_id).where(
            c.tenant_id == self._tenant_id,
            c.property_id.in_(wanted),
            c.period_start == period_start,
        )
        with database_errors():
            self._session.flush()
            return {(row.property_id, row.fee_item_id) for row in self._session.execute(statement)}

    def add_new(self, new_bills: Sequence[Bill]) -> list[Bill]:
        self._check_tenant(new_bills)
        if not new_bills:
            return []
        rows = [_bill_row(bill) for bill in new_bills]
        with database_errors():
            self._session.flush()
            write = self._copy_bills if self._postgresql else self._insert_bills
            stored_ids = write(rows)
        stored = [bill for bill in new_bills if bill.id in stored_ids]
        self._write_events(stored)
        for bill in new_bills:
            bill.take_events()
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
        """A cursor of the psycopg connection under the session's transaction. The driver's
        errors become SQLAlchemy's, so :func:`database_errors` translates them as any other
        (a unique key to ``Conflict``, a deadlock to ``ConcurrencyConflict``)."""
        driver: Any = self._session.connection().connection.driver_connection
        try:
            with driver.cursor() as cursor:
                yield cursor
        except psycopg.Error as error:
            raise sa.exc.DBAPIError.instance(None, None, error, psycopg.Error) from error

    def _copy_bills(self, rows: list[dict[str, Any]]) -> set[UUID]:
        columns = ", ".join(_BILL_COLUMNS)
        with self._driver_cursor() as cursor:
            cursor.execute(
                f"CREATE TEMPORARY TABLE IF NOT EXISTS {STAGING} (LIKE bills) ON COMMIT DROP"
            )
            with cursor.copy(f"COPY {STAGING} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([_raw(row[name]) for name in _BILL_COLUMNS])
            cursor.execute(
                f"INSERT INTO bills ({columns}) SELECT {columns} FROM {STAGING}"
                " ON CONFLICT (tenant_id, property_id, fee_item_id, period_start) DO NOTHING"
                " RETURNING id"
            )
            stored = {row[0] for row in cursor.fetchall()}
            cursor.execute(f"TRUNCATE {STAGING}")
        return stored

    def _insert_bills(self, rows: list[dict[str, Any]]) -> set[UUID]:
        statement = (
            sqlite.insert(bills)
            .on_conflict_do_nothing(
                index_elements=["tenant_id", "property_id", "fee_item_id", "period_start"]
            )
            .returning(bills.c.id)
        )
        return set(self._session.scalars(statement, rows))

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
                if self._postgresql:
                    self._copy_outbox(messages)
                else:
                    self._session.execute(sa.insert(outbox), messages)
        for aggregate in aggregates:
            aggregate.take_events()

    def _copy_outbox(self, messages: list[dict[str, Any]]) -> None:
        columns = ", ".join(_OUTBOX_COLUMNS)
        with (
            self._driver_cursor() as cursor,
            cursor.copy(f"COPY outbox ({columns}) FROM STDIN") as copy,
        ):
            for message in messages:
                row = {**message, "payload": Jsonb(message["payload"])}
                copy.write_row([row[name] for name in _OUTBOX_COLUMNS])
