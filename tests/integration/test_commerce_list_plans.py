"""Each commerce list and worker query reads its index in the index's order: no sort, any depth.

The statement a repository runs for a page after a cursor is explained on the real database.
PostgreSQL is told to avoid sequential scans, bitmap scans and sorts whenever it can, so a plan
that still sorts means no index gives the list's order; SQLite says when it would sort in a
temporary B-tree. Walking the index from the cursor is what makes page 10,000 cost what page 1
costs, and the worker's batch cost what its limit says.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from commerce_samples import AT
from query_plans import plan_of_query
from sqlalchemy.engine import Engine

from adapters.persistence.sqlalchemy import SqlAlchemyUnitOfWork
from estate_core.shared.ids import new_id
from estate_core.shared.pagination import PageRequest, encode_cursor


def _after(*key: Any) -> PageRequest:
    return PageRequest(limit=20, after=encode_cursor([str(part) for part in key]))


BY_NAME = _after("张记面馆", new_id())
BY_TIME = _after(AT.isoformat(), new_id())
BY_ID = _after(new_id())

QUERIES: dict[str, tuple[Callable[[Any], object], str]] = {
    "小区商家": (
        lambda uow: uow.merchants.list_in_community(new_id(), BY_NAME),
        "ix_merchant_communities_by_name",
    ),
    "小区商家, inactive too": (
        lambda uow: uow.merchants.list_in_community(new_id(), BY_NAME, active_only=False),
        "ix_merchant_communities_by_name",
    ),
    "products": (
        lambda uow: uow.products.list_for_merchant(new_id(), BY_NAME),
        "ix_products_by_name",
    ),
    "我的订单": (
        lambda uow: uow.merchant_orders.list_for_resident(new_id(), BY_TIME),
        "ix_merchant_orders_by_resident",
    ),
    "a merchant's orders": (
        lambda uow: uow.merchant_orders.list_for_merchant(new_id(), BY_TIME),
        "ix_merchant_orders_by_merchant",
    ),
    "订单管理": (
        lambda uow: uow.merchant_orders.list_in_community(new_id(), BY_TIME),
        "ix_merchant_orders_by_community",
    ),
    "orders past their payment deadline": (
        lambda uow: uow.merchant_orders.payment_overdue(AT, 500),
        "ix_merchant_orders_payment_due",
    ),
    "优惠活动": (
        lambda uow: uow.coupon_campaigns.list_in_community(new_id(), BY_ID),
        "ix_campaign_communities_by_community",
    ),
    "我的优惠券": (
        lambda uow: uow.coupons.list_for_resident(new_id(), BY_TIME),
        "ix_coupons_by_resident",
    ),
    "coupons past their window": (
        lambda uow: uow.coupons.due_to_expire(AT, 500),
        "ix_coupons_usable_until",
    ),
}


def test_every_commerce_list_reads_its_index_in_order(
    make_uow: Callable[[UUID], SqlAlchemyUnitOfWork],
    engine: Engine,
    tenant_id: UUID,
) -> None:
    plans = {
        name: plan_of_query(make_uow, engine, tenant_id, query)
        for name, (query, _) in QUERIES.items()
    }
    uses_index_in_order = {
        name: index in plans[name][0] and not plans[name][1] for name, (_, index) in QUERIES.items()
    }
    assert uses_index_in_order == dict.fromkeys(QUERIES, True), plans
