"""Peak Python memory of one billing run 出账, for a community and one ten times larger.

The run streams the community's properties a batch at a time (``RUN_BATCH_SIZE``) and writes
each batch's bills in bulk (PostgreSQL ``COPY``, SQLite ``executemany``), so its peak memory
should not grow with the number of properties. This script measures it with ``tracemalloc``
(Python allocations, which is where an ORM unit of work holding every bill would show)::

    .venv/bin/python benchmarks/billing_run.py                       # SQLite files
    .venv/bin/python benchmarks/billing_run.py --url postgresql+psycopg://user@host/db

A PostgreSQL database given by ``--url`` is migrated and then emptied before each size: use a
scratch database. Each size bills every property for two fee items, twice on fresh data: once
timed, once with tracemalloc on (which slows Python code down) for the peak.
"""

from __future__ import annotations

import argparse
import gc
import tempfile
import time
import tracemalloc
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
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
from adapters.persistence.sqlalchemy.tables.properties import properties
from estate_core.billing import billing_run, services
from estate_core.billing.calculation import Calculation
from estate_core.billing.fee_item import DueRule, DueRuleKind, FeeCategory
from estate_core.identity.model import Community
from estate_core.properties.model import PropertyKind
from estate_core.shared.access import Permission, StaffActor
from estate_core.shared.clock import FixedClock
from estate_core.shared.ids import new_id

CLOCK = FixedClock(datetime(2026, 3, 15, 2, 0, tzinfo=UTC))
ADMIN = StaffActor(staff_id=new_id(), permissions=frozenset(Permission))
PERIOD = date(2026, 3, 1)
MIB = 1024 * 1024


def _empty(engine: Engine) -> None:
    """A scratch database emptied (TRUNCATE on PostgreSQL: a DELETE would check every
    deferred foreign key of the rows it removes at commit)."""
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(table.name for table in metadata.sorted_tables)
            connection.exec_driver_sql(f"TRUNCATE {names}")
            return
        for table in reversed(metadata.sorted_tables):
            connection.execute(table.delete())


def _seed(engine: Engine, tenant_id: UUID, community_id: UUID, homes: int) -> None:
    rows = [
        {
            "tenant_id": tenant_id,
            "id": new_id(),
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
        for i in range(homes)
    ]
    with engine.begin() as connection:
        connection.execute(sa.insert(properties), rows)
    uow = SqlAlchemyUnitOfWork(make_session_factory(engine), tenant_id, CLOCK)
    with uow:
        uow.communities.add(
            Community.create(
                id=community_id,
                tenant_id=tenant_id,
                name="阳光花园",
                address="",
                time_zone="Asia/Shanghai",
            )
        )
        uow.commit()
    for name, calculation, price in (
        ("物业费", Calculation.PER_AREA, "2.50"),
        ("垃圾清运费", Calculation.FIXED, "10"),
    ):
        services.create_fee_item(
            uow,
            ADMIN,
            services.CreateFeeItem(
                community_id=community_id,
                name=name,
                category=FeeCategory.PROPERTY_FEE,
                calculation=calculation,
                unit_price=Decimal(price),
                property_kinds=frozenset({PropertyKind.RESIDENCE}),
                first_period_start=date(2026, 1, 1),
                due_rule=DueRule(kind=DueRuleKind.DAYS_AFTER_START, value=15),
            ),
        )


def measure(url: URL, homes: int, *, trace: bool) -> tuple[int, float, float]:
    """(bills issued, peak MiB or 0, seconds) of one run over ``homes`` new properties."""
    upgrade(url)
    engine = make_engine(url)
    try:
        _empty(engine)
        tenant_id, community_id = new_id(), new_id()
        _seed(engine, tenant_id, community_id, homes)
        uow = SqlAlchemyUnitOfWork(make_session_factory(engine), tenant_id, CLOCK)
        command = billing_run.RunBilling(community_id=community_id, period_start=PERIOD)
        gc.collect()
        if trace:
            tracemalloc.start()
        started = time.perf_counter()
        result = billing_run.run_billing(uow, CLOCK, ADMIN, command)
        elapsed = time.perf_counter() - started
        peak = 0
        if trace:
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        return result.issued, peak / MIB, elapsed
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a scratch PostgreSQL database (default: SQLite files)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[2_000, 20_000])
    args = parser.parse_args()
    start_mappers()
    configure_personal_data(FieldCipher.from_secret_key(generate_secret_key()))
    backend = "postgresql" if args.url else "sqlite"
    print(f"backend={backend} batch={billing_run.RUN_BATCH_SIZE}")
    with tempfile.TemporaryDirectory() as scratch:
        for homes in args.sizes:
            url = (
                sa.engine.make_url(args.url)
                if args.url
                else URL.create("sqlite+pysqlite", database=str(Path(scratch) / f"{homes}.db"))
            )
            issued, _, seconds = measure(url, homes, trace=False)
            _, peak, traced = measure(url, homes, trace=True)
            print(
                f"properties={homes:>7} bills={issued:>7} time={seconds:6.2f} s "
                f"peak={peak:6.2f} MiB (traced run {traced:6.2f} s)"
            )


if __name__ == "__main__":
    main()
