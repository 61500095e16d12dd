"""Use cases for merchant orders 商家订单 (seed 001 §2.3.6).

A resident bound to a property orders from a merchant serving its community, delivered to
that property. A coupon applied to an order is redeemed when the order is placed; if the order
is cancelled or closed before completion the coupon is released, usable again inside its window.

Who may do what:
- place: a resident who is an active member of the delivery property;
- start delivery, complete: staff with ``order.manage`` in the order's community; a merchant
  clerk only for their own merchant's orders;
- cancel: the resident who placed it, or such staff, whenever the transition table allows (a COD
  order before completion; an online order only before it is paid);
- close an unpaid online order after its deadline: the scheduled job.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from uuid import UUID

import attrs

from estate_core.commerce.merchant import Merchant
from estate_core.commerce.order import (
    PAYMENT_TIMEOUT,
    CancelledBy,
    MerchantOrder,
    OrderLine,
    OrderState,
    PaymentMethod,
)
from estate_core.commerce.ports import CommerceUnitOfWork
from estate_core.commerce.services.common import (
    JOB_BATCH,
    page_of,
    require_merchant_staff,
    require_system,
    resident_id_of,
)
from estate_core.properties.services import require_member
from estate_core.shared.access import Actor, Permission, ResidentActor
from estate_core.shared.clock import Clock, local_date
from estate_core.shared.errors import Conflict, InvalidInput, NotFound
from estate_core.shared.ids import new_id
from estate_core.shared.money import Money, total
from estate_core.shared.pagination import Page, PageRequest

MAX_LINES = 50


@attrs.frozen(kw_only=True)
class OrderView:
    id: UUID
    community_id: UUID
    merchant_id: UUID
    resident_id: UUID
    property_id: UUID
    delivery_address: str
    payment_method: PaymentMethod
    state: OrderState
    lines: tuple[OrderLine, ...]
    subtotal: Money
    discount: Money
    payable_amount: Money
    coupon_id: UUID | None
    note: str
    placed_at: datetime
    payment_deadline: datetime | None
    paid_at: datetime | None
    completed_at: datetime | None

    @classmethod
    def of(cls, order: MerchantOrder) -> OrderView:
        return cls(
            id=order.id,
            community_id=order.community_id,
            merchant_id=order.merchant_id,
            resident_id=order.resident_id,
            property_id=order.property_id,
            delivery_address=order.delivery_address,
            payment_method=order.payment_method,
            state=order.state,
            lines=tuple(order.lines),
            subtotal=order.subtotal,
            discount=order.discount,
            payable_amount=order.payable_amount,
            coupon_id=order.coupon_id,
            note=order.note,
            placed_at=order.placed_at,
            payment_deadline=order.payment_deadline,
            paid_at=order.paid_at,
            completed_at=order.completed_at,
        )


@attrs.frozen(kw_only=True)
class OrderItem:
    product_id: UUID
    quantity: int


@attrs.frozen(kw_only=True)
class PlaceOrder:
    merchant_id: UUID
    property_id: UUID
    items: tuple[OrderItem, ...]
    payment_method: PaymentMethod
    coupon_id: UUID | None = None
    note: str = ""


def place_order(
    uow: CommerceUnitOfWork,
    clock: Clock,
    actor: Actor,
    cmd: PlaceOrder,
    *,
    payment_timeout: timedelta = PAYMENT_TIMEOUT,
) -> UUID:
    """下单. An online order then waits for its Payment; a COD order is ready for delivery."""
    resident_id = resident_id_of(actor)
    now = clock.now()
    with uow:
        require_member(uow, resident_id, cmd.property_id, local_date(now))
        prop = uow.properties.get(cmd.property_id)
        merchant = uow.merchants.get(cmd.merchant_id)
        if not merchant.active or not merchant.serves(prop.community_id):
            raise Conflict("merchant.unavailable", "this merchant does not deliver to your home")
        lines = _lines(uow, merchant, cmd.items)
        order_id = new_id()
        discount = Money.zero()
        if cmd.coupon_id is not None:
            coupon = uow.coupons.find(cmd.coupon_id)
            if coupon is None or coupon.resident_id != resident_id:
                raise NotFound("coupon.not_found", "no such coupon")
            coupon.redeem(merchant_id=merchant.id, at=now, order_id=order_id)
            discount = coupon.amount_off(total([line.amount for line in lines]))
        order = MerchantOrder.place(
            id=order_id,
            tenant_id=uow.tenant_id,
            community_id=prop.community_id,
            merchant_id=merchant.id,
            resident_id=resident_id,
            property_id=prop.id,
            delivery_address=prop.address,
            payment_method=cmd.payment_method,
            lines=lines,
            at=now,
            coupon_id=cmd.coupon_id,
            discount=discount,
            note=cmd.note,
            payment_timeout=payment_timeout,
        )
        uow.merchant_orders.add(order)
        uow.commit()
        return order.id


def _lines(
    uow: CommerceUnitOfWork, merchant: Merchant, items: Sequence[OrderItem]
) -> list[OrderLine]:
    """The order lines, one per product (repeated items add up), at today's prices."""
    quantities: dict[UUID, int] = {}
    for item in items:
        if type(item.quantity) is not int or item.quantity < 1:
            raise InvalidInput("merchant_order.invalid_quantity", "a quantity is at least 1")
        quantities[item.product_id] = quantities.get(item.product_id, 0) + item.quantity
    if not quantities:
        raise InvalidInput("merchant_order.empty", "an order has at least one line")
    if len(quantities) > MAX_LINES:
        raise InvalidInput("merchant_order.too_many_lines", f"at most {MAX_LINES} products")
    products = {product.id: product for product in uow.products.get_many(list(quantities))}
    lines = []
    for product_id, quantity in quantities.items():
        product = products.get(product_id)
        if product is None or product.merchant_id != merchant.id or not product.active:
            raise Conflict(
                "product.unavailable", "a product is not on sale at this merchant", id=product_id
            )
        lines.append(
            OrderLine(
                product_id=product.id,
                name=product.name,
                unit_price=product.price,
                quantity=quantity,
            )
        )
    return lines


