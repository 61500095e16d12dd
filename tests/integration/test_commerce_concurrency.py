"""Coupon stock, limits and redemption under real concurrency, on real databases.

PostgreSQL: claims load the campaign ``FOR NO KEY UPDATE``, so fifty residents claiming a
campaign of ten at the same moment queue on its row: exactly ten get a coupon, the other forty
are told ``coupon.out_of_stock``, none fails on a version. SQLite: writers queue already
(``BEGIN IMMEDIATE``), with the same outcome. The database's own CHECK and unique keys refuse
an oversold campaign even from a caller that skips the use case.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest
import sqlalchemy as sa
from commerce_samples import AT, Shop, an_order, bound_residents, claim, open_shop
from races import all_at_once
from sqlalchemy.engine import URL, Engine
from sqlalchemy.orm import Session, sessionmaker

from adapters.persistence.sqlalchemy import SqlAlchemyUnitOfWork, make_engine, make_session_factory
from adapters.persistence.sqlalchemy.tables.commerce import coupon_campaigns, coupons
from adapters.persistence.sqlalchemy.tables.outbox import outbox
from estate_core.commerce.coupon import CouponState
from estate_core.commerce.order import PaymentMethod
from estate_core.commerce.services import coupons as coupon_services
from estate_core.shared.access import Permission, ResidentActor, StaffActor
from estate_core.shared.clock import FixedClock
from estate_core.shared.errors import ConcurrencyConflict, Conflict, DomainError
from estate_core.shared.ids import new_id

CLAIMANTS = 50
STOCK = 10


@pytest.fixture
def sessions(engine_url: URL, mapped: None) -> Iterator[sessionmaker[Session]]:
    """PostgreSQL: a connection per thread, all in the race. SQLite: five connections racing
    for the one write lock (more only add busy-wait sleeps), the other threads queue for one."""
    pool_size = CLAIMANTS if engine_url.get_backend_name() == "postgresql" else 5
    engine = make_engine(engine_url, pool_size=pool_size, max_overflow=0)
    try:
        yield make_session_factory(engine)
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def engine_url(request: pytest.FixtureRequest) -> URL:
    url: URL = request.getfixturevalue(f"{request.param}_database")
    return url


def _factory(sessions: sessionmaker[Session], clock: FixedClock) -> Callable[[UUID], Any]:
    return lambda tenant: SqlAlchemyUnitOfWork(sessions, tenant, clock)


def _claimer(
    sessions: sessionmaker[Session], clock: FixedClock, shop: Shop, residents: list[UUID]
) -> Callable[[int], str]:
    def attempt(i: int) -> str:
        uow = SqlAlchemyUnitOfWork(sessions, shop.tenant_id, clock)
        try:
            coupon_services.claim_coupon(
                uow,
                clock,
                ResidentActor(resident_id=residents[i]),
                coupon_services.ClaimCoupon(campaign_id=shop.campaign.id),
            )
        except DomainError as refused:
            return refused.code
        return "claimed"

    return attempt


def _scalar(engine: Engine, statement: sa.Select[Any]) -> Any:
    with engine.connect().execution_options(sqlite_deferred=True) as connection:
        return connection.scalar(statement)


def _claims(sessions: sessionmaker[Session], shop: Shop) -> tuple[int, list[int], int]:
    """The campaign's claimed count, the serials handed out, and the CouponClaimed events."""
    engine = sessions.kw["bind"]
    claimed = _scalar(
        engine,
        sa.select(coupon_campaigns.c.claimed_count).where(
            coupon_campaigns.c.id == shop.campaign.id
        ),
    )
    with engine.connect().execution_options(sqlite_deferred=True) as connection:
        serials = sorted(
            connection.scalars(
                sa.select(coupons.c.serial).where(coupons.c.campaign_id == shop.campaign.id)
            )
        )
    events = _scalar(
        engine,
        sa.select(sa.func.count())
        .select_from(outbox)
        .where(outbox.c.event_name == "CouponClaimed"),
    )
    return int(claimed), serials, int(events)


def test_fifty_concurrent_claims_of_a_stock_of_ten_hand_out_exactly_ten_coupons(
    sessions: sessionmaker[Session], clock: FixedClock, tenant_id: UUID
) -> None:
    factory = _factory(sessions, clock)
    shop = open_shop(factory, tenant_id, stock=STOCK)
    residents = bound_residents(factory, shop, CLAIMANTS)
    outcomes = Counter(all_at_once(CLAIMANTS, _claimer(sessions, clock, shop, residents)))
    assert outcomes == {"claimed": STOCK, "coupon.out_of_stock": CLAIMANTS - STOCK}
    assert _claims(sessions, shop) == (STOCK, list(range(1, STOCK + 1)), STOCK)


