"""No commerce repository method returns a row of another tenant (DESIGN.md §3), on any backend.

Two tenants hold look-alike data: the same community id, merchant and product names, and even
the same coupon code. Every repository method is called from the second tenant's unit of work
with the first tenant's ids and keys, and only ever sees the second tenant's rows.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

import attrs
import pytest
from commerce_samples import AT, Shop, a_campaign, a_merchant, a_product, an_order, claim, open_shop
from isolation import (
    assert_adding_is_refused,
    assert_all_of,
    assert_every_public_method_is_covered,
    assert_unseen,
)
from persistence_samples import Backend

from adapters.persistence.sqlalchemy.repositories.commerce import (
    SqlCouponCampaignRepository,
    SqlCouponRepository,
    SqlMerchantOrderRepository,
    SqlMerchantRepository,
    SqlProductRepository,
)
from estate_core.commerce.coupon import Coupon
from estate_core.commerce.order import MerchantOrder, PaymentMethod
from estate_core.shared.errors import NotFound
from estate_core.shared.ids import new_id
from estate_core.shared.pagination import PageRequest

COMMUNITY = new_id()
"""Shared on purpose: a query filtering on the community but not the tenant would leak."""
CODE = "SAMECODE2345"
"""Both tenants' coupons carry this code: codes are unique per tenant only."""
LATER = AT + timedelta(days=30)
"""When every online order is overdue and every coupon past its window."""

COVERED = {
    SqlMerchantRepository: {"add", "get", "find", "list_in_community"},
    SqlProductRepository: {"add", "get", "find", "get_many", "list_for_merchant"},
    SqlMerchantOrderRepository: {
        "add",
        "get",
        "find",
        "list_for_resident",
        "list_for_merchant",
        "list_in_community",
        "payment_overdue",
    },
    SqlCouponCampaignRepository: {"add", "get", "find", "get_for_update", "list_in_community"},
    SqlCouponRepository: {
        "add",
        "get",
        "find",
        "find_by_code",
        "count_for",
        "list_for_resident",
        "due_to_expire",
    },
}


@attrs.frozen
class Tenant:
    shop: Shop
    coupon: Coupon
    order: MerchantOrder

    @property
    def id(self) -> UUID:
        return self.shop.tenant_id


def _populate(backend: Backend) -> Tenant:
    shop = open_shop(backend.uow, new_id(), COMMUNITY)
    order = an_order(shop, PaymentMethod.ONLINE)
    with backend.uow(shop.tenant_id) as uow:
        coupon = claim(uow.coupon_campaigns.get(shop.campaign.id), shop.resident.id)
        coupon.code = CODE
        uow.coupons.add(coupon)
        uow.merchant_orders.add(order)
        uow.commit()
    return Tenant(shop, coupon, order)


@pytest.fixture
def tenants(backend: Backend) -> tuple[Tenant, Tenant]:
    return _populate(backend), _populate(backend)


def _ids(items: Any) -> list[UUID]:
    return [item.id for item in items]


def _only(tenant: Tenant, items: Any) -> None:
    assert items, "the second tenant's own rows should be found"
    assert_all_of(tenant.id, items)


def test_every_commerce_repository_method_is_covered_here() -> None:
    assert_every_public_method_is_covered(COVERED)


def test_merchants_and_products_of_another_tenant_are_invisible(
    backend: Backend, tenants: tuple[Tenant, Tenant]
) -> None:
    first, second = tenants
    with backend.uow(second.id) as uow:
        assert_unseen(uow.merchants, first.shop.merchant.id)
        listed = uow.merchants.list_in_community(COMMUNITY, PageRequest(), active_only=False)
        assert _ids(listed.items) == [second.shop.merchant.id]
        _only(second, listed.items)
        theirs = first.shop.products
        assert_unseen(uow.products, theirs[0].id)
        mixed = uow.products.get_many(_ids(theirs) + _ids(second.shop.products))
        assert sorted(_ids(mixed)) == sorted(_ids(second.shop.products))
        _only(second, mixed)
        assert uow.products.list_for_merchant(first.shop.merchant.id, PageRequest()).items == []
        own = uow.products.list_for_merchant(second.shop.merchant.id, PageRequest()).items
        _only(second, own)


def test_orders_of_another_tenant_are_invisible(
    backend: Backend, tenants: tuple[Tenant, Tenant]
) -> None:
    first, second = tenants
    with backend.uow(second.id) as uow:
        orders = uow.merchant_orders
        assert_unseen(orders, first.order.id)
        page = PageRequest()
        assert orders.list_for_resident(first.shop.resident.id, page).items == []
        assert orders.list_for_merchant(first.shop.merchant.id, page).items == []
        for listed in (
            orders.list_for_resident(second.shop.resident.id, page).items,
            orders.list_for_merchant(second.shop.merchant.id, page).items,
            orders.list_in_community(COMMUNITY, page).items,
            orders.payment_overdue(LATER, 10),
        ):
            assert _ids(listed) == [second.order.id]
            _only(second, listed)


def test_campaigns_and_coupons_of_another_tenant_are_invisible(
    backend: Backend, tenants: tuple[Tenant, Tenant]
) -> None:
    first, second = tenants
    with backend.uow(second.id) as uow:
        assert_unseen(uow.coupon_campaigns, first.shop.campaign.id)
        with pytest.raises(NotFound):
            uow.coupon_campaigns.get_for_update(first.shop.campaign.id)
        campaigns = uow.coupon_campaigns.list_in_community(COMMUNITY, PageRequest()).items
        assert _ids(campaigns) == [second.shop.campaign.id]
        _only(second, campaigns)
        assert uow.coupon_campaigns.get_for_update(second.shop.campaign.id).tenant_id == second.id

        assert_unseen(uow.coupons, first.coupon.id)
        by_code = uow.coupons.find_by_code(CODE)
        assert by_code is not None
        assert by_code.id == second.coupon.id
        assert uow.coupons.count_for(first.shop.campaign.id, first.shop.resident.id) == 0
        assert uow.coupons.count_for(second.shop.campaign.id, second.shop.resident.id) == 1
        assert uow.coupons.list_for_resident(first.shop.resident.id, PageRequest()).items == []
        for listed in (
            uow.coupons.list_for_resident(second.shop.resident.id, PageRequest()).items,
            uow.coupons.due_to_expire(LATER, 10),
        ):
            assert _ids(listed) == [second.coupon.id]
            _only(second, listed)


def test_adding_a_commerce_aggregate_of_another_tenant_is_refused(
    backend: Backend, tenants: tuple[Tenant, Tenant]
) -> None:
    first, second = tenants
    theirs = first.shop
    with backend.uow(second.id) as uow:
        assert_adding_is_refused(
            [
                (uow.merchants, a_merchant(first.id, [COMMUNITY])),
                (uow.products, a_product(theirs.merchant)),
                (uow.merchant_orders, an_order(theirs)),
                (uow.coupon_campaigns, a_campaign(theirs.merchant)),
                (uow.coupons, claim(a_campaign(theirs.merchant), theirs.resident.id)),
            ]
        )
