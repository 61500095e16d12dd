"""Events of the Payment 支付单 and ReconciliationReport 对账报告 aggregates.

The worker acts on several of them at the gateway: ``PaymentClosed`` closes the order there,
``RefundRequested`` calls the refund API, ``PaymentMismatchDetected`` alerts staff.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import attrs

from estate_core.shared.events import DomainEvent
from estate_core.shared.money import Money


@attrs.frozen(kw_only=True)
class PaymentCreated(DomainEvent):
    payment_id: UUID
    out_trade_no: str
    channel: str
    target: str
    amount: Money
    property_id: UUID | None
    expires_at: datetime | None


@attrs.frozen(kw_only=True)
class PaymentSettled(DomainEvent):
    payment_id: UUID
    out_trade_no: str
    channel: str
    amount: Money
    transaction_id: str | None
    settled_at: datetime
    after_close: bool


@attrs.frozen(kw_only=True)
class PaymentClosed(DomainEvent):
    payment_id: UUID
    out_trade_no: str
    channel: str
    reason: str


@attrs.frozen(kw_only=True)
class PaymentSurplusRecorded(DomainEvent):
    """Money arrived for something no longer payable (two payments raced for one bill)."""

    payment_id: UUID
    out_trade_no: str
    bill_id: UUID | None
    amount: Money
    cause: str
    resolution: str


@attrs.frozen(kw_only=True)
class PaymentMismatchDetected(DomainEvent):
    """A settlement claimed another amount or merchant than ours: nothing was marked paid."""

    payment_id: UUID
    out_trade_no: str
    kind: str
    expected: str
    received: str


@attrs.frozen(kw_only=True)
class RefundRequested(DomainEvent):
    payment_id: UUID
    out_trade_no: str
    out_refund_no: str
    channel: str
    amount: Money
    payment_amount: Money
    reason: str


@attrs.frozen(kw_only=True)
class RefundSucceeded(DomainEvent):
    payment_id: UUID
    out_refund_no: str
    amount: Money
    bill_shares: dict[UUID, Money]
    fully_refunded: bool


@attrs.frozen(kw_only=True)
class RefundFailed(DomainEvent):
    payment_id: UUID
    out_refund_no: str
    amount: Money


@attrs.frozen(kw_only=True)
class ReconciliationRun(DomainEvent):
    """A day of one gateway account was reconciled (again); staff read the open count."""

    report_id: UUID
    channel_group: str
    day: date
    run: int
    lines: int
    matched: int
    open_discrepancies: int


@attrs.frozen(kw_only=True)
class DiscrepancyFound(DomainEvent):
    """The statement and our books disagree: an alert for staff with ``payment.reconcile``."""

    report_id: UUID
    discrepancy_id: UUID
    kind: str
    subject: str
    out_trade_no: str
    out_refund_no: str | None
    gateway_amount: Money | None
    local_amount: Money | None


@attrs.frozen(kw_only=True)
class DiscrepancyResolved(DomainEvent):
    """Explained or fixed; ``resolved_by`` None when reconciliation fixed it itself."""

    report_id: UUID
    discrepancy_id: UUID
    state: str
    note: str | None
    resolved_by: UUID | None


@attrs.frozen(kw_only=True)
class GatewayAccountSet(DomainEvent):
    """A tenant's receiving account was set: ids only, never a key."""

    account_id: UUID
    family: str
    mode: str
    app_id: str
    merchant_id: str
    sub_merchant_id: str | None


@attrs.frozen(kw_only=True)
class GatewayAccountRotated(DomainEvent):
    account_id: UUID
    family: str
    mode: str


@attrs.frozen(kw_only=True)
class GatewayAccountDisabled(DomainEvent):
    account_id: UUID
    family: str
