"""Commerce: merchants 商家 and products, coupon campaigns 优惠活动 and coupons, orders 订单.

Money is ``{"fen": 1234}`` in answers and a whole number of fen (``…Fen``) in requests;
percentages are decimal strings.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from uuid import UUID

import msgspec

from entrypoints.http.schemas import Body, View
from entrypoints.http.schemas.billing import Amount
from estate_core.commerce.campaign import CampaignState, IssuerKind
from estate_core.commerce.coupon import CouponState
from estate_core.commerce.discount import DiscountKind
from estate_core.commerce.order import OrderState, PaymentMethod


class MerchantDetailsView(View):
    name: str
    contact: str
    address: str
    tags: list[str]
    image: str
    phone: str
    qq: str
    intro: str
    recommendation: str
    special_services: list[str]
    opening_hours: str


class MerchantView(View):
    id: UUID
    community_ids: list[UUID]
    details: MerchantDetailsView
    active: bool


class ProductView(View):
    id: UUID
    merchant_id: UUID
    name: str
    price: Amount
    description: str
    active: bool


class MerchantDetails(Body):
    """Name, contact, address and at least one tag are required (seed 001 §2.3.5)."""

    name: str
    contact: str
    address: str
    tags: list[str]
    image: str = ""
    phone: str = ""
    qq: str = ""
    intro: str = ""
    recommendation: str = ""
    special_services: list[str] = msgspec.field(default_factory=list)
    opening_hours: str = ""


class NewMerchant(Body):
    community_ids: list[UUID]
    details: MerchantDetails


class MerchantUpdate(Body):
    """New details; ``communityIds`` absent keeps the communities served."""

    details: MerchantDetails
    community_ids: list[UUID] | None = None


class NewProduct(Body):
    name: str
    price_fen: int
    description: str = ""


class ProductChange(Body):
    name: str
    price_fen: int
    description: str = ""
    active: bool = True


class DiscountView(View):
    kind: DiscountKind
    amount: Amount | None
    percent_off: Decimal | None
    cap: Amount | None
    minimum_spend: Amount


class DiscountSpec(Body):
    """立减 ``amountFen``, or 折扣 ``percentOff`` (1-99) up to ``capFen``; usable from 满
    ``minimumSpendFen``."""

    kind: DiscountKind
    amount_fen: int | None = None
    percent_off: Decimal | None = None
    cap_fen: int | None = None
    minimum_spend_fen: int = 0


class CampaignView(View):
    id: UUID
    title: str
    description: str
    issuer: IssuerKind
    merchant_id: UUID
    community_ids: list[UUID]
    discount: DiscountView
    valid_from: datetime.datetime
    valid_until: datetime.datetime
    total_stock: int
    claimed_count: int
    per_resident_limit: int
    state: CampaignState


class NewCampaign(Body):
    title: str
    issuer: IssuerKind
    merchant_id: UUID
    community_ids: list[UUID]
    discount: DiscountSpec
    valid_from: datetime.datetime
    valid_until: datetime.datetime
    total_stock: int
    per_resident_limit: int = 1
    description: str = ""


class CouponView(View):
    id: UUID
    campaign_id: UUID
    merchant_id: UUID
    code: str
    discount: DiscountView
    valid_from: datetime.datetime
    valid_until: datetime.datetime
    state: CouponState
    claimed_at: datetime.datetime
    redeemed_at: datetime.datetime | None
    order_id: UUID | None


class Redeem(Body):
    """The code the resident shows; with ``spendFen`` the answer says how much to take off."""

    code: str
    spend_fen: int | None = None


class RedemptionView(View):
    coupon_id: UUID
    discount: DiscountView
    amount_off: Amount | None


class OrderLineView(View):
    product_id: UUID
    name: str
    unit_price: Amount
    quantity: int


class OrderView(View):
    id: UUID
    community_id: UUID
    merchant_id: UUID
    resident_id: UUID
    property_id: UUID
    delivery_address: str
    payment_method: PaymentMethod
    state: OrderState
    lines: list[OrderLineView]
    subtotal: Amount
    discount: Amount
    payable_amount: Amount
    coupon_id: UUID | None
    note: str
    placed_at: datetime.datetime
    payment_deadline: datetime.datetime | None
    paid_at: datetime.datetime | None
    completed_at: datetime.datetime | None


class OrderItem(Body):
    product_id: UUID
    quantity: int


class NewOrder(Body):
    """货到付款 ``cod``, or ``online`` (then paid through the payments API)."""

    merchant_id: UUID
    property_id: UUID
    items: list[OrderItem]
    payment_method: PaymentMethod
    coupon_id: UUID | None = None
    note: str = ""
