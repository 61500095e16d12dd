"""The worker's payment jobs against the WeChat Pay v2 and Alipay emulators, on SQLite and
PostgreSQL: each does its work, and the very same slot run again does nothing more."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest
from gateway_world import gateway_world
from sqlalchemy.engine import Engine
from wechat_v3_world import PayWorld, event_names

from adapters.persistence.sqlalchemy.queue import Claimed
from entrypoints.worker.jobs import build_jobs
from entrypoints.worker.payments import PAYMENT_EVENTS, PAYMENT_JOBS
from entrypoints.worker.runner import JobContext
from estate_core.payments.refund import RefundStatus
from estate_core.payments.services.settlement import RefundPayment, refund_payment
from estate_core.payments.values import ChannelGroup, PaymentChannel
from estate_core.shared.clock import FixedClock, local_date
from estate_core.shared.ids import new_id
from estate_core.shared.jobs import QueueKind
from estate_core.shared.money import Money

GATEWAYS = [("v2-direct", PaymentChannel.WECHAT_NATIVE), ("alipay-isv", PaymentChannel.ALIPAY_QR)]


def _run_twice(world: PayWorld, name: str, observe: Callable[[], Any], **payload: Any) -> list[Any]:
    handler = {**PAYMENT_JOBS, **PAYMENT_EVENTS}[name]
    item = Claimed(
        kind=QueueKind.JOB,
        id=new_id(),
        tenant_id=world.tenant_id,
        name=name,
        payload={"local_date": world.clock.now().date().isoformat(), **payload},
        attempts=1,
    )
    seen = []
    for _ in range(2):
        handler(JobContext(item=item, estate=world.estate, now=world.clock.now()))
        seen.append(observe())
    return seen


def test_the_payment_jobs_are_in_the_workers_table() -> None:
    table = build_jobs(Any, Any, None)  # type: ignore[arg-type]
    assert set(PAYMENT_JOBS) <= set(table)


@pytest.mark.parametrize(("gateway", "channel"), GATEWAYS)
def test_expired_orders_close_at_the_gateway_and_lost_notifications_settle_once(
    make_uow: Callable[[UUID], Any],
    clock: FixedClock,
    tenant_id: UUID,
    engine: Engine,
    gateway: str,
    channel: PaymentChannel,
) -> None:
    with gateway_world(make_uow, clock, tenant_id, gateway) as world:
        lost, _ = world.open(channel, bills=world.bills[:1])
        unpaid, _ = world.open(channel, bills=world.bills[1:])
        world.emulator.pay(lost.out_trade_no, deliver=False)
        clock.advance(timedelta(minutes=3))

        def lost_status() -> str:
            return world.payment(lost.id).status.value

        assert _run_twice(world, "settle_pending_payments", lost_status) == ["succeeded"] * 2
        assert event_names(engine).count("PaymentSettled") == 1
        clock.advance(timedelta(minutes=30))

        def unpaid_status() -> str:
            return world.payment(unpaid.id).status.value

        assert _run_twice(world, "close_expired_payments", unpaid_status) == ["closed"] * 2
        assert event_names(engine).count("PaymentClosed") == 1


@pytest.mark.parametrize(("gateway", "channel"), GATEWAYS)
def test_a_requested_refund_is_submitted_once_and_the_day_reconciled_once(
    make_uow: Callable[[UUID], Any],
    clock: FixedClock,
    tenant_id: UUID,
    gateway: str,
    channel: PaymentChannel,
) -> None:
    with gateway_world(make_uow, clock, tenant_id, gateway) as world:
        paid, _ = world.open(channel)
        assert world.emulator.pay(paid.out_trade_no) == 200
        refund = refund_payment(
            world.uow(),
            clock,
            world.world.admin,
            RefundPayment(payment_id=paid.id, amount=Money(100), reason="多缴退回"),
        )

        def refund_status() -> str:
            with world.uow() as uow:
                found = uow.payments.get(paid.id).refund_by_no(refund.out_refund_no)
                assert found is not None
                return str(found.status.value)

        seen = _run_twice(
            world,
            "RefundRequested",
            refund_status,
            payment_id=str(paid.id),
            out_refund_no=refund.out_refund_no,
        )
        if gateway.startswith("v2"):
            assert seen == [RefundStatus.REQUESTED.value] * 2
            assert world.emulator.finish_refund(refund.out_refund_no) == 200
        assert refund_status() == RefundStatus.SUCCEEDED.value
        clock.advance(timedelta(days=1))
        day = local_date(clock.now()) - timedelta(days=1)

        def reports() -> list[tuple[str, int, int]]:
            with world.uow() as uow:
                found = uow.reconciliations.for_day(ChannelGroup.WECHAT, day)
                alipay = uow.reconciliations.for_day(ChannelGroup.ALIPAY, day)
                return [
                    (r.channel_group.value, r.matched, r.open_count) for r in (found, alipay) if r
                ]

        group = "wechat" if gateway.startswith("v2") else "alipay"
        assert _run_twice(world, "reconcile_payments", reports) == [[(group, 2, 0)]] * 2
