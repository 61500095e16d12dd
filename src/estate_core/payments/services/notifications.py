"""Use cases that drive a payment gateway through its port (DESIGN.md §4, §9).

- :func:`open_at_gateway`: the payer's pending payment is opened at the gateway (统一下单).
- :func:`handle_notification`: verify → ``settle_payment`` or ``record_refund_result`` → the
  gateway's acknowledgement, only once that committed. A refused notification changes nothing
  (a mismatch only raises its alert), is logged with its reason code and no secret, and gets
  the gateway's *retry* reply: a genuine notification refused by our side (keys not rotated
  yet, a database outage) then arrives again, and a forged one gains nothing by it.
- :func:`settle_by_query`: the same settlement from the gateway's answer to an order query,
  for payments whose notification never came.

Closing at the gateway and refunds are in ``gateway_jobs``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from uuid import UUID

import attrs

from estate_core.payments.gateway import (
    Checkout,
    GatewayOrder,
    GatewayRefused,
    GatewayReply,
    GatewayUnavailable,
    NotificationRefused,
    NotificationRequest,
    PaymentGateway,
    PaymentGateways,
    RefundOrder,
    RefundReport,
    RefundState,
    TradeReport,
    TradeStatus,
)
from estate_core.payments.payment import Payment
from estate_core.payments.ports import PaymentUnitOfWork
from estate_core.payments.refund import RefundStatus
from estate_core.payments.services.settlement import (
    RecordRefundResult,
    SettlementResult,
    SettlePayment,
    record_refund_result,
    settle_payment,
)
from estate_core.payments.values import PaymentChannel, PaymentStatus
from estate_core.shared.access import ResidentActor, SystemActor
from estate_core.shared.clock import Clock
from estate_core.shared.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    NotFound,
    PermissionDenied,
)

_log = logging.getLogger("estate.payments.gateway")

NotifyUrl = Callable[[UUID, PaymentChannel], str]
"""The URL of a tenant's notifications of a channel: ``/notify/{channel}/{tenant}``."""

PAID = frozenset({TradeStatus.PAID, TradeStatus.REFUNDED})


@attrs.frozen(kw_only=True)
class OpenAtGateway:
    payment_id: UUID
    payer_id: str | None = None
    """WeChat JSAPI: the payer's openid."""
    client_ip: str | None = None
    return_url: str | None = None


def open_at_gateway(
    uow: PaymentUnitOfWork,
    gateways: PaymentGateways,
    notify_url: NotifyUrl,
    actor: ResidentActor,
    cmd: OpenAtGateway,
) -> Checkout:
    """What the payer's client needs to pay their pending payment (safe to call again)."""
    with uow:
        payment = uow.payments.get(cmd.payment_id)
        if payment.payer_id != actor.resident_id:
            raise PermissionDenied("payment.not_payer", "this is not your payment")
        if payment.status is not PaymentStatus.PENDING or payment.expires_at is None:
            raise Conflict("payment.not_pending", "only a pending payment can be paid")
        order = GatewayOrder(
            out_trade_no=payment.out_trade_no,
            channel=payment.channel,
            amount=payment.amount,
            description=f"物业缴费 {payment.out_trade_no}",
            notify_url=notify_url(uow.tenant_id, payment.channel),
            expires_at=payment.expires_at,
            payer_id=cmd.payer_id,
            client_ip=cmd.client_ip,
            return_url=cmd.return_url,
        )
    return gateways.for_channel(uow.tenant_id, order.channel).create(order)


@attrs.frozen(kw_only=True)
class NotificationHandled:
    reply: GatewayReply
    refused: str | None = None
    """The reason code when the notification changed nothing."""


_REFUSALS = (NotificationRefused, NotFound, Conflict, InvalidInput)


def handle_notification(
    uow: PaymentUnitOfWork,
    clock: Clock,
    gateways: PaymentGateways,
    channel: PaymentChannel,
    request: NotificationRequest,
    *,
    notify_url: NotifyUrl | None = None,
) -> NotificationHandled:
    """Settle or record what a gateway notification says; the reply the gateway expects."""
    gateway = gateways.for_channel(uow.tenant_id, channel)
    try:
        notice = gateway.verify_notification(request, clock.now())
        if isinstance(notice, TradeReport):
            settle_report(uow, clock, gateway, notice, notify_url)
        else:
            record_refund_report(uow, clock, notice)
    except _REFUSALS as refused:
        _log.warning(
            "notification refused: tenant=%s channel=%s reason=%s: %s",
            uow.tenant_id,
            channel.value,
            refused.code,
            refused.message,
        )
        return NotificationHandled(reply=gateway.refusal(), refused=refused.code)
    return NotificationHandled(reply=gateway.acknowledgement())


