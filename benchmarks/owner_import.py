"""Time and peak memory of an owner import 业主导入 of 5,000 and 50,000 rows.

Each row registers a new home with its household and owner of record (the owner's resident
account is created too), all in one transaction, as ``estate import owners FILE`` does. The
import parses the CSV first (``parse_owner_csv``), so the measure starts from the file's bytes::

    .venv/bin/python benchmarks/owner_import.py                      # SQLite files
    .venv/bin/python benchmarks/owner_import.py --url postgresql+psycopg://user@host/db

A PostgreSQL database given by ``--url`` is migrated and emptied before each size: use a
scratch database. Each size runs on fresh data, once timed; ``--trace`` runs it again under
tracemalloc (Python allocations, several times slower) for the peak the import itself adds.
Without it the peak is the process's resident set (``ru_maxrss``, interpreter and libraries
included): run one size per process to compare sizes.
"""

from __future__ import annotations

import argparse
import gc
import resource
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

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
from estate_core.identity.model import Community, Tenant, TenantSettings
from estate_core.properties import imports
from estate_core.shared.access import Permission, StaffActor
from estate_core.shared.clock import FixedClock
from estate_core.shared.ids import new_id

CLOCK = FixedClock(datetime(2026, 3, 15, 2, 0, tzinfo=UTC))
ADMIN = StaffActor(staff_id=new_id(), permissions=frozenset(Permission))
MIB = 1024 * 1024


def owner_file(rows: int) -> bytes:
    """A CSV as staff export it: building, unit, room, area, owner, phone; every home new."""
    lines = ["楼栋,单元,房号,面积,业主姓名,业主手机"]
    lines += [
        f"{1 + i // 1000},{1 + i // 100 % 10},{1000 + i % 100},89.25,业主{i},138{i:08d}"
        for i in range(rows)
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _empty(engine: Engine) -> None:
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(table.name for table in metadata.sorted_tables)
            connection.exec_driver_sql(f"TRUNCATE {names}")
            return
        for table in reversed(metadata.sorted_tables):
            connection.execute(table.delete())


def measure(url: URL, data: bytes, *, trace: bool) -> tuple[int, float, float]:
    """(properties created, peak MiB or 0, seconds) of one import of ``data``."""
    upgrade(url)
    engine = make_engine(url)
    try:
        _empty(engine)
        tenant_id, community_id = new_id(), new_id()
        sessions = make_session_factory(engine)
        with SqlAlchemyUnitOfWork(sessions, tenant_id, CLOCK) as uow:
            uow.tenants.add(Tenant.open(tenant_id, "阳光物业", TenantSettings(), CLOCK.now()))
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
        uow = SqlAlchemyUnitOfWork(sessions, tenant_id, CLOCK)
        gc.collect()
        if trace:
            tracemalloc.start()
        started = time.perf_counter()
        rows = imports.parse_owner_csv(data)
        command = imports.ImportOwners(community_id=community_id, rows=rows)
        result = imports.import_owners(uow, CLOCK, ADMIN, command)
        elapsed = time.perf_counter() - started
        peak = 0
        if trace:
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        return result.created, peak / MIB, elapsed
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a scratch PostgreSQL database (default: SQLite files)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[5_000, 50_000])
    parser.add_argument("--trace", action="store_true", help="also measure under tracemalloc")
    args = parser.parse_args()
    start_mappers()
    configure_personal_data(FieldCipher.from_secret_key(generate_secret_key()))
    print(f"backend={'postgresql' if args.url else 'sqlite'}")
    with tempfile.TemporaryDirectory() as scratch:
        for size in args.sizes:
            url = (
                sa.engine.make_url(args.url)
                if args.url
                else URL.create("sqlite+pysqlite", database=str(Path(scratch) / f"{size}.db"))
            )
            data = owner_file(size)
            created, _, seconds = measure(url, data, trace=False)
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(
                f"rows={size:>6} file={len(data) / MIB:5.2f} MiB created={created:>6} "
                f"time={seconds:7.2f} s max_rss={rss:7.1f} MiB"
            )
            if args.trace:
                _, peak, traced = measure(url, data, trace=True)
                print(f"    traced: peak={peak:7.2f} MiB (traced run {traced:7.2f} s)")


if __name__ == "__main__":
    main()
