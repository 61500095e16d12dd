"""Refunds through WeChat Pay v3, the race of two payments for one bill, key rotation with a
payment in flight, and 20 copies of one notification at once on PostgreSQL (issue 8)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest
from races import all_at_once
from sqlalchemy.engine import Engine
from wechat_v3_world import DIRECT_MCH_ID, PayWorld, event_names, pay_world

from estate_core.identity.model import SurplusPolicy
from estate_core.payments.gateway import StatementEntryKind
from estate_core.payments.refund import RefundStatus
from estate_core.payments.services.gateway_accounts import (
    SetGatewayAccount,
    rotate_gateway_account,
)
from estate_core.payments.services.gateway_jobs import submit_refund, sync_refunds
from estate_core.payments.services.settlement import RefundPayment
from estate_core.payments.values import PaymentChannel, PaymentStatus
from estate_core.shared.access import SystemActor
from estate_core.shared.clock import FixedClock, local_date
from estate_core.shared.money import Money

WORKER = SystemActor(job="payments")
MODES = [pytest.param(False, id="direct"), pytest.param(True, id="partner")]


def _refund(world: PayWorld, payment_id: UUID, fen: int) -> str:
    view = submit_refund(
        world.uow(),
        world.clock,
        world.estate.gateways,
        world.world.admin,
        RefundPayment(payment_id=payment_id, amount=Money(fen), reason="多缴退回"),
        notify_url=world.estate.notify_url,
    )
    assert view.status is RefundStatus.REQUESTED
    return view.out_refund_no


def _complete(world: PayWorld, out_refund_no: str, by_notification: bool) -> None:
    if by_notification:
        assert world.emulator.complete_refund(out_refund_no) == 204
        return
    assert world.emulator.complete_refund(out_refund_no, notify=False) is None
    world.clock.advance(timedelta(minutes=3))
    recorded = sync_refunds(world.uow(), world.clock, world.estate.gateways, WORKER)
    assert recorded == [out_refund_no]


@pytest.mark.parametrize("partner", MODES)
@pytest.mark.parametrize("by_notification", [True, False], ids=["notified", "queried"])
def test_a_partial_then_a_full_refund_complete_at_the_gateway(
    make_uow: Callable[[UUID], Any],
    clock: FixedClock,
    tenant_id: UUID,
    partner: bool,
    by_notification: bool,
) -> None:
    with pay_world(make_uow, clock, tenant_id, partner=partner) as world:
        view, _ = world.open(PaymentChannel.WECHAT_NATIVE)
        assert world.emulator.pay(view.out_trade_no) == 204
        first = _refund(world, view.id, 10_000)
        _complete(world, first, by_notification)
        assert world.payment(view.id).status is PaymentStatus.PARTIALLY_REFUNDED
        assert world.unpaid() == []
        rest = _refund(world, view.id, view.amount.fen - 10_000)
        _complete(world, rest, by_notification)
        refunded = world.payment(view.id)
        assert refunded.status is PaymentStatus.REFUNDED
        assert refunded.refunded == view.amount
        assert world.bill_statuses() == ["refunded", "refunded"]
        assert [r.amount for r in world.emulator.order(view.out_trade_no).refunds] == [
            10_000,
            view.amount.fen - 10_000,
        ]


@pytest.mark.parametrize(
    ("policy", "refunded"), [(SurplusPolicy.REFUND, True), (SurplusPolicy.PREPAYMENT, False)]
)
def test_two_payments_racing_for_one_bill_pay_it_once_and_the_surplus_is_handled(
    make_uow: Callable[[UUID], Any],
    clock: FixedClock,
    tenant_id: UUID,
    policy: SurplusPolicy,
    refunded: bool,
) -> None:
    with pay_world(make_uow, clock, tenant_id, policy=policy) as world:
        first, _ = world.open(PaymentChannel.WECHAT_JSAPI)
        second, _ = world.open(PaymentChannel.WECHAT_H5)
        assert world.emulator.pay(first.out_trade_no) == 204
        assert world.emulator.pay(second.out_trade_no) == 204
        assert world.unpaid() == []
        surplus_refunds = world.emulator.order(second.out_trade_no).refunds
        if refunded:
            assert sum(r.amount for r in surplus_refunds) == second.amount.fen
            for refund in surplus_refunds:
                assert world.emulator.complete_refund(refund.out_refund_no) == 204
            assert world.payment(second.id).status is PaymentStatus.REFUNDED
        else:
            assert surplus_refunds == []
            with world.uow() as uow:
                ledger = uow.prepayments.for_property(world.home)
                assert ledger is not None
                assert ledger.balance == second.amount
        assert world.payment(first.id).status is PaymentStatus.SUCCEEDED


def test_a_payment_opened_before_a_key_rotation_still_settles(
    make_uow: Callable[[UUID], Any], clock: FixedClock, tenant_id: UUID
) -> None:
    with pay_world(make_uow, clock, tenant_id) as world:
        before, _ = world.open(PaymentChannel.WECHAT_JSAPI, bills=world.bills[:1])
        rotated = world.emulator.rotate_merchant_keys(DIRECT_MCH_ID)
        rotate_gateway_account(
            world.uow(),
            clock,
            world.estate.platform,
            world.world.admin,
            SetGatewayAccount(credentials=rotated, gateway_url=""),
        )
        after, _ = world.open(PaymentChannel.WECHAT_JSAPI, bills=world.bills[1:])
        old_key = world.emulator.order(before.out_trade_no).api_v3_key
        assert old_key != world.emulator.order(after.out_trade_no).api_v3_key
        assert world.emulator.pay(before.out_trade_no) == 204
        assert world.emulator.pay(after.out_trade_no) == 204
        assert world.payment(before.id).status is PaymentStatus.SUCCEEDED
        assert world.payment(after.id).status is PaymentStatus.SUCCEEDED


@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
def test_twenty_copies_of_one_notification_at_once_settle_once_and_all_are_acknowledged(
    make_uow: Callable[[UUID], Any], clock: FixedClock, tenant_id: UUID, engine: Engine
) -> None:
    with pay_world(make_uow, clock, tenant_id) as world:
        view, _ = world.open(PaymentChannel.WECHAT_NATIVE)
        world.emulator.pay(view.out_trade_no, deliver=False)
        copy = world.emulator.notification_for(view.out_trade_no)
        answers = all_at_once(20, lambda _: world.emulator.deliver(world.notify_url(), *copy))
        assert answers == [204] * 20
        assert world.payment(view.id).status is PaymentStatus.SUCCEEDED
        assert event_names(engine).count("PaymentSettled") == 1


@pytest.mark.parametrize("partner", MODES)
def test_the_days_trade_bill_lists_its_payments_and_refunds(
    make_uow: Callable[[UUID], Any], clock: FixedClock, tenant_id: UUID, partner: bool
) -> None:
    with pay_world(make_uow, clock, tenant_id, partner=partner) as world:
        view, _ = world.open(PaymentChannel.WECHAT_NATIVE)
        world.emulator.pay(view.out_trade_no)
        out_refund_no = _refund(world, view.id, 1_234)
        world.emulator.complete_refund(out_refund_no)
        gateway = world.estate.gateways.for_channel(world.tenant_id, PaymentChannel.WECHAT_NATIVE)
        entries = gateway.statement(local_date(clock.now()))
        assert [(e.kind, e.out_trade_no, e.amount, e.out_refund_no) for e in entries] == [
            (StatementEntryKind.PAYMENT, view.out_trade_no, view.amount, None),
            (StatementEntryKind.REFUND, view.out_trade_no, Money(1_234), out_refund_no),
        ]
        assert entries[0].transaction_id == world.transaction_id(view.id)
        assert gateway.statement(local_date(clock.now()) - timedelta(days=1)) == []