def test_concurrent_claims_of_one_resident_stop_at_the_per_resident_limit(
    sessions: sessionmaker[Session], clock: FixedClock, tenant_id: UUID
) -> None:
    """Five residents tap 领取 four times each at once; the limit is two, the stock ten."""
    factory = _factory(sessions, clock)
    shop = open_shop(factory, tenant_id, stock=STOCK, limit=2)
    residents = bound_residents(factory, shop, 5)
    taps = [resident for resident in residents for _ in range(4)]
    outcomes = Counter(all_at_once(len(taps), _claimer(sessions, clock, shop, taps)))
    assert outcomes == {"claimed": 10, "coupon.limit_reached": 10}
    engine = sessions.kw["bind"]
    with engine.connect().execution_options(sqlite_deferred=True) as connection:
        per_resident = Counter(
            connection.scalars(
                sa.select(coupons.c.resident_id).where(coupons.c.campaign_id == shop.campaign.id)
            )
        )
    assert per_resident == dict.fromkeys(residents, 2)
    assert _claims(sessions, shop) == (10, list(range(1, 11)), 10)


def test_a_coupon_redeemed_by_several_clerks_at_once_is_redeemed_once(
    sessions: sessionmaker[Session], clock: FixedClock, tenant_id: UUID
) -> None:
    factory = _factory(sessions, clock)
    shop = open_shop(factory, tenant_id)
    with factory(tenant_id) as uow:
        coupon = claim(uow.coupon_campaigns.get(shop.campaign.id), shop.resident.id)
        uow.coupons.add(coupon)
        uow.commit()
    clerk = StaffActor(
        staff_id=new_id(),
        permissions=frozenset({Permission.COUPON_REDEEM}),
        merchant_id=shop.merchant.id,
    )

    def redeem(i: int) -> str:
        try:
            coupon_services.redeem_coupon(
                SqlAlchemyUnitOfWork(sessions, tenant_id, clock),
                clock,
                clerk,
                coupon_services.RedeemCoupon(code=coupon.code),
            )
        except Conflict as refused:
            return refused.code
        return "redeemed"

    outcomes = Counter(all_at_once(8, redeem))
    assert outcomes["redeemed"] == 1
    assert set(outcomes) <= {"redeemed", "coupon.invalid_transition", ConcurrencyConflict.code}
    with factory(tenant_id) as uow:
        assert uow.coupons.get(coupon.id).state is CouponState.REDEEMED
    redeemed_events = _scalar(
        sessions.kw["bind"],
        sa.select(sa.func.count())
        .select_from(outbox)
        .where(outbox.c.event_name == "CouponRedeemed"),
    )
    assert redeemed_events == 1


def test_the_database_refuses_an_oversold_campaign_even_without_the_use_case(
    sessions: sessionmaker[Session], clock: FixedClock, tenant_id: UUID
) -> None:
    factory = _factory(sessions, clock)
    shop = open_shop(factory, tenant_id, stock=1, limit=5)
    with factory(tenant_id) as uow:
        campaign = uow.coupon_campaigns.get(shop.campaign.id)
        uow.coupons.add(claim(campaign, shop.resident.id))
        uow.commit()
    with factory(tenant_id) as uow:
        campaign = uow.coupon_campaigns.get(shop.campaign.id)
        campaign.claimed_count = 2
        with pytest.raises(sa.exc.IntegrityError, match="stock_never_oversold"):
            uow.commit()
    with factory(tenant_id) as uow:
        campaign = uow.coupon_campaigns.get(shop.campaign.id)
        campaign.claimed_count = 0
        uow.coupons.add(claim(campaign, shop.resident.id, already=1))
        with pytest.raises(Conflict) as raised:
            uow.commit()
    assert raised.value.code == "coupons.duplicate"


@pytest.mark.parametrize("engine_url", ["postgresql"], indirect=True)
def test_two_workers_closing_overdue_orders_take_different_rows(
    sessions: sessionmaker[Session], clock: FixedClock, tenant_id: UUID
) -> None:
    """``FOR UPDATE SKIP LOCKED``: the second worker skips what the first is closing."""
    factory = _factory(sessions, clock)
    shop = open_shop(factory, tenant_id)
    overdue = [an_order(shop, PaymentMethod.ONLINE, at=AT + timedelta(seconds=i)) for i in range(5)]
    with factory(tenant_id) as uow:
        for order in overdue:
            uow.merchant_orders.add(order)
        uow.commit()
    now = AT + timedelta(hours=1)
    first, second = factory(tenant_id), factory(tenant_id)
    with first, second:
        taken = [o.id for o in first.merchant_orders.payment_overdue(now, 2)]
        rest = [o.id for o in second.merchant_orders.payment_overdue(now, 10)]
    assert taken == [o.id for o in overdue[:2]]
    assert rest == [o.id for o in overdue[2:]]
