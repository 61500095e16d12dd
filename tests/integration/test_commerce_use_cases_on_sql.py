"""The commerce use cases, unchanged, on the SQLAlchemy unit of work (SQLite and PostgreSQL).

A merchant opens with two products and a campaign; residents claim coupons, spend one on an
online order that closes unpaid (the coupon comes back), spend it again on a cash order that is
delivered, have another redeemed in the shop, and the worker expires what is left. Each step is
its own unit of work; every list is read back from the database.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from uuid import UUID

from commerce_samples import details
from identity_samples import a_community
from persistence_samples import a_resident, add_owners

from adapters.persistence.sqlalchemy import SqlAlchemyUnitOfWork
from estate_core.commerce.campaign import CampaignState, IssuerKind
from estate_core.commerce.coupon import CouponState
from estate_core.commerce.discount import Discount
from estate_core.commerce.order import OrderState, PaymentMethod
from estate_core.commerce.services import coupons, merchants, orders
from estate_core.shared.access import Permission, ResidentActor, StaffActor, SystemActor
from estate_core.shared.clock import FixedClock
from estate_core.shared.ids import new_id
from estate_core.shared.money import Money
from estate_core.shared.pagination import PageRequest
from world_builders import code_of

ADMIN = StaffActor(staff_id=new_id(), permissions=frozenset(Permission))
WORKER = SystemActor(job="commerce")


def _home_owners(
    uow: Any, clock: FixedClock, community_id: UUID, count: int
) -> list[tuple[ResidentActor, UUID]]:
    """``count`` residents, each the bound owner of a home in the community."""
    residents = [a_resident(uow.tenant_id, f"1380000000{i}") for i in range(count)]
    rooms = [f"{i + 1}01" for i in range(count)]
    with uow:
        homes = add_owners(uow, community_id, residents, clock.now(), rooms=rooms, building="5")
        uow.commit()
    return [
        (ResidentActor(resident_id=resident.id), home.id)
        for resident, home in zip(residents, homes, strict=True)
    ]


def test_merchants_orders_and_coupons_run_on_the_database(
    make_uow: Callable[[UUID], SqlAlchemyUnitOfWork], clock: FixedClock, tenant_id: UUID
) -> None:
    uow: Any = make_uow(tenant_id)
    community_id = new_id()
    with uow:
        uow.communities.add(a_community(tenant_id, community_id=community_id))
        uow.commit()
    (resident, home), (neighbour, _), (keeper, _), (latecomer, _) = _home_owners(
        uow, clock, community_id, 4
    )

    merchant_id = merchants.register_merchant(
        uow,
        clock,
        ADMIN,
        merchants.RegisterMerchant(community_ids=frozenset({community_id}), details=details()),
    )
    clerk = StaffActor(
        staff_id=new_id(),
        permissions=frozenset({Permission.ORDER_MANAGE, Permission.COUPON_REDEEM}),
        merchant_id=merchant_id,
    )
    noodles = merchants.add_product(
        uow, ADMIN, merchants.AddProduct(merchant_id=merchant_id, name="牛肉面", price=Money(1800))
    )
    merchants.add_product(
        uow, ADMIN, merchants.AddProduct(merchant_id=merchant_id, name="水饺", price=Money(2550))
    )
    campaign_id = coupons.create_campaign(
        uow,
        clock,
        ADMIN,
        coupons.CreateCouponCampaign(
            title="开业优惠",
            issuer=IssuerKind.PROPERTY,
            merchant_id=merchant_id,
            community_ids=frozenset({community_id}),
            discount=Discount.fixed(Money(500), minimum_spend=Money(3000)),
            valid_from=clock.now(),
            valid_until=clock.now() + timedelta(days=7),
            total_stock=3,
        ),
    )

    def claim(actor: ResidentActor) -> coupons.CouponView:
        return coupons.claim_coupon(uow, clock, actor, coupons.ClaimCoupon(campaign_id=campaign_id))

    def place(method: PaymentMethod, coupon_id: UUID | None) -> UUID:
        item = orders.OrderItem(product_id=noodles, quantity=2)
        cmd = orders.PlaceOrder(
            merchant_id=merchant_id,
            property_id=home,
            items=(item,),
            payment_method=method,
            coupon_id=coupon_id,
        )
        return orders.place_order(uow, clock, resident, cmd)

    coupon = claim(resident)
    assert code_of(lambda: claim(resident)) == "coupon.limit_reached"

    online = place(PaymentMethod.ONLINE, coupon.id)
    assert orders.get_order(uow, resident, online).payable_amount == Money(3100)
    clock.advance(timedelta(minutes=31))
    assert orders.close_expired(uow, clock, WORKER) == 1
    assert orders.get_order(uow, resident, online).state is OrderState.CLOSED

    cod = place(PaymentMethod.COD, coupon.id)
    orders.start_delivery(uow, clock, clerk, orders.StartDelivery(order_id=cod))
    orders.complete_order(uow, clock, clerk, orders.CompleteOrder(order_id=cod))
    delivered = orders.get_order(uow, clerk, cod)
    assert (delivered.state, delivered.discount, delivered.coupon_id) == (
        OrderState.COMPLETED,
        Money(500),
        coupon.id,
    )

    theirs, kept = claim(neighbour), claim(keeper)
    assert code_of(lambda: claim(latecomer)) == "coupon.out_of_stock"
    redemption = coupons.redeem_coupon(
        uow, clock, clerk, coupons.RedeemCoupon(code=theirs.code.lower(), spend=Money(4000))
    )
    assert redemption.amount_off == Money(500)
    assert (
        code_of(
            lambda: coupons.redeem_coupon(uow, clock, clerk, coupons.RedeemCoupon(code=theirs.code))
        )
        == "coupon.invalid_transition"
    )

    coupons.stop_campaign(uow, ADMIN, campaign_id)
    merchants.update_merchant(
        uow, ADMIN, merchants.UpdateMerchant(merchant_id=merchant_id, details=details("阿张面馆"))
    )
    page = PageRequest(limit=1)
    my_orders = orders.list_my_orders(uow, resident, page)
    assert [o.id for o in my_orders.items] == [online]
    assert my_orders.next_cursor is not None
    rest = orders.list_my_orders(uow, resident, PageRequest(limit=1, after=my_orders.next_cursor))
    assert [o.id for o in rest.items] == [cod]
    assert [o.id for o in orders.list_merchant_orders(uow, clerk, merchant_id, page).items] == [
        online
    ]
    assert len(orders.list_community_orders(uow, ADMIN, community_id, PageRequest()).items) == 2
    (campaign,) = coupons.list_campaigns(uow, community_id, PageRequest()).items
    assert (campaign.claimed_count, campaign.state) == (3, CampaignState.STOPPED)
    listed = merchants.list_merchants(uow, community_id, PageRequest())
    assert [m.details.name for m in listed.items] == ["阿张面馆"]
    products = merchants.list_products(uow, merchant_id, PageRequest())
    assert [p.name for p in products.items] == ["水饺", "牛肉面"]

    clock.advance(timedelta(days=7))
    assert coupons.expire_coupons(uow, clock, WORKER) == 1
    mine = coupons.list_my_coupons(uow, resident, PageRequest()).items
    assert [(c.id, c.state) for c in mine] == [(coupon.id, CouponState.REDEEMED)]
    (expired,) = coupons.list_my_coupons(uow, keeper, PageRequest()).items
    assert (expired.id, expired.state) == (kept.id, CouponState.EXPIRED)
