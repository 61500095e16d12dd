"""The auto-close job racing residents' ratings, with real threads against a real database.

Each order ends closed exactly once: by its resident's rating or by the system, never both.
The job (``close_unrated``) never fails: an order whose resident rated it first is a conflict it
skips, as it is written to. A resident who loses the race gets the conflict the rating use case
already reports (``concurrency.conflict``: the order changed under them; retried, it is
``workorder.invalid_transition``: already closed), and nothing else.

PostgreSQL, forced: for every order the job and the resident have both loaded it and both stop
just before writing, then write at once (a ``before_flush`` barrier): every order is contended
and exactly one of the two commits. PostgreSQL, free: the threads run unhindered. SQLite:
writers queue (``BEGIN IMMEDIATE``), so whoever comes second sees the order already closed.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from uuid import UUID

import pytest
import sqlalchemy as sa
from service_samples import AT, Home, add_home, completed, report
from sqlalchemy.engine import URL, Engine
from sqlalchemy.orm import Session, sessionmaker

from adapters.persistence.sqlalchemy import (
    SqlAlchemyUnitOfWork,
    make_engine,
    make_session_factory,
)
from adapters.persistence.sqlalchemy.tables.outbox import outbox
from adapters.persistence.sqlalchemy.tables.service import work_order_timeline, work_orders
from estate_core.service import workorder_services as workorders
from estate_core.service.workorder import WorkOrder
from estate_core.service.workorder_states import AUTO_CLOSE_AFTER
from estate_core.shared.access import ResidentActor
from estate_core.shared.clock import FixedClock
from estate_core.shared.errors import Conflict

ORDERS = 10
EXPECTED_REFUSALS = {"concurrency.conflict", "workorder.invalid_transition"}


@pytest.fixture
def pg_sessions(postgresql_database: URL, mapped: None) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(postgresql_database, pool_size=ORDERS + 2)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def sqlite_sessions(sqlite_database: URL, mapped: None) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(sqlite_database)
    yield make_session_factory(engine)
    engine.dispose()


def _completed_orders(sessions: sessionmaker[Session], tenant_id: UUID) -> tuple[Home, list[UUID]]:
    home = add_home(lambda tenant: SqlAlchemyUnitOfWork(sessions, tenant), tenant_id)
    orders = [completed(report(home), AT) for _ in range(ORDERS)]
    with SqlAlchemyUnitOfWork(sessions, tenant_id) as uow:
        for order in orders:
            uow.work_orders.add(order)
        uow.commit()
        return home, [order.id for order in orders]


class FlushGate:
    """Holds each order's first two writers just before they write, then lets both go."""

    def __init__(self, order_ids: list[UUID]) -> None:
        self._barriers = {order_id: threading.Barrier(2, timeout=60) for order_id in order_ids}

    def __call__(self, session: Session, flush_context: Any, instances: Any) -> None:
        for obj in list(session.dirty):
            if isinstance(obj, WorkOrder) and obj.id in self._barriers:
                self._barriers[obj.id].wait()

    def __enter__(self) -> FlushGate:
        sa.event.listen(Session, "before_flush", self)
        return self

    def __exit__(self, *exc: object) -> None:
        sa.event.remove(Session, "before_flush", self)


def _race(
    sessions: sessionmaker[Session],
    tenant_id: UUID,
    home: Home,
    order_ids: list[UUID],
    stagger: float = 0.0,
) -> tuple[list[UUID], Counter[str], dict[UUID, str]]:
    """The job and one resident per order, when every order is due to close.

    All start at once; with ``stagger`` the residents rate one after another, that many seconds
    apart, so that some rate before the job reaches their order and some after.
    """
    due = AT + AUTO_CLOSE_AFTER
    clock = FixedClock(due)
    start = threading.Barrier(len(order_ids) + 1, timeout=60)

    def job() -> list[UUID]:
        start.wait()
        return workorders.close_unrated(SqlAlchemyUnitOfWork(sessions, tenant_id, clock), due)

    def resident(order_id: UUID) -> str:
        start.wait()
        time.sleep(stagger * order_ids.index(order_id))
        uow = SqlAlchemyUnitOfWork(sessions, tenant_id, clock)
        try:
            workorders.rate_repair(
                uow,
                clock,
                ResidentActor(resident_id=home.resident_id),
                workorders.RateRepair(work_order_id=order_id, stars=4, text="及时"),
            )
        except Conflict as refused:
            return refused.code
        return "rated"

    with ThreadPoolExecutor(max_workers=len(order_ids) + 1) as pool:
        closing = pool.submit(job)
        ratings = list(pool.map(resident, order_ids))
        closed_by_job = closing.result()
    return closed_by_job, Counter(ratings), dict(zip(order_ids, ratings, strict=True))


