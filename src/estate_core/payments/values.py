"""The vocabulary of Payment 支付单: channels, statuses, the transition table, the shape rules.

Kept apart from the aggregate so adapters and read models can use the names without it. The
surplus policy is the tenant's setting, :class:`estate_core.identity.model.SurplusPolicy`.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Protocol
from uuid import UUID

import attrs

from estate_core.identity.model import SurplusPolicy
from estate_core.payments.allocation import Allocation
from estate_core.payments.errors import AmountMismatch, MerchantMismatch
from estate_core.shared.errors import InvalidInput
from estate_core.shared.money import Money, require_amount, total


class PaymentChannel(enum.StrEnum):
    WECHAT_JSAPI = "wechat_jsapi"
    WECHAT_NATIVE = "wechat_native"
    WECHAT_H5 = "wechat_h5"
    ALIPAY_WAP = "alipay_wap"
    ALIPAY_PAGE = "alipay_page"
    ALIPAY_QR = "alipay_qr"
    OFFLINE = "offline"

    @property
    def is_online(self) -> bool:
        return self is not PaymentChannel.OFFLINE


class ChannelGroup(enum.StrEnum):
    """The channels one gateway account serves, and so one daily statement covers (对账单)."""

    WECHAT = "wechat"
    ALIPAY = "alipay"

    @property
    def channels(self) -> frozenset[PaymentChannel]:
        return frozenset(c for c in PaymentChannel if c.value.startswith(f"{self.value}_"))

    @property
    def statement_channel(self) -> PaymentChannel:
        """The channel whose gateway is asked for the group's statement (any would do)."""
        return min(self.channels)


class PaymentTarget(enum.StrEnum):
    BILLS = "bills"
    MERCHANT_ORDER = "merchant_order"
    PREPAYMENT_TOPUP = "prepayment_topup"


