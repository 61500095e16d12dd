"""Helpers for the commerce tests: a small world of one community, bound residents and two
merchants with their clerks."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from uuid import UUID

import attrs
from billing_world import new_community

from adapters.persistence.memory import InMemoryUnitOfWork
from estate_core.commerce.campaign import IssuerKind
from estate_core.commerce.coupon import CouponState
from estate_core.commerce.discount import Discount
from estate_core.commerce.merchant import MerchantDetails
from estate_core.commerce.order import PaymentMethod
from estate_core.commerce.services import coupons, merchants, orders
from estate_core.identity.model import Resident
from estate_core.properties import services as properties
from estate_core.properties.model import PropertyKind
from estate_core.shared.access import Actor, Permission, ResidentActor, StaffActor
from estate_core.shared.clock import FixedClock
from estate_core.shared.ids import new_id
from estate_core.shared.money import Money


def details(**changes: object) -> MerchantDetails:
    base = MerchantDetails(
        name="张记面馆",
        contact="张老板",
        address="小区南门 3 号铺",
        tags=("餐饮",),
        phone="13900000000",
        opening_hours="09:00-21:00",
    )
    return attrs.evolve(base, **changes)


@attrs.define
class World:
    uow: InMemoryUnitOfWork
    clock: FixedClock
    admin: StaffActor
    community_id: UUID
    merchant_id: UUID
    other_merchant_id: UUID
    noodles: UUID
    dumplings: UUID
    clerk: StaffActor
    other_clerk: StaffActor
    home: UUID
    resident: ResidentActor
    _rooms: int = 100

    def bound_resident(self, community_id: UUID | None = None) -> tuple[ResidentActor, UUID]:
        """A new verified resident bound as owner of a new home (in this community by default)."""
        self._rooms += 1
        phone = f"1380000{self._rooms:04d}"
        property_id = properties.register_property(
            self.uow,
            self.admin,
            properties.RegisterProperty(
                community_id=community_id or self.community_id,
                kind=PropertyKind.RESIDENCE,
                building="1",
                unit="1",
                room=str(self._rooms),
                area=Decimal("90.00"),
            ),
        )
        actor = self.unbound_resident(phone)
        bound = properties.record_owner(
            self.uow,
            self.clock,
            self.admin,
            properties.RecordOwner(property_id=property_id, name="业主", phone=phone),
        )
        assert bound
        return actor, property_id

    def unbound_resident(self, phone: str | None = None) -> ResidentActor:
        if phone is None:
            self._rooms += 1
            phone = f"1370000{self._rooms:04d}"
        with self.uow:
            resident = Resident.register(
                id=new_id(), tenant_id=self.uow.tenant_id, phone=phone, at=self.clock.now()
            )
            self.uow.residents.add(resident)
            self.uow.commit()
        return ResidentActor(resident_id=resident.id)

    def order(
        self,
        method: PaymentMethod = PaymentMethod.COD,
        *,
        resident: ResidentActor | None = None,
        home: UUID | None = None,
        coupon_id: UUID | None = None,
        quantity: int = 2,
    ) -> UUID:
        return orders.place_order(
            self.uow,
            self.clock,
            resident or self.resident,
            orders.PlaceOrder(
                merchant_id=self.merchant_id,
                property_id=home or self.home,
                items=(orders.OrderItem(product_id=self.noodles, quantity=quantity),),
                payment_method=method,
                coupon_id=coupon_id,
            ),
        )

    def campaign(
        self,
        *,
        discount: Discount | None = None,
        stock: int = 10,
        limit: int = 1,
        merchant_id: UUID | None = None,
        days: int = 7,
        starts_in: timedelta = timedelta(0),
        issuer: IssuerKind = IssuerKind.MERCHANT,
    ) -> UUID:
        now = self.clock.now()
        return coupons.create_campaign(
            self.uow,
            self.clock,
            self.admin,
            coupons.CreateCouponCampaign(
                title="开业优惠",
                issuer=issuer,
                merchant_id=merchant_id or self.merchant_id,
                community_ids=frozenset({self.community_id}),
                discount=discount or Discount.fixed(Money(500)),
                valid_from=now + starts_in,
                valid_until=now + starts_in + timedelta(days=days),
                total_stock=stock,
                per_resident_limit=limit,
            ),
        )

    def claim(self, campaign_id: UUID, resident: Actor | None = None) -> coupons.CouponView:
        return coupons.claim_coupon(
            self.uow,
            self.clock,
            resident or self.resident,
            coupons.ClaimCoupon(campaign_id=campaign_id),
        )

    def view(self, order_id: UUID) -> orders.OrderView:
        return orders.get_order(self.uow, self.admin, order_id)

    def pay(self, order_id: UUID, payment_id: UUID | None = None) -> None:
        """What the billing Payment does when it settles: ``order.mark_paid(payment_id, at)``."""
        with self.uow:
            order = self.uow.merchant_orders.get(order_id)
            order.mark_paid(payment_id or new_id(), self.clock.now())
            self.uow.commit()

    def deliver(self, order_id: UUID, actor: Actor | None = None) -> None:
        cmd = orders.StartDelivery(order_id=order_id)
        orders.start_delivery(self.uow, self.clock, actor or self.clerk, cmd)

    def complete(self, order_id: UUID, actor: Actor | None = None) -> None:
        cmd = orders.CompleteOrder(order_id=order_id)
        orders.complete_order(self.uow, self.clock, actor or self.clerk, cmd)

    def cancel(self, order_id: UUID, actor: Actor) -> None:
        orders.cancel_order(self.uow, self.clock, actor, orders.CancelOrder(order_id=order_id))

    def redeem(
        self, code: str, clerk: Actor | None = None, spend: Money | None = None
    ) -> coupons.Redemption:
        """核销 in the shop, by the first merchant's clerk unless told otherwise."""
        cmd = coupons.RedeemCoupon(code=code, spend=spend)
        return coupons.redeem_coupon(self.uow, self.clock, clerk or self.clerk, cmd)

    def coupon_state(self, coupon_id: UUID) -> CouponState:
        with self.uow:
            return self.uow.coupons.get(coupon_id).state


