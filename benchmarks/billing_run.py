"""B1 (issue 14): the billing run 出账 against the raw-driver floor of the same rows, side by side.

For each size N: a community of N homes and two fee items (物业费 per area over 20 distinct
areas, 垃圾清运费 fixed), so 2N bills. Each repetition times, on emptied bills and outbox tables,
the real use case (``run_billing`` through the SQLAlchemy unit of work, commit included) and the
floor (``billing_floor.py``: the same bill and outbox rows by the bare driver), in alternating
order. Reported: the median of each, the ratio run / floor (the figure to trust on a noisy
machine), and microseconds per bill (flat across sizes when the run is linear in N)::

    .venv/bin/python benchmarks/billing_run.py              # small: 1,000 and 4,000 homes
    .venv/bin/python benchmarks/billing_run.py --full       # 25,000 and 100,000 homes, 5 runs
    .venv/bin/python benchmarks/billing_run.py --memory 500000   # 1,000,000 bills, peak RSS
    .venv/bin/python benchmarks/billing_run.py --sizes 100000 --profile /tmp/run  # pyinstrument

Both SQLite (a file in a temporary directory) and PostgreSQL 15 (a server this script starts
and stops, see ``postgres_server.py``) unless ``--backend`` picks one; ``--url`` uses an existing
scratch PostgreSQL database instead (it is emptied). ``--memory`` runs the use case in a fresh
child process and reports its peak resident memory above what it had before the run.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import attrs
import sqlalchemy as sa
from billing_floor import FloorRun, postgresql_floor, sqlite_floor
from billing_seed import ADMIN, CLOCK, PERIOD, Community, empty, empty_bills, floor_run, seed
from postgres_server import postgresql_server
from sqlalchemy.engine import URL, Engine

from adapters.persistence.sqlalchemy import (
    SqlAlchemyUnitOfWork,
    make_engine,
    make_session_factory,
    start_mappers,
    upgrade,
)
from adapters.persistence.sqlalchemy.personal_data import (
    FieldCipher,
    configure_personal_data,
    generate_secret_key,
)
from estate_core.billing import billing_run

KIB = 1024


def time_run(engine: Engine, community: Community, profile: Path | None = None) -> float:
    uow = SqlAlchemyUnitOfWork(make_session_factory(engine), community.tenant_id, CLOCK)
    command = billing_run.RunBilling(community_id=community.id, period_start=PERIOD)
    profiler = None
    if profile is not None:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.001)
        profiler.start()
    started = time.perf_counter()
    result = billing_run.run_billing(uow, CLOCK, ADMIN, command)
    elapsed = time.perf_counter() - started
    if profiler is not None and profile is not None:
        profiler.stop()
        profile.write_text(profiler.output_text(unicode=False, color=False))
    if result.issued != community.bills:
        raise RuntimeError(f"the run issued {result.issued} bills, not {community.bills}")
    return elapsed


def time_floor(engine: Engine, run: FloorRun) -> float:
    floor = postgresql_floor if engine.dialect.name == "postgresql" else sqlite_floor
    return floor(engine, run)


def _totals(engine: Engine) -> tuple[int, int, int]:
    with engine.connect() as connection:
        bills, amount = connection.exec_driver_sql(
            "SELECT count(*), sum(amount_due) FROM bills"
        ).one()
        (outbox,) = connection.exec_driver_sql("SELECT count(*) FROM outbox").one()
    return int(bills), int(amount), int(outbox)


@attrs.frozen
class Comparison:
    bills: int
    runs: list[float]
    floors: list[float]

    @property
    def run(self) -> float:
        return statistics.median(self.runs)

    @property
    def floor(self) -> float:
        return statistics.median(self.floors)

    def __str__(self) -> str:
        return (
            f"bills={self.bills:>7} run={self.run:7.2f} s floor={self.floor:7.2f} s "
            f"run/floor={self.run / self.floor:5.2f} run={self.run / self.bills * 1e6:5.1f} "
            f"us/bill (runs {' '.join(f'{t:.2f}' for t in self.runs)}; "
            f"floors {' '.join(f'{t:.2f}' for t in self.floors)})"
        )


def compare(engine: Engine, homes: int, runs: int, profile: Path | None) -> Comparison:
    """Medians of ``runs`` timings of the run and of the floor, for ``homes`` homes."""
    empty(engine)
    community = seed(engine, homes)
    floor = floor_run(engine, community)
    run_times, floor_times = [], []
    for repetition in range(runs):
        order = ("run", "floor") if repetition % 2 == 0 else ("floor", "run")
        for case in order:
            empty_bills(engine)
            if case == "run":
                run_times.append(time_run(engine, community))
                run_totals = _totals(engine)
            else:
                floor_times.append(time_floor(engine, floor))
                floor_totals = _totals(engine)
        if run_totals != floor_totals:
            raise RuntimeError(f"run wrote {run_totals}, floor {floor_totals} (bills, sum, outbox)")
    if profile is not None:
        empty_bills(engine)
        time_run(engine, community, profile.with_suffix(f".{engine.dialect.name}.{homes}.txt"))
    return Comparison(community.bills, run_times, floor_times)


def _peak_child(url: URL, community: Community) -> None:
    """In this fresh process: the run's peak RSS above the RSS before it (from /proc)."""
    configure_personal_data(FieldCipher.from_secret_key(generate_secret_key()))
    start_mappers()
    engine = make_engine(url)
    before = _status("VmRSS")
    seconds = time_run(engine, community)
    peak = _status("VmHWM")
    print(f"{community.bills} {seconds:.2f} {before} {peak}")


