"""The Alipay pieces fit the core: a verified notification settles a payment of bills once,
and a genuine notification for another amount marks nothing paid (the settlement's check).

The notification webhook that wires this into the service is the WeChat v3 spine's
(``/notify/{channel}/{tenant}``); here the report goes to ``settle_payment`` by hand, on the
in-memory unit of work.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from uuid import UUID

import pytest
from alipay_world import Alipay, Keys, alipay_world
from billing_samples import World

from adapters.persistence.memory import InMemoryStore, InMemoryUnitOfWork
from estate_core.payments.errors import AmountMismatch
from estate_core.payments.gateway import TradeReport, TradeStatus
from estate_core.payments.services import checkout
from estate_core.payments.services.checkout import PaymentView
from estate_core.payments.services.settlement import SettlePayment, settle_payment
from estate_core.payments.values import (
    MerchantAccount,
    PaymentChannel,
    PaymentStatus,
    SettlementOutcome,
)
from estate_core.shared.clock import FixedClock
from estate_core.shared.ids import new_id
from estate_core.shared.money import Money


@pytest.fixture(scope="module")
def given_keys() -> Keys:
    return Keys.generate()


@pytest.fixture(scope="module", params=["direct", "partner"])
def served(request: pytest.FixtureRequest, given_keys: Keys) -> Iterator[Alipay]:
    yield from alipay_world(request.param, given_keys)


@pytest.fixture
def alipay(served: Alipay) -> Alipay:
    served.reset()
    return served


class TenantAlipay:
    """The tenant's Alipay account, as the merchant configuration would give it."""

    def __init__(self, account: MerchantAccount) -> None:
        self.account = account

    def for_channel(self, tenant_id: UUID, channel: PaymentChannel) -> MerchantAccount:
        return self.account


def open_bill_payment(world: World, alipay: Alipay) -> tuple[PaymentView, UUID]:
    """A home with bills for January and February; its owner pays January's through Alipay."""
    home = world.home()
    owner = world.owner_of(home)
    world.run(date(2026, 1, 1))
    world.run(date(2026, 2, 1))
    view = checkout.start_bill_payment(
        world.uow,
        world.clock,
        TenantAlipay(alipay.gateway.merchant),
        owner,
        checkout.PayBills(
            property_id=home,
            bill_ids=tuple(world.bill_ids(home)[:1]),
            channel=PaymentChannel.ALIPAY_WAP,
        ),
    )
    return view, home


def settle(world: World, report: TradeReport) -> SettlementOutcome:
    assert report.status is TradeStatus.PAID
    assert report.paid_amount is not None
    result = settle_payment(
        world.uow,
        world.clock,
        SettlePayment(
            out_trade_no=report.out_trade_no,
            paid_amount=report.paid_amount,
            merchant=report.merchant,
            transaction_id=report.transaction_id,
        ),
    )
    return result.outcome


@pytest.fixture
def world(clock: FixedClock) -> World:
    world = World.open(InMemoryUnitOfWork(InMemoryStore(), new_id(), clock), clock)
    world.fee()
    return world


def test_a_verified_alipay_notification_settles_the_bills_once(
    alipay: Alipay, world: World
) -> None:
    view, home = open_bill_payment(world, alipay)

    notice = alipay.paid(view.out_trade_no, amount=view.amount)
    assert isinstance(notice, TradeReport)

    assert settle(world, notice) is SettlementOutcome.SETTLED
    assert settle(world, notice) is SettlementOutcome.ALREADY_SETTLED
    assert settle(world, alipay.gateway.query(view.out_trade_no)) is (
        SettlementOutcome.ALREADY_SETTLED
    )
    payment = checkout.get_payment(world.uow, world.admin, view.id)
    assert payment.status is PaymentStatus.SUCCEEDED
    assert len(world.bill_ids(home)) == 1


def test_a_genuine_notification_for_another_amount_marks_nothing_paid(
    alipay: Alipay, world: World
) -> None:
    view, home = open_bill_payment(world, alipay)
    unpaid = world.bill_ids(home)

    notice = alipay.paid(view.out_trade_no, amount=view.amount + Money(1))
    assert isinstance(notice, TradeReport)

    with pytest.raises(AmountMismatch):
        settle(world, notice)
    assert checkout.get_payment(world.uow, world.admin, view.id).status is PaymentStatus.PENDING
    assert world.bill_ids(home) == unpaid
