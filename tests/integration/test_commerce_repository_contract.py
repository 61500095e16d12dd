"""The commerce repositories keep one contract on the in-memory store, SQLite and PostgreSQL.

What a use case can observe (what is found, in which order a list pages, what a commit keeps)
is the same on every backend. Merchants, products and orders here; campaigns and coupons in
``test_commerce_coupon_repositories.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest
from commerce_samples import (
    AT,
    Shop,
    a_merchant,
    a_product,
    an_order,
    claim,
    details,
    open_shop,
    walk,
)
from persistence_samples import Backend, a_resident

from estate_core.commerce.order import (
    CancelledBy,
    MerchantOrder,
    OrderLine,
    OrderState,
    PaymentMethod,
)
from estate_core.shared.errors import NotFound
from estate_core.shared.ids import new_id
from estate_core.shared.money import Money
from estate_core.shared.pagination import PageRequest


@pytest.fixture
def shop(backend: Backend, tenant_id: UUID) -> Shop:
    return open_shop(backend.uow, tenant_id)


def test_missing_commerce_aggregates_raise_their_not_found_codes(
    backend: Backend, tenant_id: UUID
) -> None:
    with backend.uow(tenant_id) as uow:
        repositories = (
            uow.merchants,
            uow.products,
            uow.merchant_orders,
            uow.coupon_campaigns,
            uow.coupons,
        )
        codes = []
        for repository in repositories:
            assert repository.find(new_id()) is None
            with pytest.raises(NotFound) as raised:
                repository.get(new_id())
            codes.append(raised.value.code)
        with pytest.raises(NotFound) as locked:
            uow.coupon_campaigns.get_for_update(new_id())
        assert codes == [
            "merchant.not_found",
            "product.not_found",
            "merchant_order.not_found",
            "coupon_campaign.not_found",
            "coupon.not_found",
        ]
        assert locked.value.code == "coupon_campaign.not_found"


def test_merchant_keeps_every_detail_and_its_communities(backend: Backend, tenant_id: UUID) -> None:
    communities = [new_id(), new_id()]
    merchant = a_merchant(tenant_id, communities)
    with backend.uow(tenant_id) as uow:
        uow.merchants.add(merchant)
        uow.commit()
    with backend.uow(tenant_id) as uow:
        loaded = uow.merchants.get(merchant.id)
        assert loaded.details == details()
        assert sorted(loaded.community_ids) == sorted(communities)
        assert (loaded.active, loaded.created_at) == (True, AT)


def test_merchant_changes_are_kept_and_its_lists_follow_a_rename(
    backend: Backend, tenant_id: UUID
) -> None:
    """Renamed, serving one community more and one less, tagged in place, deactivated."""
    first, second, third = new_id(), new_id(), new_id()
    noodles = a_merchant(tenant_id, [first, second], "面馆")
    fruit = a_merchant(tenant_id, [first], "水果店")
    with backend.uow(tenant_id) as uow:
        uow.merchants.add(noodles)
        uow.merchants.add(fruit)
        uow.commit()
    with backend.uow(tenant_id) as uow:
        loaded = uow.merchants.get(noodles.id)
        loaded.update(details("阿张面馆"))
        loaded.serve([second, third])
        loaded.tags.append("夜宵")
        uow.merchants.get(fruit.id).deactivate()
        uow.commit()
    with backend.uow(tenant_id) as uow:
        loaded = uow.merchants.get(noodles.id)
        assert loaded.name == "阿张面馆"
        assert loaded.tags == ["餐饮", "外卖", "夜宵"]
        assert sorted(loaded.community_ids) == sorted([second, third])
        assert not uow.merchants.get(fruit.id).active

        def names_in(community: UUID) -> list[str]:
            listed = walk(
                lambda page: uow.merchants.list_in_community(community, page, active_only=False)
            )
            return [merchant.name for merchant in listed]

        assert [names_in(c) for c in (first, second, third)] == [
            ["水果店"],
            ["阿张面馆"],
            ["阿张面馆"],
        ]
        assert uow.merchants.list_in_community(first, PageRequest()).items == []


def test_merchants_of_a_community_page_by_name_then_id(backend: Backend, tenant_id: UUID) -> None:
    community = new_id()
    names = ["B 超市", "A 面馆", "水果店", "A 面馆", "便利店", "Z 五金"]
    merchants = [a_merchant(tenant_id, [community], name) for name in names]
    merchants[2].deactivate()
    elsewhere = a_merchant(tenant_id, [new_id()], "A 别处")
    with backend.uow(tenant_id) as uow:
        for merchant in [*merchants, elsewhere]:
            uow.merchants.add(merchant)
        uow.commit()
    expected = sorted((m.name, str(m.id)) for m in merchants)
    with backend.uow(tenant_id) as uow:
        everyone = walk(
            lambda page: uow.merchants.list_in_community(community, page, active_only=False)
        )
        active = walk(lambda page: uow.merchants.list_in_community(community, page))
        assert [(m.name, str(m.id)) for m in everyone] == expected
        assert [m.name for m in active] == [name for name, _ in expected if name != "水果店"]


def test_products_are_found_together_and_listed_by_name(backend: Backend, tenant_id: UUID) -> None:
    merchant = a_merchant(tenant_id, [new_id()])
    other = a_merchant(tenant_id, merchant.community_ids, "李记")
    products = [a_product(merchant, name, 100 * i) for i, name in enumerate("丙甲乙丁", 1)]
    theirs = a_product(other, "甲")
    with backend.uow(tenant_id) as uow:
        uow.merchants.add(merchant)
        uow.merchants.add(other)
        for product in [*products, theirs]:
            uow.products.add(product)
        uow.commit()
    with backend.uow(tenant_id) as uow:
        found = uow.products.get_many([products[0].id, products[2].id, new_id(), products[0].id])
        assert sorted(p.id for p in found) == sorted([products[0].id, products[2].id])
        assert uow.products.get_many([]) == []
        uow.products.get(products[1].id).change(
            name="甲", price=Money(999), description="停售", active=False
        )
        uow.commit()
    with backend.uow(tenant_id) as uow:
        changed = uow.products.get(products[1].id)
        assert (changed.price, changed.description, changed.active) == (Money(999), "停售", False)
        on_sale = walk(lambda page: uow.products.list_for_merchant(merchant.id, page))
        every = walk(
            lambda page: uow.products.list_for_merchant(merchant.id, page, active_only=False)
        )
        assert [p.name for p in on_sale] == sorted(["丙", "乙", "丁"])
        assert [(p.name, p.id) for p in every] == sorted(
            [(p.name, p.id) for p in products], key=lambda item: (item[0], str(item[1]))
        )


def test_order_keeps_its_lines_in_order_and_its_coupon_discount(
    backend: Backend, shop: Shop
) -> None:
    coupon = claim(shop.campaign, shop.resident.id)
    order = an_order(shop, PaymentMethod.ONLINE, coupon=coupon, quantities=(3, 1))
    with backend.uow(shop.tenant_id) as uow:
        uow.coupons.add(coupon)
        uow.merchant_orders.add(order)
        uow.commit()
    with backend.uow(shop.tenant_id) as uow:
        loaded = uow.merchant_orders.get(order.id)
        assert list(loaded.lines) == [
            OrderLine(
                product_id=shop.products[0].id, name="牛肉面", unit_price=Money(1800), quantity=3
            ),
            OrderLine(
                product_id=shop.products[1].id, name="水饺", unit_price=Money(2550), quantity=1
            ),
        ]
        assert (loaded.subtotal, loaded.discount, loaded.payable_amount) == (
            Money(7950),
            Money(500),
            Money(7450),
        )
        assert (loaded.coupon_id, loaded.state, loaded.note) == (
            coupon.id,
            OrderState.PENDING_PAYMENT,
            "少放辣",
        )
        assert loaded.payment_deadline == AT + timedelta(minutes=30)
        assert loaded.delivery_address == shop.prop.address
        assert uow.coupons.get(coupon.id).order_id == order.id


def test_an_order_moves_through_its_states_and_keeps_each_time(
    backend: Backend, shop: Shop
) -> None:
    online, cod = an_order(shop, PaymentMethod.ONLINE), an_order(shop)
    payment_id = new_id()
    with backend.uow(shop.tenant_id) as uow:
        uow.merchant_orders.add(online)
        uow.merchant_orders.add(cod)
        uow.commit()
    steps: list[Callable[[MerchantOrder], None]] = [
        lambda o: o.mark_paid(payment_id, AT + timedelta(minutes=1)),
        lambda o: o.start_delivery(AT + timedelta(minutes=2)),
        lambda o: o.complete(AT + timedelta(minutes=3)),
    ]
    for step in steps:
        with backend.uow(shop.tenant_id) as uow:
            step(uow.merchant_orders.get(online.id))
            uow.commit()
    with backend.uow(shop.tenant_id) as uow:
        uow.merchant_orders.get(cod.id).cancel(AT + timedelta(minutes=5), CancelledBy.STAFF)
        uow.commit()
    with backend.uow(shop.tenant_id) as uow:
        done, cancelled = uow.merchant_orders.get(online.id), uow.merchant_orders.get(cod.id)
        assert (done.state, done.payment_id, done.paid_at, done.completed_at) == (
            OrderState.COMPLETED,
            payment_id,
            AT + timedelta(minutes=1),
            AT + timedelta(minutes=3),
        )
        assert (cancelled.state, cancelled.cancelled_by) == (
            OrderState.CANCELLED,
            CancelledBy.STAFF,
        )


def test_order_lists_page_by_placing_time_for_resident_merchant_and_community(
    backend: Backend, shop: Shop
) -> None:
    neighbour = a_resident(shop.tenant_id, "13800000002")
    times = [AT + timedelta(minutes=m) for m in (5, 1, 3, 3, 2)]
    orders = [
        an_order(shop, at=at, resident=neighbour if i % 2 else shop.resident)
        for i, at in enumerate(times)
    ]
    with backend.uow(shop.tenant_id) as uow:
        uow.residents.add(neighbour)
        for order in orders:
            uow.merchant_orders.add(order)
        uow.commit()

    def placed(chosen: list[Any]) -> list[tuple[str, str]]:
        return sorted((o.placed_at.isoformat(), str(o.id)) for o in chosen)

    with backend.uow(shop.tenant_id) as uow:
        mine = walk(lambda p: uow.merchant_orders.list_for_resident(shop.resident.id, p))
        merchants = walk(lambda p: uow.merchant_orders.list_for_merchant(shop.merchant.id, p))
        community = walk(lambda p: uow.merchant_orders.list_in_community(shop.community_id, p))
        assert uow.merchant_orders.list_in_community(new_id(), PageRequest()).items == []
        key = [(o.placed_at.isoformat(), str(o.id)) for o in mine]
        assert key == placed([o for o in orders if o.resident_id == shop.resident.id])
        assert [(o.placed_at.isoformat(), str(o.id)) for o in merchants] == placed(orders)
        assert [o.id for o in community] == [o.id for o in merchants]


def test_payment_overdue_finds_unpaid_online_orders_past_their_deadline_longest_overdue_first(
    backend: Backend, shop: Shop
) -> None:
    due = [
        an_order(
            shop,
            PaymentMethod.ONLINE,
            at=AT + timedelta(minutes=placed),
            payment_timeout=timedelta(minutes=timeout),
        )
        for placed, timeout in ((0, 31), (1, 29), (2, 30))
    ]
    not_yet = an_order(shop, PaymentMethod.ONLINE, at=AT + timedelta(minutes=20))
    paid = an_order(shop, PaymentMethod.ONLINE)
    paid.mark_paid(new_id(), AT)
    cod = an_order(shop)
    with backend.uow(shop.tenant_id) as uow:
        for order in [*due, not_yet, paid, cod]:
            uow.merchant_orders.add(order)
        uow.commit()
    now = AT + timedelta(minutes=32)
    with backend.uow(shop.tenant_id) as uow:
        first_two = uow.merchant_orders.payment_overdue(now, 2)
        every = uow.merchant_orders.payment_overdue(now, 10)
        assert [o.id for o in first_two] == [due[1].id, due[0].id]
        assert [o.id for o in every] == [due[1].id, due[0].id, due[2].id]