def _status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def memory(url: URL, homes: int) -> str:
    engine = make_engine(url)
    empty(engine)
    community = seed(engine, homes)
    engine.dispose()
    done = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            url.render_as_string(hide_password=False),
            str(community.tenant_id),
            str(community.id),
            str(community.bills),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    bills, seconds, before, peak = done.stdout.split()
    return (
        f"bills={bills} time={float(seconds):.1f} s start RSS={int(before) / KIB:.0f} MiB "
        f"peak RSS={int(peak) / KIB:.0f} MiB above start={(int(peak) - int(before)) / KIB:.0f} MiB"
    )


@contextmanager
def databases(backends: list[str], url: str | None) -> Iterator[Iterator[URL]]:
    with tempfile.TemporaryDirectory() as scratch:

        def each() -> Iterator[URL]:
            for backend in backends:
                if backend == "sqlite":
                    yield URL.create("sqlite+pysqlite", database=str(Path(scratch) / "bench.db"))
                elif url:
                    yield sa.engine.make_url(url)
                else:
                    with postgresql_server() as started:
                        yield started

        yield each()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--url", help="an existing scratch PostgreSQL database (it is emptied)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 4_000], help="homes")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--full", action="store_true", help="25,000 and 100,000 homes, 5 runs")
    parser.add_argument("--memory", type=int, metavar="HOMES", help="peak RSS of one run")
    parser.add_argument("--profile", type=Path, help="pyinstrument profile of one more run")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        url, tenant_id, community_id, bills = args.child
        _peak_child(sa.engine.make_url(url), Community.of(tenant_id, community_id, int(bills)))
        return
    if args.full:
        args.sizes, args.runs = [25_000, 100_000], 5
    configure_personal_data(FieldCipher.from_secret_key(generate_secret_key()))
    start_mappers()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    print(f"batch={billing_run.RUN_BATCH_SIZE} homes  runs={args.runs}")
    with databases(backends, args.url) as urls:
        for url in urls:
            upgrade(url)
            name = url.get_backend_name()
            if args.memory:
                print(f"{name:>10} {memory(url, args.memory)}")
                continue
            engine = make_engine(url)
            try:
                for homes in args.sizes:
                    result = compare(engine, homes, args.runs, args.profile)
                    print(f"{name:>10} homes={homes:>7} {result}", flush=True)
            finally:
                engine.dispose()


if __name__ == "__main__":
    main()
