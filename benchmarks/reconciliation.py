"""Time of reconciling one day 对账 for a day of 1,000 and one of 10,000 paid payments.

Every payment is settled and on the statement (the common case: nothing to report), so the time
is the whole path: load the payments named by the lines and those done in the day (two index
range scans, then the aggregates through the ORM), compare, store the report::

    .venv/bin/python benchmarks/reconciliation.py                       # SQLite files
    .venv/bin/python benchmarks/reconciliation.py --url postgresql+psycopg://user@host/db

A PostgreSQL database given by ``--url`` is migrated and then emptied before each size: use a
scratch database. The statement comes from an in-process stand-in for the gateway port (the
adapters' download and parsing are not measured here); the comparison alone is timed too.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine

from adapters.persistence.sqlalchemy import (
    SqlAlchemyUnitOfWork,
    make_engine,
    make_session_factory,
    metadata,
    start_mappers,
    upgrade,
)
from adapters.persistence.sqlalchemy.personal_data import (
    FieldCipher,
    configure_personal_data,
    generate_secret_key,
)
from adapters.persistence.sqlalchemy.tables.payments import payments
from adapters.persistence.sqlalchemy.tables.properties import properties
from estate_core.payments.comparison import LocalPayment, compare
from estate_core.payments.gateway import StatementEntry, StatementEntryKind
from estate_core.payments.numbers import new_out_trade_no
from estate_core.payments.services.reconciliation import ReconcileDay, day_bounds, reconcile_day
from estate_core.payments.values import ChannelGroup, PaymentChannel, PaymentStatus
from estate_core.properties.model import PropertyKind
from estate_core.shared.access import SystemActor
from estate_core.shared.clock import FixedClock
from estate_core.shared.ids import new_id
from estate_core.shared.money import Money

DAY = date(2026, 3, 15)
CLOCK = FixedClock(datetime(2026, 3, 16, 2, 0, tzinfo=UTC))


class StatementOf:
    """Stands in for the gateway port: the statement of the benchmark's day, nothing else."""

    def __init__(self, lines: list[StatementEntry]) -> None:
        self.lines = lines

    def for_channel(self, tenant_id: UUID, channel: PaymentChannel) -> Any:
        return self

    def statement(self, day: date) -> list[StatementEntry]:
        return self.lines if day == DAY else []


def _empty(engine: Engine) -> None:
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(table.name for table in metadata.sorted_tables)
            connection.exec_driver_sql(f"TRUNCATE {names}")
            return
        for table in reversed(metadata.sorted_tables):
            connection.execute(table.delete())


def _seed(engine: Engine, tenant_id: UUID, count: int) -> list[StatementEntry]:
    """``count`` WeChat top-ups paid through the day, and the statement that lists them."""
    community_id = new_id()
    start, _ = day_bounds(DAY)
    homes, rows, lines = [], [], []
    for i in range(count):
        home, payment_id = new_id(), new_id()
        paid_at = start + timedelta(seconds=8 * i % 86_000 + 60)
        number = new_out_trade_no(payment_id, DAY)
        homes.append(
            {
                "tenant_id": tenant_id,
                "id": home,
                "community_id": community_id,
                "kind": PropertyKind.RESIDENCE,
                "building": str(1 + i // 1000),
                "unit": str(1 + i // 100 % 10),
                "room": str(1000 + i % 100),
                "area": Decimal("89.25"),
                "owner_name": None,
                "owner_phone": None,
                "billing_start": None,
                "billing_end": None,
                "version": 1,
            }
        )
        rows.append(
            {
                "tenant_id": tenant_id,
                "id": payment_id,
                "community_id": community_id,
                "target": "prepayment_topup",
                "property_id": home,
                "order_id": None,
                "payer_id": None,
                "cashier_id": None,
                "channel": PaymentChannel.WECHAT_JSAPI,
                "amount": Money(10_000 + i),
                "out_trade_no": number,
                "credit": Money(10_000 + i),
                "merchant_app_id": "wx8888888888888888",
                "merchant_mch_id": "1900000109",
                "receipt_no": None,
                "status": PaymentStatus.SUCCEEDED,
                "created_at": paid_at - timedelta(seconds=30),
                "expires_at": paid_at + timedelta(minutes=15),
                "transaction_id": f"42{i:012d}",
                "succeeded_at": paid_at,
                "closed_at": None,
                "close_reason": None,
                "version": 1,
            }
        )
        lines.append(
            StatementEntry(
                kind=StatementEntryKind.PAYMENT,
                out_trade_no=number,
                transaction_id=f"42{i:012d}",
                amount=Money(10_000 + i),
                at=paid_at,
            )
        )
    with engine.begin() as connection:
        connection.execute(sa.insert(properties), homes)
        connection.execute(sa.insert(payments), rows)
    return lines


def measure(url: URL, count: int) -> tuple[float, float, int]:
    """(seconds of reconcile_day, seconds of the comparison alone, matched lines)."""
    upgrade(url)
    engine = make_engine(url)
    try:
        _empty(engine)
        tenant_id = new_id()
        lines = _seed(engine, tenant_id, count)
        uow = SqlAlchemyUnitOfWork(make_session_factory(engine), tenant_id, CLOCK)
        started = time.perf_counter()
        report = reconcile_day(
            uow,
            CLOCK,
            StatementOf(lines),
            SystemActor(job="benchmark"),
            ReconcileDay(channel_group=ChannelGroup.WECHAT, day=DAY),
        )
        whole = time.perf_counter() - started
        if report.discrepancies:
            raise AssertionError("a day that agrees must have no discrepancy")
        local = [
            LocalPayment(
                payment_id=new_id(),
                out_trade_no=line.out_trade_no,
                channel=PaymentChannel.WECHAT_JSAPI,
                amount=line.amount,
                status=PaymentStatus.SUCCEEDED,
                merchant=None,
                succeeded_at=line.at,
            )
            for line in lines
        ]
        start, end = day_bounds(DAY)
        started = time.perf_counter()
        compare(lines, local, ChannelGroup.WECHAT, start, end)
        alone = time.perf_counter() - started
        return whole, alone, report.summary.matched
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a scratch PostgreSQL database (default: SQLite files)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000])
    args = parser.parse_args()
    start_mappers()
    configure_personal_data(FieldCipher.from_secret_key(generate_secret_key()))
    print(f"backend={'postgresql' if args.url else 'sqlite'}")
    with tempfile.TemporaryDirectory() as scratch:
        for count in args.sizes:
            url = (
                sa.engine.make_url(args.url)
                if args.url
                else URL.create("sqlite+pysqlite", database=str(Path(scratch) / f"{count}.db"))
            )
            whole, alone, matched = measure(url, count)
            print(
                f"payments={count:>7} matched={matched:>7} reconcile_day={whole:6.2f} s "
                f"comparison alone={alone * 1000:7.1f} ms"
            )


if __name__ == "__main__":
    main()
