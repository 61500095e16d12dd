"""WeChat Pay v3, direct and partner mode, end to end: the real ``wechatpayv3`` SDK against the
loopback emulator, the emulator's notifications posted over HTTP to the webhook router, the
settlement on SQLite and PostgreSQL (issue 8)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from uuid import UUID

import httpx
import pytest
from sqlalchemy.engine import Engine
from wechat_v3_world import event_names, pay_world

from estate_core.payments.gateway import CheckoutKind
from estate_core.payments.services.checkout import close_payment
from estate_core.payments.services.gateway_jobs import close_expired_at_gateway
from estate_core.payments.services.notifications import settle_pending_by_query
from estate_core.payments.values import PaymentChannel, PaymentStatus
from estate_core.shared.access import SystemActor
from estate_core.shared.clock import FixedClock

WORKER = SystemActor(job="payments")
MODES = [pytest.param(False, id="direct"), pytest.param(True, id="partner")]


@pytest.mark.parametrize("partner", MODES)
@pytest.mark.parametrize(
    ("channel", "kind"),
    [
        (PaymentChannel.WECHAT_JSAPI, CheckoutKind.JSAPI),
        (PaymentChannel.WECHAT_NATIVE, CheckoutKind.QR_CODE),
        (PaymentChannel.WECHAT_H5, CheckoutKind.REDIRECT),
    ],
)
def test_a_payment_opened_and_paid_is_settled_by_its_notification(
    make_uow: Callable[[UUID], Any],
    clock: FixedClock,
    tenant_id: UUID,
    engine: Engine,
    partner: bool,
    channel: PaymentChannel,
    kind: CheckoutKind,
) -> None:
    with pay_world(make_uow, clock, tenant_id, partner=partner) as world:
        view, opened = world.open(channel)
        assert opened.kind is kind
        if kind is CheckoutKind.JSAPI:
            assert opened.params["package"].startswith("prepay_id=")
            assert opened.params["signType"] == "RSA"
            assert opened.params["paySign"]
        else:
            assert view.out_trade_no in (opened.url or "")
        order = world.emulator.order(view.out_trade_no)
        assert (order.sub_mch_id is not None) is partner
        assert world.emulator.pay(view.out_trade_no) == 204
        payment = world.payment(view.id)
        assert payment.status is PaymentStatus.SUCCEEDED
        assert world.transaction_id(view.id) == order.transaction_id
        assert world.unpaid() == []
        again = world.emulator.deliver(
            world.notify_url(channel), *world.emulator.notification_for(view.out_trade_no)
        )
        assert again == 204
        assert event_names(engine).count("PaymentSettled") == 1


@pytest.mark.parametrize("partner", MODES)
def test_a_payment_whose_notification_is_lost_is_settled_by_the_query(
    make_uow: Callable[[UUID], Any], clock: FixedClock, tenant_id: UUID, partner: bool
) -> None:
    with pay_world(make_uow, clock, tenant_id, partner=partner) as world:
        paid, _ = world.open(PaymentChannel.WECHAT_NATIVE)
        waiting, _ = world.open(PaymentChannel.WECHAT_NATIVE, bills=world.bills[:1])
        assert world.emulator.pay(paid.out_trade_no, deliver=False) is None
        clock.advance(timedelta(minutes=3))
        settled = settle_pending_by_query(world.uow(), clock, world.estate.gateways, WORKER)
        assert settled == [paid.id]
        assert world.payment(paid.id).status is PaymentStatus.SUCCEEDED
        assert world.payment(waiting.id).status is PaymentStatus.PENDING


@pytest.mark.parametrize("partner", MODES)
def test_an_unpaid_payment_is_closed_at_the_gateway_after_its_timeout(
    make_uow: Callable[[UUID], Any], clock: FixedClock, tenant_id: UUID, partner: bool
) -> None:
    with pay_world(make_uow, clock, tenant_id, partner=partner) as world:
        unpaid, _ = world.open(PaymentChannel.WECHAT_H5)
        paid_late, _ = world.open(PaymentChannel.WECHAT_H5)
        world.emulator.pay(paid_late.out_trade_no, deliver=False)
        clock.advance(timedelta(minutes=16))
        handled = close_expired_at_gateway(world.uow(), clock, world.estate.gateways, WORKER)
        assert handled.closed == (unpaid.id,)
        assert handled.settled == (paid_late.id,)
        assert world.emulator.order(unpaid.out_trade_no).state == "CLOSED"
        assert world.payment(unpaid.id).status is PaymentStatus.CLOSED
        assert world.payment(paid_late.id).status is PaymentStatus.SUCCEEDED


def test_a_person_pays_on_the_sandbox_checkout_page(
    make_uow: Callable[[UUID], Any], clock: FixedClock, tenant_id: UUID
) -> None:
    with pay_world(make_uow, clock, tenant_id) as world:
        view, opened = world.open(PaymentChannel.WECHAT_NATIVE)
        assert opened.url is not None
        page = httpx.get(opened.url, timeout=10)
        assert "pay 支付" in page.text
        pressed = httpx.post(f"{opened.url}/pay", timeout=10, follow_redirects=True)
        assert "HTTP 204" in pressed.text
        assert world.payment(view.id).status is PaymentStatus.SUCCEEDED


def test_a_payment_closed_locally_but_paid_at_the_gateway_is_settled_by_its_notification(
    make_uow: Callable[[UUID], Any], clock: FixedClock, tenant_id: UUID
) -> None:
    with pay_world(make_uow, clock, tenant_id) as world:
        view, _ = world.open(PaymentChannel.WECHAT_JSAPI)
        close_payment(world.uow(), clock, world.owner, view.id)
        assert world.payment(view.id).status is PaymentStatus.CLOSED
        assert world.emulator.pay(view.out_trade_no) == 204
        assert world.payment(view.id).status is PaymentStatus.SUCCEEDED
        assert world.unpaid() == []
