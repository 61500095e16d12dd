"""Outbox events handled per second by `estate worker` processes, one or several at once.

Each event is a ``CouponClaimed`` whose message goes to the inbox (the resident has no account,
so no push): per event a claim share, a recipient lookup, an inbox row and the done mark. The
script fills the outbox, starts ``--workers`` processes of ``estate worker --until-idle`` and
times them until all have exited::

    .venv/bin/python benchmarks/worker_throughput.py                         # SQLite file
    .venv/bin/python benchmarks/worker_throughput.py --workers 2 \\
        --url postgresql+psycopg://postgres@127.0.0.1:55432/bench

A PostgreSQL database given by ``--url`` is migrated, and its outbox and inbox emptied: use a
scratch database. CPU is the workers' user + system time (``RUSAGE_CHILDREN``).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from adapters.persistence.sqlalchemy import make_engine, upgrade
from adapters.persistence.sqlalchemy.tables.outbox import outbox
from adapters.persistence.sqlalchemy.tables.worker import inbox_messages
from estate_core.shared.ids import new_id

SECRET_KEY = "benchmark secret key, long enough for the key derivation"


def _fill(url: str, events: int) -> None:
    engine = make_engine(url)
    tenant_id, now = new_id(), datetime.now(UTC)
    rows = [
        {
            "tenant_id": tenant_id,
            "id": new_id(),
            "event_name": "CouponClaimed",
            "payload": {
                "coupon_id": str(new_id()),
                "campaign_id": str(new_id()),
                "resident_id": str(new_id()),
            },
            "occurred_at": now,
        }
        for _ in range(events)
    ]
    with engine.begin() as connection:
        connection.execute(inbox_messages.delete())
        connection.execute(outbox.delete())
        for start in range(0, events, 1000):
            connection.execute(sa.insert(outbox), rows[start : start + 1000])
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", help="database URL (default: a new SQLite file)")
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--batch", type=int, default=100)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="estate-worker-bench-"))
    url = args.url or f"sqlite+pysqlite:///{scratch / 'estate.db'}"
    upgrade(url)
    _fill(url, args.events)
    env = {
        **os.environ,
        "ESTATE_DATA_DIR": str(scratch),
        "ESTATE_DATABASE_URL": url,
        "ESTATE_SECRET_KEY": SECRET_KEY,
        "ESTATE_WORKER_BATCH": str(args.batch),
        "ESTATE_WORKER_IDLE_SECONDS": "0.05",
    }
    command = [sys.executable, "-m", "entrypoints.cli", "worker", "--until-idle"]
    started = time.perf_counter()
    workers = [
        subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(args.workers)
    ]
    codes = [worker.wait() for worker in workers]
    elapsed = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    engine = make_engine(url)
    with engine.connect() as connection:
        done = connection.execute(
            sa.select(sa.func.count()).where(outbox.c.delivered_at.is_not(None))
        ).scalar_one()
    engine.dispose()
    backend = sa.engine.make_url(url).get_backend_name()
    print(
        f"{backend}: {args.workers} worker(s), {done}/{args.events} events in {elapsed:.1f} s "
        f"(start-up included) = {done / elapsed:.0f} events/s; "
        f"CPU {usage.ru_utime + usage.ru_stime:.1f} s "
        f"= {(usage.ru_utime + usage.ru_stime) / max(done, 1) * 1000:.2f} ms/event; "
        f"exit codes {codes}; load average {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
