"""Merchant order rules (seed 001 §2.3.6), proven through the use cases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from commerce_world import World

from adapters.persistence.memory import InMemoryStore
from estate_core.commerce.order import OrderState, PaymentMethod
from estate_core.commerce.services import merchants, orders
from estate_core.shared.access import Permission, StaffActor, SystemActor
from estate_core.shared.ids import new_id
from estate_core.shared.money import Money
from estate_core.shared.pagination import PageRequest
from world_builders import code_of

WORKER = SystemActor(job="close_expired_orders")


# placing


def test_cod_order_starts_pending_delivery(world: World) -> None:
    view = world.view(world.order(PaymentMethod.COD))
    assert view.state is OrderState.PENDING_DELIVERY
    assert view.payment_deadline is None


def test_online_order_waits_for_payment_for_thirty_minutes(world: World) -> None:
    view = world.view(world.order(PaymentMethod.ONLINE))
    assert view.state is OrderState.PENDING_PAYMENT
    assert view.payment_deadline == world.clock.now() + timedelta(minutes=30)


def test_order_is_delivered_to_the_residents_home(world: World) -> None:
    view = world.view(world.order())
    assert view.property_id == world.home
    assert view.delivery_address == "1-1-101"
    assert view.community_id == world.community_id


def test_order_total_is_the_sum_of_its_lines(world: World) -> None:
    order_id = orders.place_order(
        world.uow,
        world.clock,
        world.resident,
        orders.PlaceOrder(
            merchant_id=world.merchant_id,
            property_id=world.home,
            items=(
                orders.OrderItem(product_id=world.noodles, quantity=2),
                orders.OrderItem(product_id=world.dumplings, quantity=1),
                orders.OrderItem(product_id=world.noodles, quantity=1),
            ),
            payment_method=PaymentMethod.COD,
        ),
    )
    view = world.view(order_id)
    assert [(line.name, line.quantity) for line in view.lines] == [("牛肉面", 3), ("水饺", 1)]
    assert view.subtotal == view.payable_amount == Money.yuan("79.50")


def test_order_keeps_the_price_it_was_placed_at(world: World) -> None:
    order_id = world.order(quantity=1)
    merchants.change_product(
        world.uow,
        world.admin,
        merchants.ChangeProduct(product_id=world.noodles, name="牛肉面", price=Money.yuan("20")),
    )
    assert world.view(order_id).payable_amount == Money.yuan("18.00")


def test_unbound_resident_cannot_order(world: World) -> None:
    stranger = world.unbound_resident()
    assert code_of(lambda: world.order(resident=stranger)) == "household.not_member"


def test_resident_cannot_order_to_someone_elses_home(world: World) -> None:
    neighbour, _ = world.bound_resident()
    assert code_of(lambda: world.order(resident=neighbour)) == "household.not_member"


def test_merchant_not_serving_the_community_does_not_deliver(world: World) -> None:
    elsewhere, home = world.bound_resident(community_id=new_id())
    assert code_of(lambda: world.order(resident=elsewhere, home=home)) == "merchant.unavailable"


def test_deactivated_merchant_takes_no_orders(world: World) -> None:
    merchants.deactivate_merchant(world.uow, world.admin, world.merchant_id)
    assert code_of(world.order) == "merchant.unavailable"


def test_product_off_sale_cannot_be_ordered(world: World) -> None:
    merchants.change_product(
        world.uow,
        world.admin,
        merchants.ChangeProduct(
            product_id=world.noodles, name="牛肉面", price=Money.yuan("18"), active=False
        ),
    )
    assert code_of(world.order) == "product.unavailable"


def test_product_of_another_merchant_cannot_be_ordered(world: World) -> None:
    fruit = merchants.add_product(
        world.uow,
        world.admin,
        merchants.AddProduct(merchant_id=world.other_merchant_id, name="苹果", price=Money(990)),
    )
    cmd = orders.PlaceOrder(
        merchant_id=world.merchant_id,
        property_id=world.home,
        items=(orders.OrderItem(product_id=fruit, quantity=1),),
        payment_method=PaymentMethod.COD,
    )
    code = code_of(lambda: orders.place_order(world.uow, world.clock, world.resident, cmd))
    assert code == "product.unavailable"


@pytest.mark.parametrize("quantity", [0, -1, 1000])
def test_quantity_is_between_one_and_999(world: World, quantity: int) -> None:
    assert code_of(lambda: world.order(quantity=quantity)) == "merchant_order.invalid_quantity"


def test_empty_order_is_refused(world: World) -> None:
    cmd = orders.PlaceOrder(
        merchant_id=world.merchant_id,
        property_id=world.home,
        items=(),
        payment_method=PaymentMethod.COD,
    )
    code = code_of(lambda: orders.place_order(world.uow, world.clock, world.resident, cmd))
    assert code == "merchant_order.empty"


def test_placing_an_order_records_an_event(world: World, store: InMemoryStore) -> None:
    world.order(PaymentMethod.ONLINE)
    names = [message.event_name for message in store.outbox]
    assert names[-1] == "OrderPlaced"


# payment, delivery, completion


def test_online_order_is_not_delivered_before_payment(world: World) -> None:
    order_id = world.order(PaymentMethod.ONLINE)
    assert code_of(lambda: world.deliver(order_id)) == "merchant_order.invalid_transition"
    world.pay(order_id)
    assert world.view(order_id).state is OrderState.PENDING_DELIVERY
    world.deliver(order_id)
    assert world.view(order_id).state is OrderState.DELIVERING


def test_settling_the_same_payment_twice_changes_nothing(world: World) -> None:
    order_id, payment_id = world.order(PaymentMethod.ONLINE), new_id()
    world.pay(order_id, payment_id)
    paid_at = world.view(order_id).paid_at
    world.clock.advance(timedelta(seconds=1))
    world.pay(order_id, payment_id)
    assert world.view(order_id).paid_at == paid_at


def test_a_second_payment_for_a_paid_order_is_refused(world: World) -> None:
    order_id = world.order(PaymentMethod.ONLINE)
    world.pay(order_id)
    assert code_of(lambda: world.pay(order_id)) == "merchant_order.invalid_transition"


def test_cod_order_is_never_paid_online(world: World) -> None:
    order_id = world.order(PaymentMethod.COD)
    assert code_of(lambda: world.pay(order_id)) == "merchant_order.invalid_transition"


def test_clerk_delivers_and_completes_their_merchants_order(world: World) -> None:
    order_id = world.order()
    world.deliver(order_id)
    world.complete(order_id)
    view = world.view(order_id)
    assert view.state is OrderState.COMPLETED
    assert view.completed_at == world.clock.now()


def test_order_is_completed_only_after_delivery_starts(world: World) -> None:
    order_id = world.order()
    assert code_of(lambda: world.complete(order_id)) == "merchant_order.invalid_transition"


def test_clerk_cannot_deliver_another_merchants_order(world: World) -> None:
    order_id = world.order()
    code = code_of(lambda: world.deliver(order_id, world.other_clerk))
    assert code == "merchant.other_merchant"
    assert world.view(order_id).state is OrderState.PENDING_DELIVERY


def test_clerk_cannot_complete_another_merchants_order(world: World) -> None:
    order_id = world.order()
    world.deliver(order_id)
    code = code_of(lambda: world.complete(order_id, world.other_clerk))
    assert code == "merchant.other_merchant"


def test_property_admin_may_deliver_any_merchants_order(world: World) -> None:
    order_id = world.order()
    world.deliver(order_id, world.admin)
    assert world.view(order_id).state is OrderState.DELIVERING


def test_staff_outside_the_community_cannot_deliver(world: World) -> None:
    manager = StaffActor(
        staff_id=new_id(),
        permissions=frozenset({Permission.ORDER_MANAGE}),
        community_ids=frozenset({new_id()}),
    )
    order_id = world.order()
    assert code_of(lambda: world.deliver(order_id, manager)) == "permission.out_of_scope"


def test_resident_cannot_deliver(world: World) -> None:
    order_id = world.order()
    assert code_of(lambda: world.deliver(order_id, world.resident)) == "permission.staff_only"


# cancelling


@pytest.mark.parametrize("delivering", [False, True])
def test_cod_order_can_be_cancelled_by_resident_before_completion(
    world: World, delivering: bool
) -> None:
    order_id = world.order(PaymentMethod.COD)
    if delivering:
        world.deliver(order_id)
    world.cancel(order_id, world.resident)
    assert world.view(order_id).state is OrderState.CANCELLED


@pytest.mark.parametrize("delivering", [False, True])
def test_cod_order_can_be_cancelled_by_admin_before_completion(
    world: World, delivering: bool
) -> None:
    order_id = world.order(PaymentMethod.COD)
    if delivering:
        world.deliver(order_id)
    world.cancel(order_id, world.admin)
    assert world.view(order_id).state is OrderState.CANCELLED


def test_completed_cod_order_cannot_be_cancelled(world: World) -> None:
    order_id = world.order(PaymentMethod.COD)
    world.deliver(order_id)
    world.complete(order_id)
    for actor in (world.resident, world.admin):
        code = code_of(lambda actor=actor: world.cancel(order_id, actor))
        assert code == "merchant_order.invalid_transition"
    assert world.view(order_id).state is OrderState.COMPLETED


def test_unpaid_online_order_can_be_cancelled_by_resident(world: World) -> None:
    order_id = world.order(PaymentMethod.ONLINE)
    world.cancel(order_id, world.resident)
    assert world.view(order_id).state is OrderState.CANCELLED


def test_unpaid_online_order_can_be_cancelled_by_admin(world: World) -> None:
    order_id = world.order(PaymentMethod.ONLINE)
    world.cancel(order_id, world.admin)
    assert world.view(order_id).state is OrderState.CANCELLED


@pytest.mark.parametrize("delivering", [False, True])
def test_paid_online_order_cannot_be_cancelled_by_resident(world: World, delivering: bool) -> None:
    order_id = world.order(PaymentMethod.ONLINE)
    world.pay(order_id)
    if delivering:
        world.deliver(order_id)
    code = code_of(lambda: world.cancel(order_id, world.resident))
    assert code == "merchant_order.invalid_transition"
    assert world.view(order_id).state is not OrderState.CANCELLED


@pytest.mark.parametrize("delivering", [False, True])
def test_paid_online_order_cannot_be_cancelled_by_admin(world: World, delivering: bool) -> None:
    order_id = world.order(PaymentMethod.ONLINE)
    world.pay(order_id)
    if delivering:
        world.deliver(order_id)
    code = code_of(lambda: world.cancel(order_id, world.admin))
    assert code == "merchant_order.invalid_transition"
    assert world.view(order_id).state is not OrderState.CANCELLED


def test_resident_cannot_cancel_someone_elses_order(world: World) -> None:
    order_id = world.order()
    neighbour, _ = world.bound_resident()
    assert code_of(lambda: world.cancel(order_id, neighbour)) == "merchant_order.not_found"


def test_clerk_of_another_merchant_cannot_cancel(world: World) -> None:
    order_id = world.order()
    code = code_of(lambda: world.cancel(order_id, world.other_clerk))
    assert code == "merchant.other_merchant"


def test_cancelled_order_cannot_be_paid(world: World) -> None:
    order_id = world.order(PaymentMethod.ONLINE)
    world.cancel(order_id, world.resident)
    assert code_of(lambda: world.pay(order_id)) == "merchant_order.invalid_transition"


# closing unpaid online orders


def test_unpaid_online_order_closes_after_its_deadline(world: World) -> None:
    order_id = world.order(PaymentMethod.ONLINE)
    world.clock.advance(timedelta(minutes=29, seconds=59))
    assert orders.close_expired(world.uow, world.clock, WORKER) == 0
    world.clock.advance(timedelta(seconds=1))
    assert orders.close_expired(world.uow, world.clock, WORKER) == 1
    assert world.view(order_id).state is OrderState.CLOSED
    assert orders.close_expired(world.uow, world.clock, WORKER) == 0


def test_closing_leaves_paid_and_cod_orders_alone(world: World) -> None:
    paid, cod = world.order(PaymentMethod.ONLINE), world.order(PaymentMethod.COD)
    world.pay(paid)
    world.clock.advance(timedelta(hours=2))
    assert orders.close_expired(world.uow, world.clock, WORKER) == 0
    assert world.view(paid).state is OrderState.PENDING_DELIVERY
    assert world.view(cod).state is OrderState.PENDING_DELIVERY


def test_payment_after_the_order_closed_is_refused(world: World) -> None:
    order_id = world.order(PaymentMethod.ONLINE)
    world.clock.advance(timedelta(minutes=30))
    orders.close_expired(world.uow, world.clock, WORKER)
    assert code_of(lambda: world.pay(order_id)) == "merchant_order.invalid_transition"


def test_only_the_scheduled_job_closes_orders(world: World) -> None:
    code = code_of(lambda: orders.close_expired(world.uow, world.clock, world.admin))
    assert code == "permission.system_only"


# reading


def test_resident_lists_only_their_own_orders(world: World) -> None:
    mine = world.order()
    neighbour, home = world.bound_resident()
    world.order(resident=neighbour, home=home)
    page = orders.list_my_orders(world.uow, world.resident, PageRequest())
    assert [view.id for view in page.items] == [mine]


def test_clerk_lists_only_their_own_merchants_orders(world: World) -> None:
    order_id = world.order()
    page = orders.list_merchant_orders(world.uow, world.clerk, world.merchant_id, PageRequest())
    assert [view.id for view in page.items] == [order_id]
    code = code_of(
        lambda: orders.list_merchant_orders(
            world.uow, world.other_clerk, world.merchant_id, PageRequest()
        )
    )
    assert code == "merchant.other_merchant"


def test_clerk_cannot_list_a_whole_communitys_orders(world: World) -> None:
    code = code_of(
        lambda: orders.list_community_orders(
            world.uow, world.clerk, world.community_id, PageRequest()
        )
    )
    assert code == "merchant.other_merchant"


def test_admin_lists_a_communitys_orders_page_by_page(world: World) -> None:
    placed = []
    for _ in range(3):
        placed.append(world.order())
        world.clock.advance(timedelta(minutes=1))
    first = orders.list_community_orders(
        world.uow, world.admin, world.community_id, PageRequest(limit=2)
    )
    second = orders.list_community_orders(
        world.uow,
        world.admin,
        world.community_id,
        PageRequest(limit=2, after=first.next_cursor),
    )
    assert [v.id for v in first.items] + [v.id for v in second.items] == placed
    assert second.next_cursor is None