def settle_report(
    uow: PaymentUnitOfWork,
    clock: Clock,
    gateway: PaymentGateway,
    report: TradeReport,
    notify_url: NotifyUrl | None,
) -> SettlementResult | None:
    if report.status not in PAID:
        _log.info("gateway reports %s %s: nothing to settle", report.out_trade_no, report.status)
        return None
    if report.paid_amount is None:
        raise NotificationRefused("payment.notification_malformed", "no amount in the report")
    result = settle_payment(
        uow,
        clock,
        SettlePayment(
            out_trade_no=report.out_trade_no,
            paid_amount=report.paid_amount,
            merchant=report.merchant,
            transaction_id=report.transaction_id,
        ),
    )
    if result.surplus:
        _submit_waiting_refunds(uow, clock, gateway, report.out_trade_no, notify_url)
    return result


def record_refund_report(uow: PaymentUnitOfWork, clock: Clock, report: RefundReport) -> None:
    if report.state is RefundState.PROCESSING:
        return
    with uow:
        payment = uow.payments.find_by_out_trade_no(report.out_trade_no)
        refund = payment.refund_by_no(report.out_refund_no) if payment else None
        if refund is None:
            raise NotFound("payment.refund_not_found", "no refund with that number")
        if report.amount is not None and report.amount != refund.amount:
            raise Conflict(
                "payment.amount_mismatch", f"{report.amount} refunded for {refund.amount}"
            )
    record_refund_result(
        uow,
        clock,
        RecordRefundResult(
            out_trade_no=report.out_trade_no,
            out_refund_no=report.out_refund_no,
            succeeded=report.state is RefundState.SUCCEEDED,
        ),
    )


def gateway_of(
    uow: PaymentUnitOfWork, gateways: PaymentGateways, out_trade_no: str
) -> tuple[PaymentGateway, PaymentChannel]:
    with uow:
        payment = uow.payments.find_by_out_trade_no(out_trade_no)
        if payment is None:
            raise NotFound("payment.not_found", "no payment has that number")
        channel = payment.channel
    if not channel.is_online:
        raise InvalidInput("payment.invalid_channel", "an offline payment has no gateway")
    return gateways.for_channel(uow.tenant_id, channel), channel


def settle_by_query(
    uow: PaymentUnitOfWork,
    clock: Clock,
    gateways: PaymentGateways,
    out_trade_no: str,
    *,
    notify_url: NotifyUrl | None = None,
) -> SettlementResult | None:
    """Ask the gateway; settle (the one settlement use case) when it says paid."""
    gateway, _ = gateway_of(uow, gateways, out_trade_no)
    return settle_report(uow, clock, gateway, gateway.query(out_trade_no), notify_url)


def settle_pending_by_query(
    uow: PaymentUnitOfWork,
    clock: Clock,
    gateways: PaymentGateways,
    actor: SystemActor,
    *,
    older_than: timedelta = timedelta(minutes=2),
    limit: int = 100,
) -> list[UUID]:
    """The worker's query of pending payments whose notification never came; settled ids."""
    with uow:
        due = [
            p.out_trade_no
            for p in uow.payments.pending_created_before(clock.now() - older_than, limit)
        ]
    settled = []
    for out_trade_no in due:
        try:
            result = settle_by_query(uow, clock, gateways, out_trade_no)
        except (GatewayUnavailable, GatewayRefused, DomainError) as error:
            _log.warning("query of %s failed (%s); next run retries", out_trade_no, error)
            continue
        if result is not None:
            settled.append(result.payment_id)
    return settled


def refund_order(
    payment: Payment, out_refund_no: str, notify_url: NotifyUrl | None, tenant_id: UUID
) -> RefundOrder:
    refund = payment.refund_by_no(out_refund_no)
    if refund is None:
        raise NotFound("payment.refund_not_found", "no refund with that number")
    return RefundOrder(
        out_trade_no=payment.out_trade_no,
        out_refund_no=out_refund_no,
        amount=refund.amount,
        payment_amount=payment.amount,
        reason=refund.reason,
        notify_url=notify_url(tenant_id, payment.channel) if notify_url else None,
    )


def _submit_waiting_refunds(
    uow: PaymentUnitOfWork,
    clock: Clock,
    gateway: PaymentGateway,
    out_trade_no: str,
    notify_url: NotifyUrl | None,
) -> None:
    """Surplus refunds recorded by the settlement go to the gateway at once (best effort:
    :func:`sync_refunds` picks up any that did not)."""
    with uow:
        payment = uow.payments.find_by_out_trade_no(out_trade_no)
        if payment is None:
            return
        orders = [
            refund_order(payment, r.out_refund_no, notify_url, uow.tenant_id)
            for r in payment.refunds
            if r.status is RefundStatus.REQUESTED
        ]
    for order in orders:
        try:
            gateway.refund(order)
        except (GatewayUnavailable, GatewayRefused) as error:
            _log.warning("surplus refund %s not submitted (%s)", order.out_refund_no, error)
