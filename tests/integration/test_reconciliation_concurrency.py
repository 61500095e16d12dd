"""Two runs of the same day's reconciliation at once (the worker and a member of staff, say),
on real databases with real threads: one report, refreshed by the later run, never two.

On PostgreSQL both runs find no report and both insert one; the later insert waits for the
first and fails on the (tenant, channel group, day) key; the use case retries once and refreshes
the report the first run stored. The payment both runs settle is settled once. On SQLite the
writers queue.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
import sqlalchemy as sa
from billing_samples import World
from races import all_at_once
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session, sessionmaker

from adapters.persistence.sqlalchemy import SqlAlchemyUnitOfWork, make_engine, make_session_factory
from adapters.persistence.sqlalchemy.tables.outbox import outbox
from adapters.persistence.sqlalchemy.tables.reconciliation import reconciliation_reports
from estate_core.payments.gateway import StatementEntry, StatementEntryKind
from estate_core.payments.reconciliation import DiscrepancyState
from estate_core.payments.services.reconciliation import ReconcileDay, reconcile_day
from estate_core.payments.values import ChannelGroup, PaymentStatus
from estate_core.shared.access import SystemActor
from estate_core.shared.clock import FixedClock
from fake_gateway import OneGatewayPerGroup

DAY = date(2026, 3, 15)
RUNS = 2


@pytest.fixture(params=["sqlite", "postgresql"])
def sessions(request: pytest.FixtureRequest, mapped: None) -> Iterator[sessionmaker[Session]]:
    url: URL = request.getfixturevalue(f"{request.param}_database")
    engine = make_engine(url, pool_size=RUNS, max_overflow=0)
    try:
        yield make_session_factory(engine)
    finally:
        engine.dispose()


def _uow(sessions: sessionmaker[Session], tenant_id: UUID, clock: FixedClock) -> Any:
    return SqlAlchemyUnitOfWork(sessions, tenant_id, clock)


def test_two_runs_of_a_new_day_at_once_leave_one_report_run_twice(
    sessions: sessionmaker[Session], clock: FixedClock, tenant_id: UUID
) -> None:
    world = World.open(_uow(sessions, tenant_id, clock), clock)
    home = world.home()
    owner = world.owner_of(home)
    world.fee()
    world.run(date(2026, 3, 1))
    lost = world.pay(owner, home, world.bill_ids(home))
    gateways = OneGatewayPerGroup()
    gateways.wechat.statements[DAY] = [
        StatementEntry(
            kind=StatementEntryKind.PAYMENT,
            out_trade_no=lost.out_trade_no,
            transaction_id="4200000001",
            amount=lost.amount,
            at=datetime(2026, 3, 15, 2, 0, tzinfo=UTC),
        )
    ]
    clock.advance(timedelta(days=1))

    def run(i: int) -> Any:
        return reconcile_day(
            _uow(sessions, tenant_id, clock),
            clock,
            gateways,
            SystemActor(job=f"reconcile-{i}"),
            ReconcileDay(channel_group=ChannelGroup.WECHAT, day=DAY),
        )

    views = all_at_once(RUNS, run)
    assert len({view.summary.id for view in views}) == 1
    assert sorted(view.summary.runs for view in views) == [1, 2]
    latest = max(views, key=lambda view: view.summary.runs)
    assert [(d.state, d.payment_id) for d in latest.discrepancies] == [
        (DiscrepancyState.FIXED, lost.id)
    ]
    engine = sessions.kw["bind"]
    with engine.connect().execution_options(sqlite_deferred=True) as connection:
        reports = connection.scalar(sa.select(sa.func.count()).select_from(reconciliation_reports))
        settled = connection.scalar(
            sa.select(sa.func.count())
            .select_from(outbox)
            .where(outbox.c.event_name == "PaymentSettled")
        )
    assert (reports, settled) == (1, 1)
    with world.uow:
        assert world.uow.payments.get(lost.id).status is PaymentStatus.SUCCEEDED
