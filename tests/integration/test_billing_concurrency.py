"""Payments and billing runs under real concurrency, on real databases, with real threads.

- Twenty copies of one payment notification at once: the payment row is loaded ``FOR UPDATE``,
  so they queue; exactly one settles (its bills paid once, one set of events in the outbox),
  the other nineteen report "already settled", none fails.
- Several payments of one bill at once: the bill's version lets one pay it; the others are
  retried by the use case, find it paid and record a surplus (refunded).
- Two billing runs of one community and period at once, over several batches: the bulk insert
  skips what the other run stored (PostgreSQL waits for it to commit), so every bill exists
  once, one run reports them issued and the other already issued.

On SQLite writers queue (``BEGIN IMMEDIATE``), with the same outcomes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date
from typing import Any
from uuid import UUID

import pytest
import sqlalchemy as sa
from billing_samples import World, notification
from persistence_samples import a_property
from races import all_at_once
from sqlalchemy.engine import URL, Engine
from sqlalchemy.orm import Session, sessionmaker

from adapters.persistence.sqlalchemy import SqlAlchemyUnitOfWork, make_engine, make_session_factory
from adapters.persistence.sqlalchemy.tables.billing import bills
from adapters.persistence.sqlalchemy.tables.outbox import outbox
from estate_core.billing import billing_run
from estate_core.billing.model import BillStatus
from estate_core.payments.services import settlement
from estate_core.shared.clock import FixedClock
from estate_core.shared.errors import DomainError

COPIES = 20
RIVALS = 6
HOMES = 130
BATCH = 40
FEBRUARY = date(2026, 2, 1)


@pytest.fixture(params=["sqlite", "postgresql"])
def engine_url(request: pytest.FixtureRequest) -> URL:
    url: URL = request.getfixturevalue(f"{request.param}_database")
    return url


@pytest.fixture
def sessions(engine_url: URL, mapped: None) -> Iterator[sessionmaker[Session]]:
    """PostgreSQL: a connection per thread, all in the race. SQLite: a few connections racing
    for the one write lock, the other threads queue for a connection."""
    size = COPIES if engine_url.get_backend_name() == "postgresql" else 5
    engine = make_engine(engine_url, pool_size=size, max_overflow=0)
    try:
        yield make_session_factory(engine)
    finally:
        engine.dispose()


def _uow(sessions: sessionmaker[Session], tenant_id: UUID, clock: FixedClock) -> Any:
    return SqlAlchemyUnitOfWork(sessions, tenant_id, clock)


def _events(engine: Engine) -> Counter[str]:
    with engine.connect().execution_options(sqlite_deferred=True) as connection:
        return Counter(connection.scalars(sa.select(outbox.c.event_name)))


def _bills(engine: Engine) -> list[Any]:
    with engine.connect().execution_options(sqlite_deferred=True) as connection:
        c = bills.c
        return list(
            connection.execute(
                sa.select(c.property_id, c.fee_item_id, c.status, c.paid_by_payment_id)
            )
        )


def test_copies_of_one_notification_at_once_settle_the_payment_exactly_once(
    sessions: sessionmaker[Session],
    clock: FixedClock,
    tenant_id: UUID,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No retry allowed: the copies must queue on the row lock, not lose on the version."""
    monkeypatch.setattr(settlement, "SETTLE_ATTEMPTS", 1)
    world = World.open(_uow(sessions, tenant_id, clock), clock)
    home = world.home()
    owner = world.owner_of(home)
    world.fee()
    world.run(date(2026, 1, 1))
    world.run(FEBRUARY)
    payment = world.pay(owner, home, world.bill_ids(home))
    before = _events(sessions.kw["bind"])

    def settle(i: int) -> str:
        uow = _uow(sessions, tenant_id, clock)
        try:
            result = settlement.settle_payment(uow, clock, notification(payment))
        except DomainError as refused:
            return refused.code
        return result.outcome.value

    outcomes = Counter(all_at_once(COPIES, settle))
    assert outcomes == {"settled": 1, "already_settled": COPIES - 1}
    engine = sessions.kw["bind"]
    assert {(row.status, row.paid_by_payment_id) for row in _bills(engine)} == {
        (BillStatus.PAID, payment.id)
    }
    new_events = _events(engine) - before
    assert new_events == {"PaymentSettled": 1, "BillPaid": 2}


def test_payments_of_one_bill_at_once_pay_it_once_and_the_rest_is_surplus(
    sessions: sessionmaker[Session], clock: FixedClock, tenant_id: UUID
) -> None:
    world = World.open(_uow(sessions, tenant_id, clock), clock)
    home = world.home()
    owner = world.owner_of(home)
    world.fee()
    world.run(FEBRUARY)
    (bill_id,) = world.bill_ids(home)
    rivals = [world.pay(owner, home, [bill_id]) for _ in range(RIVALS)]

    def settle(i: int) -> tuple[UUID, tuple[str, ...]]:
        uow = _uow(sessions, tenant_id, clock)
        result = settlement.settle_payment(uow, clock, notification(rivals[i], f"42000{i}"))
        return result.payment_id, tuple(case.cause for case in result.surplus)

    results = all_at_once(RIVALS, settle)
    clean = [payment_id for payment_id, causes in results if not causes]
    assert len(clean) == 1
    assert sorted(causes for _, causes in results if causes) == [("bill_already_paid",)] * (
        RIVALS - 1
    )
    engine = sessions.kw["bind"]
    assert [(row.status, row.paid_by_payment_id) for row in _bills(engine)] == [
        (BillStatus.PAID, clean[0])
    ]
    events = _events(engine)
    assert (events["BillPaid"], events["PaymentSurplusRecorded"]) == (1, RIVALS - 1)
    assert events["PaymentSettled"] == RIVALS


def test_two_billing_runs_at_once_issue_every_bill_once(
    sessions: sessionmaker[Session],
    clock: FixedClock,
    tenant_id: UUID,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(billing_run, "RUN_BATCH_SIZE", BATCH)
    world = World.open(_uow(sessions, tenant_id, clock), clock)
    with world.uow:
        for i in range(HOMES):
            world.uow.properties.add(
                a_property(tenant_id, world.community_id, building=str(i % 7), room=str(1000 + i))
            )
        world.uow.commit()
    world.fee()
    world.fee("垃圾清运费", price="0.10")

    def run(i: int) -> billing_run.BillingRunResult:
        return billing_run.run_billing(
            _uow(sessions, tenant_id, clock),
            clock,
            world.admin,
            billing_run.RunBilling(community_id=world.community_id, period_start=FEBRUARY),
        )

    results = sorted(all_at_once(2, run), key=lambda r: r.issued)
    expected = HOMES * 2
    assert [(r.issued, r.already_issued) for r in results] == [(0, expected), (expected, 0)]
    engine = sessions.kw["bind"]
    keys = [(row.property_id, row.fee_item_id) for row in _bills(engine)]
    assert len(keys) == len(set(keys)) == expected
    assert _events(engine)["BillIssued"] == expected