@attrs.frozen(kw_only=True)
class StartDelivery:
    order_id: UUID


def start_delivery(uow: CommerceUnitOfWork, clock: Clock, actor: Actor, cmd: StartDelivery) -> None:
    """配送: only a 待配送 order; an online one is there only once paid."""
    with uow:
        order = _order_for_staff(uow, actor, cmd.order_id)
        order.start_delivery(clock.now())
        uow.commit()


@attrs.frozen(kw_only=True)
class CompleteOrder:
    order_id: UUID


def complete_order(uow: CommerceUnitOfWork, clock: Clock, actor: Actor, cmd: CompleteOrder) -> None:
    with uow:
        order = _order_for_staff(uow, actor, cmd.order_id)
        order.complete(clock.now())
        uow.commit()


@attrs.frozen(kw_only=True)
class CancelOrder:
    order_id: UUID


def cancel_order(uow: CommerceUnitOfWork, clock: Clock, actor: Actor, cmd: CancelOrder) -> None:
    """The resident or staff cancel; a paid online order cannot be cancelled by either."""
    with uow:
        if isinstance(actor, ResidentActor):
            order = _own_order(uow, actor, cmd.order_id)
            by = CancelledBy.RESIDENT
        else:
            order = _order_for_staff(uow, actor, cmd.order_id)
            by = CancelledBy.STAFF
        order.cancel(clock.now(), by)
        _release_coupon(uow, order)
        uow.commit()


def close_expired(
    uow: CommerceUnitOfWork, clock: Clock, actor: Actor, *, limit: int = JOB_BATCH
) -> int:
    """The worker's job: close unpaid online orders past their deadline; returns how many.

    Their coupons are released. A payment that still succeeds afterwards finds the order closed
    and is refunded by billing, never lost.
    """
    require_system(actor)
    now = clock.now()
    with uow:
        overdue = uow.merchant_orders.payment_overdue(now, limit)
        for order in overdue:
            order.close(now)
            _release_coupon(uow, order)
        uow.commit()
        return len(overdue)


def get_order(uow: CommerceUnitOfWork, actor: Actor, order_id: UUID) -> OrderView:
    with uow:
        if isinstance(actor, ResidentActor):
            return OrderView.of(_own_order(uow, actor, order_id))
        return OrderView.of(_order_for_staff(uow, actor, order_id))


def list_my_orders(uow: CommerceUnitOfWork, actor: Actor, page: PageRequest) -> Page[OrderView]:
    """我的订单."""
    resident_id = resident_id_of(actor)
    with uow:
        return page_of(uow.merchant_orders.list_for_resident(resident_id, page), OrderView.of)


def list_merchant_orders(
    uow: CommerceUnitOfWork, actor: Actor, merchant_id: UUID, page: PageRequest
) -> Page[OrderView]:
    """A merchant's orders, for its clerk or for staff whose scope covers its communities."""
    with uow:
        merchant = uow.merchants.get(merchant_id)
        require_merchant_staff(actor, Permission.ORDER_MANAGE, merchant.id, merchant.community_ids)
        return page_of(uow.merchant_orders.list_for_merchant(merchant_id, page), OrderView.of)


def list_community_orders(
    uow: CommerceUnitOfWork, actor: Actor, community_id: UUID, page: PageRequest
) -> Page[OrderView]:
    """订单管理: every merchant's orders in a community, for the property's staff."""
    require_merchant_staff(actor, Permission.ORDER_MANAGE, None, [community_id])
    with uow:
        return page_of(uow.merchant_orders.list_in_community(community_id, page), OrderView.of)


def _own_order(uow: CommerceUnitOfWork, actor: ResidentActor, order_id: UUID) -> MerchantOrder:
    order = uow.merchant_orders.find(order_id)
    if order is None or order.resident_id != actor.resident_id:
        raise NotFound("merchant_order.not_found", "no such order")
    return order


def _order_for_staff(uow: CommerceUnitOfWork, actor: Actor, order_id: UUID) -> MerchantOrder:
    order = uow.merchant_orders.get(order_id)
    require_merchant_staff(actor, Permission.ORDER_MANAGE, order.merchant_id, [order.community_id])
    return order


def _release_coupon(uow: CommerceUnitOfWork, order: MerchantOrder) -> None:
    if order.coupon_id is not None:
        uow.coupons.get(order.coupon_id).release()
