"""The prepayment ledger 预缴账户 of a home, opened by payments settling at the same moment.

A home has no ledger until money first goes on it. Several top-ups (or overpayments) of one
home settling at once all want to open it: on PostgreSQL the first insert wins and the others
wait for it, find the ledger and credit it in turn (row lock), so every settlement succeeds
with no retry, and the ledger holds every credit once. Before, all but one failed with the
ledger's duplicate key (``prepayment_ledgers.duplicate``). On SQLite writers queue.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any
from uuid import UUID

import pytest
from billing_samples import FakeMerchants, World, notification
from races import all_at_once
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session, sessionmaker

from adapters.persistence.sqlalchemy import SqlAlchemyUnitOfWork, make_engine, make_session_factory
from estate_core.billing.ledger import EntryKind
from estate_core.payments.services import checkout, settlement
from estate_core.payments.values import PaymentChannel
from estate_core.shared.clock import FixedClock
from estate_core.shared.errors import DomainError
from estate_core.shared.money import Money

TOP_UPS = 8


@pytest.fixture(params=["sqlite", "postgresql"])
def sessions(request: pytest.FixtureRequest, mapped: None) -> Iterator[sessionmaker[Session]]:
    url: URL = request.getfixturevalue(f"{request.param}_database")
    size = TOP_UPS if request.param == "postgresql" else 3
    engine = make_engine(url, pool_size=size, max_overflow=0)
    try:
        yield make_session_factory(engine)
    finally:
        engine.dispose()


def _uow(sessions: sessionmaker[Session], tenant_id: UUID, clock: FixedClock) -> Any:
    return SqlAlchemyUnitOfWork(sessions, tenant_id, clock)


def test_top_ups_of_a_home_without_a_ledger_settle_at_once_and_all_reach_one_ledger(
    sessions: sessionmaker[Session],
    clock: FixedClock,
    tenant_id: UUID,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No retry allowed: the settlements must queue for the new ledger, not lose on its key."""
    monkeypatch.setattr(settlement, "SETTLE_ATTEMPTS", 1)
    world = World.open(_uow(sessions, tenant_id, clock), clock)
    home = world.home()
    owner = world.owner_of(home)
    top_ups = [
        checkout.start_topup(
            world.uow,
            clock,
            FakeMerchants(),
            owner,
            checkout.TopUpPrepayment(
                property_id=home, amount=Money(1_000 * (i + 1)), channel=PaymentChannel.WECHAT_JSAPI
            ),
        )
        for i in range(TOP_UPS)
    ]

    def settle(i: int) -> str:
        uow = _uow(sessions, tenant_id, clock)
        try:
            result = settlement.settle_payment(uow, clock, notification(top_ups[i], f"42{i:08d}"))
        except DomainError as refused:
            return refused.code
        return result.outcome.value

    assert Counter(all_at_once(TOP_UPS, settle)) == {"settled": TOP_UPS}
    with world.uow:
        ledger = world.uow.prepayments.for_property(home)
        assert ledger is not None
        credits = sorted(e.reference_id for e in ledger.entries if e.kind is EntryKind.CREDIT)
        balance = ledger.balance
    assert credits == sorted(p.id for p in top_ups)
    assert balance == Money(sum(1_000 * (i + 1) for i in range(TOP_UPS)))
