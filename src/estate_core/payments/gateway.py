"""The payment gateway port: what the core asks of WeChat Pay, Alipay or any other gateway.

One :class:`PaymentGateway` speaks for one tenant's receiving account on one gateway; the
adapters (``adapters.payment``) wrap one SDK each and check what the SDKs do not (DESIGN.md §9):
the signature, the app id and merchant (and sub-merchant in partner mode), the trade status, the
age of the message. What they hand back is the gateway's *word*, in our vocabulary; whether that
word matches our payment (amount, merchant) is decided by the settlement use case, in one place.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import date, datetime
from typing import Protocol
from uuid import UUID

import attrs

from estate_core.payments.values import MerchantAccount, PaymentChannel
from estate_core.shared.errors import DomainError
from estate_core.shared.money import Money


class NotificationRefused(DomainError):
    """A notification that must change nothing: forged, stale, malformed or not this tenant's.

    The reason goes to the log (never a secret); the gateway gets :meth:`PaymentGateway.refusal`.
    """

    code = "payment.notification_refused"


class GatewayUnavailable(DomainError):
    """The gateway did not answer, or answered with an error that may pass: try again later."""

    code = "payment.gateway_unavailable"


class GatewayRefused(DomainError):
    """The gateway answered and said no (e.g. an order it does not know): do not retry as is."""

    code = "payment.gateway_refused"


@attrs.frozen(kw_only=True)
class GatewayOrder:
    """A payment to open at the gateway (统一下单 / 预下单)."""

    out_trade_no: str
    channel: PaymentChannel
    amount: Money
    description: str
    notify_url: str
    expires_at: datetime
    payer_id: str | None = None
    """WeChat JSAPI: the payer's openid (required there); unused elsewhere."""
    client_ip: str | None = None
    """WeChat H5: the payer's IP address (required there)."""
    return_url: str | None = None
    """Alipay WAP / page: where the payer's browser goes after paying."""


class CheckoutKind(enum.StrEnum):
    JSAPI = "jsapi"
    """``params`` go to ``WeixinJSBridge.invoke('getBrandWCPayRequest', …)`` in the page."""
    QR_CODE = "qr_code"
    """``url`` is the content of a QR code the payer scans (WeChat Native, Alipay precreate)."""
    REDIRECT = "redirect"
    """The payer's browser goes to ``url`` (WeChat H5, Alipay WAP and page)."""


@attrs.frozen(kw_only=True)
class Checkout:
    """What the payer's client needs to pay an opened payment."""

    kind: CheckoutKind
    url: str | None = None
    params: Mapping[str, str] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class NotificationRequest:
    """A notification as the HTTP layer received it; header names in lower case."""

    headers: Mapping[str, str]
    body: bytes


@attrs.frozen(kw_only=True)
class GatewayReply:
    """The HTTP answer a gateway expects: it stops or retries by it (DESIGN.md §9)."""

    status_code: int
    content_type: str
    body: bytes


class TradeStatus(enum.StrEnum):
    PAID = "paid"
    NOT_PAID = "not_paid"
    """Opened, not (yet) paid: WeChat ``NOTPAY`` / ``USERPAYING``, Alipay ``WAIT_BUYER_PAY``."""
    CLOSED = "closed"
    """Closed or revoked unpaid at the gateway."""
    REFUNDED = "refunded"
    """Paid, then refunded in part or in full (WeChat ``REFUND``; Alipay reports it as paid)."""
    UNKNOWN = "unknown"
    """The gateway does not know the number (never opened there)."""


@attrs.frozen(kw_only=True)
class TradeReport:
    """The gateway's word on one payment, from a verified notification or an order query."""

    out_trade_no: str
    status: TradeStatus
    paid_amount: Money | None
    merchant: MerchantAccount | None
    """The receiving account as the gateway names it, to compare with the payment's."""
    transaction_id: str | None = None
    paid_at: datetime | None = None


class RefundState(enum.StrEnum):
    PROCESSING = "processing"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


@attrs.frozen(kw_only=True)
class RefundReport:
    """The gateway's word on one refund, from a refund notification or a refund query."""

    out_trade_no: str
    out_refund_no: str
    state: RefundState
    amount: Money | None = None
    refund_id: str | None = None


Notice = TradeReport | RefundReport
"""What a verified notification says: a payment's result or a refund's."""


@attrs.frozen(kw_only=True)
class RefundOrder:
    """A refund to submit (申请退款); the same ``out_refund_no`` refunds once at the gateway."""

    out_trade_no: str
    out_refund_no: str
    amount: Money
    payment_amount: Money
    reason: str
    notify_url: str | None = None


class StatementEntryKind(enum.StrEnum):
    PAYMENT = "payment"
    REFUND = "refund"


@attrs.frozen(kw_only=True)
class StatementEntry:
    """One line of the gateway's daily statement (对账单), for reconciliation."""

    kind: StatementEntryKind
    out_trade_no: str
    transaction_id: str
    amount: Money
    at: datetime
    out_refund_no: str | None = None


class PaymentGateway(Protocol):
    """One tenant's receiving account on one gateway.

    Every call raises :class:`GatewayUnavailable` when the gateway cannot be reached or answers
    with an error worth retrying, and :class:`GatewayRefused` when it says no.
    """

    def create(self, order: GatewayOrder) -> Checkout: ...

    def verify_notification(self, request: NotificationRequest, now: datetime) -> Notice:
        """Raises :class:`NotificationRefused` unless the notification is genuine, fresh (WeChat
        v3: ``Wechatpay-Timestamp`` within 5 minutes of ``now``) and for this account."""
        ...

    def acknowledgement(self) -> GatewayReply:
        """The reply that tells the gateway the notification was handled (stop sending)."""
        ...

    def refusal(self) -> GatewayReply:
        """The reply that tells the gateway the notification was not handled (send it again)."""
        ...

    def query(self, out_trade_no: str) -> TradeReport: ...

    def close(self, out_trade_no: str) -> None:
        """Close an unpaid order at the gateway; closing one already closed is not an error."""
        ...

    def refund(self, order: RefundOrder) -> RefundReport:
        """Submit a refund; the gateway only accepts it (the result comes later)."""
        ...

    def query_refund(self, out_trade_no: str, out_refund_no: str) -> RefundReport: ...

    def statement(self, day: date) -> list[StatementEntry]:
        """The gateway's statement of one day (its own time zone, Asia/Shanghai)."""
        ...


class PaymentGateways(Protocol):
    """The gateway of each tenant's account per channel, from its merchant configuration."""

    def for_channel(self, tenant_id: UUID, channel: PaymentChannel) -> PaymentGateway:
        """Raises ``payment.channel_unavailable`` when the tenant has not set the channel up."""
        ...
