"""WeChat Pay v2 (direct, partner) and Alipay (direct, ISV) end to end, on SQLite and
PostgreSQL: the adapter ``GATEWAY_FACTORIES`` builds from the stored account, the emulator's
notifications posted over HTTP to the service's webhook router (issue 8)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from uuid import UUID

import attrs
import httpx
import pytest
from gateway_world import GATEWAYS, V2_DIRECT, gateway_world
from sqlalchemy.engine import Engine
from wechat_v3_world import PayWorld, event_names

from estate_core.payments.credentials import WechatV2Credentials
from estate_core.payments.refund import RefundStatus
from estate_core.payments.services.gateway_accounts import (
    SetGatewayAccount,
    rotate_gateway_account,
)
from estate_core.payments.services.gateway_jobs import submit_refund, sync_refunds
from estate_core.payments.services.notifications import settle_pending_by_query
from estate_core.payments.services.settlement import RefundPayment
from estate_core.payments.values import PaymentChannel, PaymentStatus
from estate_core.shared.access import SystemActor
from estate_core.shared.clock import FixedClock
from estate_core.shared.money import Money

WORKER = SystemActor(job="payments")


def _channel(gateway: str) -> PaymentChannel:
    return (
        PaymentChannel.ALIPAY_QR if gateway.startswith("alipay") else PaymentChannel.WECHAT_NATIVE
    )


def _notify(world: PayWorld, gateway: str, out_trade_no: str) -> int | None:
    """Post the paid order's notification (again), as the gateway does until acknowledged."""
    if gateway.startswith("alipay"):
        status: int | None = world.emulator.deliver(
            out_trade_no, world.emulator.notification_for(out_trade_no)
        )
        return status
    return int(world.emulator.pay(out_trade_no))


def _forged(world: PayWorld, gateway: str, out_trade_no: str) -> bytes:
    """The genuine notification with its amount changed after signing."""
    body: bytes = world.emulator.notification_for(out_trade_no)
    if gateway.startswith("alipay"):
        forged = body.replace(b"total_amount=", b"total_amount=1", 1)
    else:
        forged = body.replace(b"<total_fee>", b"<total_fee>1", 1)
    assert forged != body
    return forged


def _refusal(gateway: str) -> bytes:
    return b"fail" if gateway.startswith("alipay") else b"FAIL"


@pytest.mark.parametrize("gateway", GATEWAYS)
def test_paid_at_the_emulator_then_settled_by_the_webhook_and_a_forgery_changes_nothing(
    make_uow: Callable[[UUID], Any],
    clock: FixedClock,
    tenant_id: UUID,
    engine: Engine,
    gateway: str,
) -> None:
    with gateway_world(make_uow, clock, tenant_id, gateway) as world:
        channel = _channel(gateway)
        view, opened = world.open(channel)
        assert opened.url
        assert world.emulator.pay(view.out_trade_no, deliver=False) is None
        forged = httpx.post(
            world.notify_url(channel), content=_forged(world, gateway, view.out_trade_no)
        )
        assert forged.status_code == 200
        assert _refusal(gateway) in forged.content
        assert world.payment(view.id).status is PaymentStatus.PENDING
        assert "PaymentSettled" not in event_names(engine)
        assert _notify(world, gateway, view.out_trade_no) == 200
        assert world.payment(view.id).status is PaymentStatus.SUCCEEDED
        assert world.unpaid() == []
        assert _notify(world, gateway, view.out_trade_no) == 200
        assert event_names(engine).count("PaymentSettled") == 1


@pytest.mark.parametrize("gateway", GATEWAYS)
def test_a_lost_notification_is_settled_by_the_query_and_a_refund_completes(
    make_uow: Callable[[UUID], Any], clock: FixedClock, tenant_id: UUID, gateway: str
) -> None:
    with gateway_world(make_uow, clock, tenant_id, gateway) as world:
        paid, _ = world.open(_channel(gateway))
        assert world.emulator.pay(paid.out_trade_no, deliver=False) is None
        clock.advance(timedelta(minutes=3))
        assert settle_pending_by_query(world.uow(), clock, world.estate.gateways, WORKER) == [
            paid.id
        ]
        assert world.payment(paid.id).status is PaymentStatus.SUCCEEDED
        refund = submit_refund(
            world.uow(),
            clock,
            world.estate.gateways,
            world.world.admin,
            RefundPayment(payment_id=paid.id, amount=Money(100), reason="多缴退回"),
            notify_url=world.estate.notify_url,
        )
        if refund.status is RefundStatus.REQUESTED:
            if gateway.startswith("v2"):
                assert world.emulator.finish_refund(refund.out_refund_no) == 200
            else:
                clock.advance(timedelta(minutes=3))
                sync_refunds(world.uow(), clock, world.estate.gateways, WORKER)
        with world.uow() as uow:
            payment = uow.payments.get(paid.id)
            statuses = [r.status for r in payment.refunds]
        assert statuses == [RefundStatus.SUCCEEDED]


def test_a_v2_payment_opened_before_a_key_rotation_still_settles(
    make_uow: Callable[[UUID], Any], clock: FixedClock, tenant_id: UUID
) -> None:
    with gateway_world(make_uow, clock, tenant_id, "v2-direct") as world:
        before, _ = world.open(PaymentChannel.WECHAT_NATIVE, bills=world.bills[:1])
        rotated = attrs.evolve(V2_DIRECT, api_key=secrets.token_hex(16))
        world.emulator.add_merchant(rotated)
        rotate_gateway_account(
            world.uow(),
            clock,
            world.estate.platform,
            world.world.admin,
            SetGatewayAccount(
                credentials=WechatV2Credentials(
                    app_id=rotated.app_id, mch_id=rotated.mch_id, api_key=rotated.api_key
                ),
                gateway_url="",
            ),
        )
        after, _ = world.open(PaymentChannel.WECHAT_NATIVE, bills=world.bills[1:])
        assert world.emulator.pay(before.out_trade_no) == 200
        assert world.emulator.pay(after.out_trade_no) == 200
        assert world.payment(before.id).status is PaymentStatus.SUCCEEDED
        assert world.payment(after.id).status is PaymentStatus.SUCCEEDED
