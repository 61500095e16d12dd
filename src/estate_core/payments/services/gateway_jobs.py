"""The worker's and the cashier's gateway jobs: 超时关单 at the gateway, refunds to the gateway.

- :func:`close_expired_at_gateway`: close at the gateway first, then locally (once the gateway
  has closed an order no money can arrive for it); one paid meanwhile is settled instead.
- :func:`submit_refund`: the refund ``refund_payment`` recorded goes to the gateway.
- :func:`sync_refunds`: refunds still waiting are queried; one the gateway never received is
  submitted again with the same number (which refunds once).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from uuid import UUID

import attrs

from estate_core.payments.gateway import (
    GatewayRefused,
    GatewayUnavailable,
    PaymentGateways,
    RefundReport,
    RefundState,
)
from estate_core.payments.ports import PaymentUnitOfWork
from estate_core.payments.refund import RefundStatus
from estate_core.payments.services.notifications import (
    PAID,
    NotifyUrl,
    gateway_of,
    record_refund_report,
    refund_order,
    settle_report,
)
from estate_core.payments.services.settlement import (
    RecordRefundResult,
    RefundPayment,
    RefundView,
    record_refund_result,
    refund_payment,
)
from estate_core.payments.values import CloseReason, PaymentChannel
from estate_core.shared.access import Actor, SystemActor
from estate_core.shared.clock import Clock
from estate_core.shared.errors import ConcurrencyConflict, DomainError, InvalidTransition

_log = logging.getLogger("estate.payments.gateway")


@attrs.frozen(kw_only=True)
class ExpiredHandled:
    closed: tuple[UUID, ...]
    settled: tuple[UUID, ...]


def close_expired_at_gateway(
    uow: PaymentUnitOfWork,
    clock: Clock,
    gateways: PaymentGateways,
    actor: SystemActor,
    *,
    limit: int = 100,
) -> ExpiredHandled:
    """Close expired online payments at the gateway first, then locally: once the gateway has
    closed an order no money can arrive for it. One paid meanwhile is settled, not closed."""
    now = clock.now()
    with uow:
        due = [(p.id, p.out_trade_no) for p in uow.payments.expired_pending(now, limit)]
    closed, settled = [], []
    for payment_id, out_trade_no in due:
        try:
            gateway, _ = gateway_of(uow, gateways, out_trade_no)
            report = gateway.query(out_trade_no)
            if report.status in PAID:
                if settle_report(uow, clock, gateway, report, None) is not None:
                    settled.append(payment_id)
                continue
            gateway.close(out_trade_no)
        except (GatewayUnavailable, GatewayRefused, DomainError) as error:
            _log.warning(
                "closing %s at the gateway failed (%s); next run retries", out_trade_no, error
            )
            continue
        if _close_locally(uow, payment_id, clock):
            closed.append(payment_id)
    return ExpiredHandled(closed=tuple(closed), settled=tuple(settled))


def _close_locally(uow: PaymentUnitOfWork, payment_id: UUID, clock: Clock) -> bool:
    try:
        with uow:
            uow.payments.get(payment_id).close(CloseReason.TIMEOUT, clock.now())
            uow.commit()
    except (InvalidTransition, ConcurrencyConflict):
        return False
    return True


def submit_refund(
    uow: PaymentUnitOfWork,
    clock: Clock,
    gateways: PaymentGateways,
    actor: Actor,
    cmd: RefundPayment,
    *,
    notify_url: NotifyUrl | None = None,
) -> RefundView:
    """Record the refund (``refund_payment``), then ask the gateway for it. The gateway only
    accepts; the result comes by notification or by :func:`sync_refunds`. When the gateway
    cannot be reached the refund stays requested and ``sync_refunds`` submits it later."""
    view = refund_payment(uow, clock, actor, cmd)
    if view.channel is PaymentChannel.OFFLINE or view.status is not RefundStatus.REQUESTED:
        return view
    gateway = gateways.for_channel(uow.tenant_id, view.channel)
    with uow:
        payment = uow.payments.get(view.payment_id)
        order = refund_order(payment, view.out_refund_no, notify_url, uow.tenant_id)
    try:
        report = gateway.refund(order)
    except GatewayUnavailable as error:
        _log.warning(
            "refund %s not submitted (%s); sync_refunds retries", order.out_refund_no, error
        )
        return view
    except GatewayRefused as refused:
        _log.warning("gateway refused refund %s: %s", order.out_refund_no, refused.message)
        report = RefundReport(
            out_trade_no=order.out_trade_no,
            out_refund_no=order.out_refund_no,
            state=RefundState.FAILED,
        )
    if report.state is RefundState.PROCESSING:
        return view
    return record_refund_result(
        uow,
        clock,
        RecordRefundResult(
            out_trade_no=order.out_trade_no,
            out_refund_no=order.out_refund_no,
            succeeded=report.state is RefundState.SUCCEEDED,
        ),
    )


def sync_refunds(
    uow: PaymentUnitOfWork,
    clock: Clock,
    gateways: PaymentGateways,
    actor: SystemActor,
    *,
    older_than: timedelta = timedelta(minutes=2),
    notify_url: NotifyUrl | None = None,
    limit: int = 100,
) -> list[str]:
    """Refunds still waiting: query each; one the gateway never received is submitted again
    (the same number refunds once). Returns the refund numbers whose result was recorded."""
    with uow:
        waiting = [
            (p.channel, refund_order(p, r.out_refund_no, notify_url, uow.tenant_id))
            for p in uow.payments.refunds_requested_before(clock.now() - older_than, limit)
            for r in p.refunds
            if r.status is RefundStatus.REQUESTED
        ]
    recorded = []
    for channel, order in waiting:
        try:
            gateway = gateways.for_channel(uow.tenant_id, channel)
            try:
                report = gateway.query_refund(order.out_trade_no, order.out_refund_no)
            except GatewayRefused:
                report = gateway.refund(order)
            if report.state is not RefundState.PROCESSING:
                record_refund_report(uow, clock, report)
                recorded.append(order.out_refund_no)
        except (GatewayUnavailable, GatewayRefused, DomainError) as error:
            _log.warning("refund %s not synced (%s); next run retries", order.out_refund_no, error)
    return recorded
