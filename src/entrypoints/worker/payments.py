"""The payment jobs: what the gateways need done when no request asks for it (issue 8).

Each calls the core's gateway-driven use case and is idempotent, as they are: an expired order
is closed at the gateway before it is closed here (one paid meanwhile is settled instead), a
pending payment whose notification never came is settled by asking, a refund still waiting is
queried (and submitted again if the gateway never got it: one refund number refunds once), and
each finished day is reconciled per channel group. A tenant without an account for a channel
has nothing to do there and is skipped.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from uuid import UUID

from entrypoints.worker.runner import JobContext
from estate_core.payments.gateway import RefundState
from estate_core.payments.refund import RefundStatus
from estate_core.payments.services.checkout import close_expired_payments
from estate_core.payments.services.gateway_jobs import close_expired_at_gateway, sync_refunds
from estate_core.payments.services.notifications import (
    record_refund_report,
    refund_order,
    settle_pending_by_query,
)
from estate_core.payments.services.reconciliation import ReconcileDay, reconcile_day
from estate_core.payments.values import ChannelGroup
from estate_core.shared.access import SystemActor
from estate_core.shared.clock import FixedClock, local_date
from estate_core.shared.errors import DomainError

PAYMENT_BATCH = 100
GATEWAY_GRACE = timedelta(hours=1)
"""An expired payment the gateway could not be asked about (down, or the account since
disabled) is closed locally this long after its expiry; a notification that still comes
settles it (a locally closed payment paid at the gateway is settled, not lost)."""

CHANNEL_UNAVAILABLE = "payment.channel_unavailable"

_log = logging.getLogger("estate.worker.payments")


def _actor(context: JobContext) -> SystemActor:
    return SystemActor(job=context.item.name)


def close_payments(context: JobContext) -> None:
    """Expired payments: closed at the gateway first, then here; past the grace, here only."""
    actor, clock = _actor(context), FixedClock(context.now)
    uow, gateways = context.estate.uow(context.item.tenant_id), context.estate.gateways
    while True:
        handled = close_expired_at_gateway(uow, clock, gateways, actor, limit=PAYMENT_BATCH)
        if len(handled.closed) + len(handled.settled) < PAYMENT_BATCH:
            break
    late = FixedClock(context.now - GATEWAY_GRACE)
    while len(close_expired_payments(uow, late, actor, limit=PAYMENT_BATCH)) == PAYMENT_BATCH:
        continue


def settle_pending(context: JobContext) -> None:
    """Pending payments whose notification never came, settled if the gateway says paid."""
    uow = context.estate.uow(context.item.tenant_id)
    settle_pending_by_query(
        uow, FixedClock(context.now), context.estate.gateways, _actor(context), limit=PAYMENT_BATCH
    )


def refunds(context: JobContext) -> None:
    """Refunds still waiting for their result: queried, or submitted if the gateway has none."""
    sync_refunds(
        context.estate.uow(context.item.tenant_id),
        FixedClock(context.now),
        context.estate.gateways,
        _actor(context),
        notify_url=context.estate.notify_url,
        limit=PAYMENT_BATCH,
    )


def refund_requested(context: JobContext) -> None:
    """The ``RefundRequested`` event: the refund goes to the gateway now. Submitting one the
    request already submitted is harmless: a gateway refunds a refund number once, and answers
    its state (Alipay's refund query cannot tell an unknown refund from a pending one)."""
    out_refund_no = str(context.item.payload["out_refund_no"])
    uow, tenant_id = context.estate.uow(context.item.tenant_id), context.item.tenant_id
    with uow:
        payment = uow.payments.get(UUID(str(context.item.payload["payment_id"])))
        refund = payment.refund_by_no(out_refund_no)
        if refund is None or refund.status is not RefundStatus.REQUESTED:
            return
        if not payment.channel.is_online:
            return
        order = refund_order(payment, out_refund_no, context.estate.notify_url, tenant_id)
        channel = payment.channel
    gateway = context.estate.gateways.for_channel(tenant_id, channel)
    report = gateway.refund(order)
    if report.state is not RefundState.PROCESSING:
        record_refund_report(uow, FixedClock(context.now), report)


def reconcile(context: JobContext) -> None:
    """对账 of yesterday (Beijing, the gateways' day) for each channel group the tenant has."""
    day = local_date(context.now) - timedelta(days=1)
    for group in ChannelGroup:
        try:
            reconcile_day(
                context.estate.uow(context.item.tenant_id),
                FixedClock(context.now),
                context.estate.gateways,
                _actor(context),
                ReconcileDay(channel_group=group, day=day),
            )
        except DomainError as error:
            if error.code != CHANNEL_UNAVAILABLE:
                raise
            _log.debug("tenant %s has no %s account", context.item.tenant_id, group.value)


PAYMENT_JOBS = {
    "close_expired_payments": close_payments,
    "settle_pending_payments": settle_pending,
    "sync_refunds": refunds,
    "reconcile_payments": reconcile,
}
PAYMENT_EVENTS = {"RefundRequested": refund_requested}
