"""The raw-driver floor of a billing run: the same bill rows and outbox rows, nothing else.

What no billing run can beat: the bills a run issues (same values, same formats as the mapping
stores them) and one ``BillIssued`` outbox row per bill, built inside the timing and inserted in
one transaction by the bare driver: ``executemany`` on SQLite, ``COPY … FROM STDIN`` (text) on
PostgreSQL, a batch of rows at a time like the run. Ids come from the same ``new_id``. Not timed:
reading the properties and computing the amounts (the floor is given each home's amount per fee
item), which the run does inside its timing.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

import attrs
from sqlalchemy.engine import Engine

from estate_core.shared.ids import new_id

BATCH = 10_000
"""Bills per executemany / COPY, about the run's batch."""

BILL_COLUMNS = (
    "tenant_id, id, community_id, property_id, fee_item_id, period_start, period_end, "
    "amount_due, due_date, status, amount_paid, issued_at, paid_from_prepayment, version"
)
OUTBOX_COLUMNS = "tenant_id, id, event_name, payload, occurred_at"


@attrs.frozen
class FloorItem:
    fee_item_id: UUID
    period_start: date
    period_end: date
    due_date: date


@attrs.frozen
class FloorRun:
    """What to insert: per home, its id and the amount in fen of each item (None: no bill)."""

    tenant_id: UUID
    community_id: UUID
    items: Sequence[FloorItem]
    homes: Sequence[tuple[UUID, Sequence[int | None]]]
    at: datetime


def _payload(run: FloorRun, item: FloorItem, amount: int) -> tuple[str, str, str]:
    """A ``BillIssued`` payload as ``json.dumps`` writes it, around the bill's and home's ids."""
    head = '{"bill_id": "'
    middle = f'", "community_id": "{run.community_id}", "property_id": "'
    tail = (
        f'", "fee_item_id": "{item.fee_item_id}", "period_start": "{item.period_start}", '
        f'"period_end": "{item.period_end}", "amount_due": {amount}, '
        f'"due_date": "{item.due_date}"}}'
    )
    return head, middle, tail


def _bills(run: FloorRun) -> Iterator[tuple[UUID, UUID, FloorItem, int]]:
    for home, amounts in run.homes:
        for item, amount in zip(run.items, amounts, strict=True):
            if amount is not None:
                yield new_id(), home, item, amount


def _batches(run: FloorRun) -> Iterator[list[tuple[UUID, UUID, FloorItem, int]]]:
    batch = []
    for bill in _bills(run):
        batch.append(bill)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def sqlite_floor(engine: Engine, run: FloorRun) -> float:
    """Seconds to insert the run's bills and outbox rows with sqlite3's executemany."""
    stamp = run.at.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
    tenant, community = run.tenant_id.hex, run.community_id.hex
    bills_sql = f"INSERT INTO bills ({BILL_COLUMNS}) VALUES ({', '.join('?' * 14)})"
    outbox_sql = f"INSERT INTO outbox ({OUTBOX_COLUMNS}) VALUES (?, ?, ?, ?, ?)"
    raw = engine.raw_connection()
    try:
        driver: Any = raw.driver_connection
        started = time.perf_counter()
        tail_row = ("unpaid", 0, stamp, 0, 1)
        driver.execute("BEGIN IMMEDIATE")
        for batch in _batches(run):
            constants = {
                (item, amount): (
                    item.fee_item_id.hex,
                    item.period_start.isoformat(),
                    item.period_end.isoformat(),
                    amount,
                    item.due_date.isoformat(),
                    _payload(run, item, amount),
                )
                for _, _, item, amount in batch
            }
            bill_rows = []
            outbox_rows = []
            for bill_id, home, item, amount in batch:
                fee, start, end, fen, due, (head, middle, tail) = constants[item, amount]
                bill_rows.append(
                    (tenant, bill_id.hex, community, home.hex, fee, start, end, fen, due, *tail_row)
                )
                payload = f"{head}{bill_id}{middle}{home}{tail}"
                outbox_rows.append((tenant, new_id().hex, "BillIssued", payload, stamp))
            driver.executemany(bills_sql, bill_rows)
            driver.executemany(outbox_sql, outbox_rows)
        driver.execute("COMMIT")
        return time.perf_counter() - started
    finally:
        raw.close()


def postgresql_floor(engine: Engine, run: FloorRun) -> float:
    """Seconds to insert the run's bills and outbox rows with psycopg's COPY (text format)."""
    stamp = run.at.isoformat()
    tenant, community = run.tenant_id, run.community_id
    raw = engine.raw_connection()
    try:
        driver: Any = raw.driver_connection
        started = time.perf_counter()
        with driver.cursor() as cursor:
            for batch in _batches(run):
                constants = {
                    (item, amount): (
                        f"{item.fee_item_id}\t{item.period_start}\t{item.period_end}\t"
                        f"{amount}\t{item.due_date}\tunpaid\t0\t{stamp}\tf\t1\n",
                        _payload(run, item, amount),
                    )
                    for _, _, item, amount in batch
                }
                bill_lines = []
                outbox_lines = []
                for bill_id, home, item, amount in batch:
                    line, (head, middle, tail) = constants[item, amount]
                    bill_lines.append(f"{tenant}\t{bill_id}\t{community}\t{home}\t{line}")
                    outbox_lines.append(
                        f"{tenant}\t{new_id()}\tBillIssued\t"
                        f"{head}{bill_id}{middle}{home}{tail}\t{stamp}\n"
                    )
                with cursor.copy(f"COPY bills ({BILL_COLUMNS}) FROM STDIN") as copy:
                    copy.write("".join(bill_lines))
                with cursor.copy(f"COPY outbox ({OUTBOX_COLUMNS}) FROM STDIN") as copy:
                    copy.write("".join(outbox_lines))
        driver.commit()
        return time.perf_counter() - started
    finally:
        raw.close()
