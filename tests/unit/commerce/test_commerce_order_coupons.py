"""Coupons on merchant orders: redeemed when the order is placed, released if it never completes."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from commerce_world import World

from estate_core.commerce.coupon import CouponState
from estate_core.commerce.discount import Discount
from estate_core.commerce.order import PaymentMethod
from estate_core.commerce.services import orders
from estate_core.shared.access import SystemActor
from estate_core.shared.money import Money
from world_builders import code_of

WORKER = SystemActor(job="close_expired_orders")


def test_coupon_discounts_the_order_and_is_redeemed(world: World) -> None:
    coupon = world.claim(world.campaign(discount=Discount.fixed(Money.yuan("5"))))
    order_id = world.order(coupon_id=coupon.id)
    view = world.view(order_id)
    assert (view.subtotal, view.discount, view.payable_amount) == (
        Money.yuan("36"),
        Money.yuan("5"),
        Money.yuan("31"),
    )
    assert world.coupon_state(coupon.id) is CouponState.REDEEMED


def test_coupon_is_released_when_its_order_is_cancelled(world: World) -> None:
    coupon = world.claim(world.campaign())
    order_id = world.order(coupon_id=coupon.id)
    world.cancel(order_id, world.resident)
    assert world.coupon_state(coupon.id) is CouponState.USABLE
    world.order(coupon_id=coupon.id)
    assert world.coupon_state(coupon.id) is CouponState.REDEEMED


def test_coupon_is_released_when_its_unpaid_order_closes(world: World) -> None:
    coupon = world.claim(world.campaign())
    world.order(PaymentMethod.ONLINE, coupon_id=coupon.id)
    world.clock.advance(timedelta(minutes=30))
    orders.close_expired(world.uow, world.clock, WORKER)
    assert world.coupon_state(coupon.id) is CouponState.USABLE


def test_coupon_stays_redeemed_when_its_order_completes(world: World) -> None:
    coupon = world.claim(world.campaign())
    order_id = world.order(coupon_id=coupon.id)
    world.deliver(order_id)
    world.complete(order_id)
    assert world.coupon_state(coupon.id) is CouponState.REDEEMED


def test_used_coupon_cannot_discount_a_second_order(world: World) -> None:
    coupon = world.claim(world.campaign())
    world.order(coupon_id=coupon.id)
    assert code_of(lambda: world.order(coupon_id=coupon.id)) == "coupon.invalid_transition"


def test_coupon_of_another_merchant_cannot_discount_the_order(world: World) -> None:
    coupon = world.claim(world.campaign(merchant_id=world.other_merchant_id))
    assert code_of(lambda: world.order(coupon_id=coupon.id)) == "coupon.wrong_merchant"
    assert world.coupon_state(coupon.id) is CouponState.USABLE


def test_someone_elses_coupon_cannot_be_used(world: World) -> None:
    neighbour, _ = world.bound_resident()
    coupon = world.claim(world.campaign(), neighbour)
    assert code_of(lambda: world.order(coupon_id=coupon.id)) == "coupon.not_found"


def test_coupon_below_its_minimum_spend_is_refused_and_stays_usable(world: World) -> None:
    discount = Discount.fixed(Money.yuan("10"), minimum_spend=Money.yuan("50"))
    coupon = world.claim(world.campaign(discount=discount))
    assert code_of(lambda: world.order(coupon_id=coupon.id)) == "coupon.minimum_not_met"
    assert world.coupon_state(coupon.id) is CouponState.USABLE
    assert world.view(world.order(coupon_id=coupon.id, quantity=3)).discount == Money.yuan("10")


def test_expired_coupon_cannot_discount_an_order(world: World) -> None:
    coupon = world.claim(world.campaign(days=1))
    world.clock.advance(timedelta(days=1))
    assert code_of(lambda: world.order(coupon_id=coupon.id)) == "coupon.expired"


def test_percentage_coupon_is_capped(world: World) -> None:
    discount = Discount.percentage(Decimal("20"), cap=Money.yuan("5"))
    coupon = world.claim(world.campaign(discount=discount))
    view = world.view(world.order(coupon_id=coupon.id))
    assert view.discount == Money.yuan("5")
    assert view.payable_amount == Money.yuan("31")


def test_coupon_larger_than_the_order_makes_a_cod_order_free(world: World) -> None:
    coupon = world.claim(world.campaign(discount=Discount.fixed(Money.yuan("100"))))
    view = world.view(world.order(coupon_id=coupon.id))
    assert view.discount == view.subtotal
    assert view.payable_amount == Money.zero()


def test_online_order_with_nothing_left_to_pay_is_refused(world: World) -> None:
    coupon = world.claim(world.campaign(discount=Discount.fixed(Money.yuan("100"))))
    code = code_of(lambda: world.order(PaymentMethod.ONLINE, coupon_id=coupon.id))
    assert code == "merchant_order.nothing_to_pay"
    assert world.coupon_state(coupon.id) is CouponState.USABLE