def clerk_of(merchant_id: UUID) -> StaffActor:
    """A merchant clerk as the built-in role makes one: orders and coupon redemption only."""
    return StaffActor(
        staff_id=new_id(),
        permissions=frozenset({Permission.ORDER_MANAGE, Permission.COUPON_REDEEM}),
        merchant_id=merchant_id,
    )


def build_world(uow: InMemoryUnitOfWork, clock: FixedClock, admin: StaffActor) -> World:
    """One community with two merchants (the first sells two products) and a bound resident."""
    community_id = new_community(uow)
    merchant_id = merchants.register_merchant(
        uow,
        clock,
        admin,
        merchants.RegisterMerchant(community_ids=frozenset({community_id}), details=details()),
    )
    other_merchant_id = merchants.register_merchant(
        uow,
        clock,
        admin,
        merchants.RegisterMerchant(
            community_ids=frozenset({community_id}), details=details(name="李记水果")
        ),
    )
    noodles = merchants.add_product(
        uow,
        admin,
        merchants.AddProduct(merchant_id=merchant_id, name="牛肉面", price=Money.yuan("18.00")),
    )
    dumplings = merchants.add_product(
        uow,
        admin,
        merchants.AddProduct(merchant_id=merchant_id, name="水饺", price=Money.yuan("25.50")),
    )
    world = World(
        uow=uow,
        clock=clock,
        admin=admin,
        community_id=community_id,
        merchant_id=merchant_id,
        other_merchant_id=other_merchant_id,
        noodles=noodles,
        dumplings=dumplings,
        clerk=clerk_of(merchant_id),
        other_clerk=clerk_of(other_merchant_id),
        home=new_id(),
        resident=ResidentActor(resident_id=new_id()),
    )
    world.resident, world.home = world.bound_resident()
    return world