def _closings(engine: Engine) -> dict[UUID, list[str]]:
    """Each order's closing steps on its timeline."""
    t = work_order_timeline.c
    with engine.connect().execution_options(sqlite_deferred=True) as connection:
        rows = connection.execute(
            sa.select(t.work_order_id, t.action).where(t.action.in_(["rate", "auto_close"]))
        )
        found: dict[UUID, list[str]] = {}
        for order_id, action in rows:
            found.setdefault(order_id, []).append(action)
        return found


def _stored(engine: Engine) -> dict[UUID, tuple[str, int | None]]:
    c = work_orders.c
    with engine.connect().execution_options(sqlite_deferred=True) as connection:
        rows = connection.execute(sa.select(c.id, c.status, c.rating_stars))
        return {order_id: (status, stars) for order_id, status, stars in rows}


def _closed_events(engine: Engine) -> Counter[tuple[str, bool]]:
    with engine.connect().execution_options(sqlite_deferred=True) as connection:
        payloads = connection.scalars(
            sa.select(outbox.c.payload).where(outbox.c.event_name == "WorkOrderClosed")
        )
        return Counter((p["work_order_id"], p["automatic"]) for p in payloads)


def _assert_closed_exactly_once(
    engine: Engine,
    order_ids: list[UUID],
    closed_by_job: list[UUID],
    outcome: dict[UUID, str],
) -> None:
    rated = {order_id for order_id, got in outcome.items() if got == "rated"}
    assert set(outcome.values()) <= {"rated", *EXPECTED_REFUSALS}
    assert len(closed_by_job) == len(set(closed_by_job))
    assert rated.isdisjoint(closed_by_job)
    assert rated | set(closed_by_job) == set(order_ids)
    closings = _closings(engine)
    stored = _stored(engine)
    events = _closed_events(engine)
    for order_id in order_ids:
        by_resident = order_id in rated
        assert closings[order_id] == (["rate"] if by_resident else ["auto_close"])
        assert stored[order_id] == ("closed", 4 if by_resident else None)
        assert events[(str(order_id), not by_resident)] == 1
    assert sum(events.values()) == len(order_ids)


def test_every_contended_order_is_closed_once_by_the_rating_or_the_job_on_postgresql(
    pg_sessions: sessionmaker[Session], tenant_id: UUID
) -> None:
    home, order_ids = _completed_orders(pg_sessions, tenant_id)
    with FlushGate(order_ids):
        closed_by_job, outcomes, outcome = _race(pg_sessions, tenant_id, home, order_ids)
    engine = pg_sessions.kw["bind"]
    _assert_closed_exactly_once(engine, order_ids, closed_by_job, outcome)
    assert outcomes["concurrency.conflict"] == len(closed_by_job)
    assert outcomes["rated"] + len(closed_by_job) == ORDERS


def test_the_job_and_free_running_residents_close_each_order_once_on_postgresql(
    pg_sessions: sessionmaker[Session], tenant_id: UUID
) -> None:
    home, order_ids = _completed_orders(pg_sessions, tenant_id)
    closed_by_job, _, outcome = _race(pg_sessions, tenant_id, home, order_ids, stagger=0.05)
    _assert_closed_exactly_once(pg_sessions.kw["bind"], order_ids, closed_by_job, outcome)


def test_the_job_and_residents_queue_on_sqlite_and_close_each_order_once(
    sqlite_sessions: sessionmaker[Session], tenant_id: UUID
) -> None:
    home, order_ids = _completed_orders(sqlite_sessions, tenant_id)
    closed_by_job, outcomes, outcome = _race(
        sqlite_sessions, tenant_id, home, order_ids, stagger=0.05
    )
    _assert_closed_exactly_once(sqlite_sessions.kw["bind"], order_ids, closed_by_job, outcome)
    assert "concurrency.conflict" not in outcomes
