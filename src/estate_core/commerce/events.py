"""Commerce events (merchants, orders, coupons)."""

from __future__ import annotations

from uuid import UUID

import attrs

from estate_core.shared.events import DomainEvent
from estate_core.shared.money import Money


@attrs.frozen(kw_only=True)
class MerchantRegistered(DomainEvent):
    merchant_id: UUID
    name: str


@attrs.frozen(kw_only=True)
class MerchantUpdated(DomainEvent):
    merchant_id: UUID


@attrs.frozen(kw_only=True)
class MerchantDeactivated(DomainEvent):
    merchant_id: UUID


@attrs.frozen(kw_only=True)
class MerchantActivated(DomainEvent):
    merchant_id: UUID


@attrs.frozen(kw_only=True)
class ProductAdded(DomainEvent):
    product_id: UUID
    merchant_id: UUID
    name: str
    price: Money


@attrs.frozen(kw_only=True)
class OrderPlaced(DomainEvent):
    order_id: UUID
    merchant_id: UUID
    resident_id: UUID
    payment_method: str
    payable: Money
    coupon_id: UUID | None


@attrs.frozen(kw_only=True)
class OrderPaid(DomainEvent):
    order_id: UUID
    payment_id: UUID


@attrs.frozen(kw_only=True)
class OrderDeliveryStarted(DomainEvent):
    order_id: UUID
    resident_id: UUID


@attrs.frozen(kw_only=True)
class OrderCompleted(DomainEvent):
    order_id: UUID
    resident_id: UUID


@attrs.frozen(kw_only=True)
class OrderCancelled(DomainEvent):
    order_id: UUID
    merchant_id: UUID
    resident_id: UUID
    cancelled_by: str


@attrs.frozen(kw_only=True)
class OrderClosed(DomainEvent):
    """An unpaid online order timed out; billing closes its pending payment at the gateway."""

    order_id: UUID
    resident_id: UUID


@attrs.frozen(kw_only=True)
class CouponCampaignCreated(DomainEvent):
    campaign_id: UUID
    merchant_id: UUID
    issuer: str
    total_stock: int


@attrs.frozen(kw_only=True)
class CouponCampaignStopped(DomainEvent):
    campaign_id: UUID


@attrs.frozen(kw_only=True)
class CouponClaimed(DomainEvent):
    coupon_id: UUID
    campaign_id: UUID
    resident_id: UUID


@attrs.frozen(kw_only=True)
class CouponRedeemed(DomainEvent):
    coupon_id: UUID
    campaign_id: UUID
    merchant_id: UUID
    order_id: UUID | None


@attrs.frozen(kw_only=True)
class CouponReleased(DomainEvent):
    """A coupon spent on an order that was cancelled or closed is usable again."""

    coupon_id: UUID
    order_id: UUID


@attrs.frozen(kw_only=True)
class CouponExpired(DomainEvent):
    coupon_id: UUID
    resident_id: UUID


@attrs.frozen(kw_only=True)
class OrderRefundRequested(DomainEvent):
    refund_id: UUID
    order_id: UUID
    merchant_id: UUID
    amount: Money


@attrs.frozen(kw_only=True)
class OrderRefundApproved(DomainEvent):
    refund_id: UUID
    order_id: UUID
    resident_id: UUID
    amount: Money


@attrs.frozen(kw_only=True)
class OrderRefundRefused(DomainEvent):
    refund_id: UUID
    order_id: UUID
    resident_id: UUID
    reason: str


@attrs.frozen(kw_only=True)
class OrderRefunded(DomainEvent):
    """A paid order refunded in full: it is over, and its coupon is released."""

    order_id: UUID
    resident_id: UUID