class PaymentStatus(enum.StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    CLOSED = "closed"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"


class PaymentAction(enum.StrEnum):
    SETTLE = "settle"
    CLOSE = "close"
    REFUND = "refund"
    RECORD_SURPLUS = "record a surplus of"
    COMPLETE_PARTIAL_REFUND = "complete a partial refund of"
    COMPLETE_FULL_REFUND = "complete a full refund of"
    FAIL_REFUND = "fail a refund of"


_S = PaymentStatus
_A = PaymentAction

TRANSITIONS: dict[tuple[PaymentStatus, PaymentAction], PaymentStatus] = {
    (_S.PENDING, _A.SETTLE): _S.SUCCEEDED,
    # DESIGN.md §9: a payment that succeeds after we closed it locally is settled, never lost.
    (_S.CLOSED, _A.SETTLE): _S.SUCCEEDED,
    (_S.PENDING, _A.CLOSE): _S.CLOSED,
    (_S.SUCCEEDED, _A.RECORD_SURPLUS): _S.SUCCEEDED,
    (_S.SUCCEEDED, _A.REFUND): _S.SUCCEEDED,
    (_S.PARTIALLY_REFUNDED, _A.REFUND): _S.PARTIALLY_REFUNDED,
    (_S.SUCCEEDED, _A.COMPLETE_PARTIAL_REFUND): _S.PARTIALLY_REFUNDED,
    (_S.PARTIALLY_REFUNDED, _A.COMPLETE_PARTIAL_REFUND): _S.PARTIALLY_REFUNDED,
    (_S.SUCCEEDED, _A.COMPLETE_FULL_REFUND): _S.REFUNDED,
    (_S.PARTIALLY_REFUNDED, _A.COMPLETE_FULL_REFUND): _S.REFUNDED,
    (_S.SUCCEEDED, _A.FAIL_REFUND): _S.SUCCEEDED,
    (_S.PARTIALLY_REFUNDED, _A.FAIL_REFUND): _S.PARTIALLY_REFUNDED,
}
"""The one transition table of Payment: (status, action) -> next status."""

SETTLED_STATUSES = frozenset({_S.SUCCEEDED, _S.PARTIALLY_REFUNDED, _S.REFUNDED})


class CloseReason(enum.StrEnum):
    TIMEOUT = "timeout"
    PAYER = "payer"
    STAFF = "staff"


class SettlementOutcome(enum.StrEnum):
    SETTLED = "settled"
    ALREADY_SETTLED = "already_settled"


@attrs.frozen(kw_only=True)
class MerchantAccount:
    """The receiving merchant: WeChat app id + mch id, or Alipay app id + seller id.

    In partner mode (DESIGN.md §9) ``app_id``/``merchant_id`` are the service provider's
    (``sp_appid``/``sp_mchid``; Alipay: the ISV app) and ``sub_merchant_id`` the tenant's
    (``sub_mchid``; Alipay: the authorising app): all must match.
    """

    app_id: str
    merchant_id: str
    sub_merchant_id: str | None = None


@attrs.frozen(kw_only=True)
class SurplusCase:
    """Money that paid for nothing: ``bill_id`` None when a whole merchant order was gone."""

    bill_id: UUID | None
    amount: Money
    cause: str
    resolution: SurplusPolicy
    out_refund_no: str | None
    recorded_at: datetime


class _Shape(Protocol):
    target: PaymentTarget
    channel: PaymentChannel
    amount: Money
    allocations: list[Allocation]
    credit: Money
    property_id: UUID | None
    order_id: UUID | None
    merchant: MerchantAccount | None
    expires_at: datetime | None
    cashier_id: UUID | None
    receipt_no: str | None


def check_shape(payment: _Shape) -> None:
    """A payment is for bills of one property, a top-up of one property, or one order.

    The parts of a property's payment are never negative and add up to its amount. Online
    payments name the merchant that must receive the money and their expiry; offline ones a
    cashier and a receipt number (收据号).
    """
    amount, allocations, credit = payment.amount, payment.allocations, payment.credit
    require_amount(amount, "payment.invalid_amount", "a payment")
    if credit.is_negative or any(not a.amount.is_positive for a in allocations):
        raise InvalidInput("payment.invalid_allocation", "no part of a payment is negative")
    is_order = payment.target is PaymentTarget.MERCHANT_ORDER
    if not is_order and total([a.amount for a in allocations]) + credit != amount:
        raise InvalidInput("payment.invalid_allocation", "allocations and credit != amount")
    if len({a.bill_id for a in allocations}) != len(allocations):
        raise InvalidInput("payment.duplicate_bill", "a bill appears twice in one payment")
    has_property, has_order = payment.property_id is not None, payment.order_id is not None
    shapes = {
        PaymentTarget.BILLS: bool(allocations) and has_property and not has_order,
        PaymentTarget.PREPAYMENT_TOPUP: not allocations and has_property and not has_order,
        PaymentTarget.MERCHANT_ORDER: (
            has_order and not has_property and not allocations and credit.is_zero
        ),
    }
    if not shapes[payment.target]:
        raise InvalidInput("payment.invalid_target", f"not a valid {payment.target} payment")
    if payment.channel.is_online:
        if payment.merchant is None or payment.expires_at is None or payment.receipt_no:
            raise InvalidInput("payment.invalid_channel", "an online payment needs a merchant")
    elif payment.cashier_id is None or not payment.receipt_no or payment.merchant:
        raise InvalidInput("payment.receipt_required", "offline payments need a receipt no")


def check_settlement(
    amount: Money,
    merchant: MerchantAccount | None,
    paid: Money,
    paid_to: MerchantAccount | None,
) -> None:
    """The gateway's word must match ours (DESIGN.md §9: the SDKs do not check this)."""
    if paid_to != merchant:
        raise MerchantMismatch(
            "the payment was made to another merchant than this tenant's",
            expected=_describe(merchant),
            received=_describe(paid_to),
        )
    if paid != amount:
        raise AmountMismatch(
            f"{paid} was paid for a payment of {amount}",
            expected=str(amount.fen),
            received=str(paid.fen),
        )


def _describe(merchant: MerchantAccount | None) -> str:
    if merchant is None:
        return "none"
    sub = f"/{merchant.sub_merchant_id}" if merchant.sub_merchant_id else ""
    return f"{merchant.app_id}/{merchant.merchant_id}{sub}"
