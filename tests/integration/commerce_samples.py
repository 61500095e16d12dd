"""Builders of merchants, products, orders, campaigns and coupons for the commerce SQL tests.

Aggregates are made through their own factories and methods, so every stored row is one the
domain can reach, and every reference (merchant, resident, property, product, campaign,
coupon) exists, as the database's foreign keys require.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import attrs
from persistence_samples import a_resident, add_owners

from estate_core.commerce.campaign import CouponCampaign, IssuerKind
from estate_core.commerce.coupon import Coupon, new_coupon_code
from estate_core.commerce.discount import Discount
from estate_core.commerce.merchant import Merchant, MerchantDetails, Product
from estate_core.commerce.order import PAYMENT_TIMEOUT, MerchantOrder, OrderLine, PaymentMethod
from estate_core.identity.model import Resident
from estate_core.properties.model import Property
from estate_core.shared.ids import new_id
from estate_core.shared.money import Money
from estate_core.shared.pagination import Page, PageRequest

AT = datetime(2026, 3, 15, 2, 0, tzinfo=UTC)


def details(name: str = "张记面馆", **changes: Any) -> MerchantDetails:
    base = MerchantDetails(
        name=name,
        contact="张老板",
        address="小区南门 3 号铺",
        tags=("餐饮", "外卖"),
        phone="13900000000",
        qq="123456",
        intro="三十年老店",
        recommendation="牛肉面",
        special_services=("送货上门",),
        opening_hours="09:00-21:00",
    )
    return attrs.evolve(base, **changes)


def a_merchant(
    tenant_id: UUID, community_ids: Sequence[UUID], name: str = "张记面馆", **changes: Any
) -> Merchant:
    return Merchant.register(
        id=new_id(),
        tenant_id=tenant_id,
        community_ids=community_ids,
        details=details(name, **changes),
        at=AT,
    )


def a_product(merchant: Merchant, name: str = "牛肉面", fen: int = 1800) -> Product:
    return Product.create(
        id=new_id(),
        tenant_id=merchant.tenant_id,
        merchant_id=merchant.id,
        name=name,
        price=Money(fen),
        description="",
    )


def a_campaign(
    merchant: Merchant,
    community_ids: Sequence[UUID] | None = None,
    *,
    stock: int = 10,
    limit: int = 1,
    discount: Discount | None = None,
    valid_from: datetime = AT,
    days: int = 7,
) -> CouponCampaign:
    return CouponCampaign.create(
        id=new_id(),
        tenant_id=merchant.tenant_id,
        title="开业优惠",
        description="满 30 减 5",
        issuer=IssuerKind.MERCHANT,
        merchant_id=merchant.id,
        community_ids=community_ids or merchant.community_ids,
        discount=discount or Discount.fixed(Money(500), minimum_spend=Money(3000)),
        valid_from=valid_from,
        valid_until=valid_from + timedelta(days=days),
        total_stock=stock,
        per_resident_limit=limit,
        at=valid_from,
    )


def claim(
    campaign: CouponCampaign, resident_id: UUID, *, already: int = 0, at: datetime = AT
) -> Coupon:
    return campaign.claim(
        coupon_id=new_id(),
        resident_id=resident_id,
        already_claimed=already,
        code=new_coupon_code(),
        at=at,
    )


def an_order(
    shop: Shop,
    method: PaymentMethod = PaymentMethod.COD,
    *,
    at: datetime = AT,
    resident: Resident | None = None,
    coupon: Coupon | None = None,
    quantities: Sequence[int] = (2, 1),
    payment_timeout: timedelta = PAYMENT_TIMEOUT,
) -> MerchantOrder:
    lines = [
        OrderLine(product_id=p.id, name=p.name, unit_price=p.price, quantity=q)
        for p, q in zip(shop.products, quantities, strict=False)
    ]
    order_id = new_id()
    discount = Money(0)
    if coupon is not None:
        coupon.redeem(merchant_id=shop.merchant.id, at=at, order_id=order_id)
        discount = coupon.amount_off(Money(sum(line.amount.fen for line in lines)))
    return MerchantOrder.place(
        id=order_id,
        tenant_id=shop.tenant_id,
        community_id=shop.community_id,
        merchant_id=shop.merchant.id,
        resident_id=(resident or shop.resident).id,
        property_id=shop.prop.id,
        delivery_address=shop.prop.address,
        payment_method=method,
        lines=lines,
        at=at,
        coupon_id=None if coupon is None else coupon.id,
        discount=discount,
        note="少放辣",
        payment_timeout=payment_timeout,
    )


@attrs.define
class Shop:
    """One community's bound resident, a merchant with two products and a campaign."""

    tenant_id: UUID
    community_id: UUID
    resident: Resident
    prop: Property
    merchant: Merchant
    products: list[Product]
    campaign: CouponCampaign


def open_shop(
    uow_factory: Callable[[UUID], Any],
    tenant_id: UUID,
    community_id: UUID | None = None,
    *,
    stock: int = 10,
    limit: int = 1,
) -> Shop:
    """Commit the shop's rows in one unit of work; the resident owns the property."""
    community_id = community_id or new_id()
    resident = a_resident(tenant_id, "13800000001", name="王五")
    merchant = a_merchant(tenant_id, [community_id])
    products = [a_product(merchant), a_product(merchant, "水饺", 2550)]
    campaign = a_campaign(merchant, stock=stock, limit=limit)
    with uow_factory(tenant_id) as uow:
        [prop] = add_owners(uow, community_id, [resident], AT, rooms=["101"])
        uow.merchants.add(merchant)
        for product in products:
            uow.products.add(product)
        uow.coupon_campaigns.add(campaign)
        uow.commit()
    return Shop(tenant_id, community_id, resident, prop, merchant, products, campaign)


def bound_residents(
    uow_factory: Callable[[UUID], Any], shop: Shop, count: int, *, first_phone: int = 10
) -> list[UUID]:
    """``count`` more residents, each the owner of a home in the shop's community."""
    residents = [a_resident(shop.tenant_id, f"139{first_phone + i:08d}") for i in range(count)]
    rooms = [str(1000 + i) for i in range(count)]
    with uow_factory(shop.tenant_id) as uow:
        add_owners(uow, shop.community_id, residents, AT, rooms=rooms, building="9")
        uow.commit()
    return [resident.id for resident in residents]


def walk(list_page: Callable[[PageRequest], Page[Any]], limit: int = 2) -> list[Any]:
    """Every item of a keyset list, page by page."""
    items: list[Any] = []
    cursor: str | None = None
    while True:
        page = list_page(PageRequest(limit=limit, after=cursor))
        items += page.items
        cursor = page.next_cursor
        if cursor is None:
            return items
