"""The commerce tables refuse rows the domain could never write, even from raw SQL.

A shop with an order and a claimed coupon is committed through the repositories; then each
statement below, run on its own, tries to break one rule behind the domain's back, and the
database's CHECK constraint refuses it on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

import pytest
import sqlalchemy as sa
from commerce_samples import an_order, claim, open_shop
from sqlalchemy.engine import Engine

from adapters.persistence.sqlalchemy import SqlAlchemyUnitOfWork
from estate_core.shared.errors import InvalidInput
from estate_core.shared.ids import new_id
from estate_core.shared.pagination import PageRequest, encode_cursor

BROKEN = {
    "ck_products_price_positive": "UPDATE products SET price = 0",
    "ck_merchant_order_lines_unit_price_positive": "UPDATE merchant_order_lines SET unit_price = 0",
    "ck_merchant_order_lines_quantity_range": "UPDATE merchant_order_lines SET quantity = 1000",
    # With a coupon id, so only this rule is broken: SQLite names the first CHECK it finds
    # broken, and a table rebuilt by a batch migration lists its CHECKs in no fixed order.
    "ck_merchant_orders_discount_non_negative": (
        "UPDATE merchant_orders SET coupon_id = id, discount = -1"
    ),
    "ck_merchant_orders_discount_only_with_coupon": "UPDATE merchant_orders SET discount = 100",
    "ck_merchant_orders_state": "UPDATE merchant_orders SET state = 'lost'",
    "ck_merchant_orders_cancelled_when_cancelled": "UPDATE merchant_orders SET state = 'cancelled'",
    "ck_merchant_orders_deadline_only_online": (
        "UPDATE merchant_orders SET payment_deadline = placed_at"
    ),
    "ck_coupon_campaigns_stock_never_oversold": (
        "UPDATE coupon_campaigns SET claimed_count = total_stock + 1"
    ),
    "ck_coupon_campaigns_discount_terms": (
        "UPDATE coupon_campaigns SET discount_kind = 'percentage'"
    ),
    "ck_coupons_redeemed_when_redeemed": "UPDATE coupons SET state = 'redeemed'",
    "ck_coupons_discount_minimum_spend_non_negative": (
        "UPDATE coupons SET discount_minimum_spend = -1"
    ),
    "ck_coupons_serial_positive": "UPDATE coupons SET serial = 0",
}


def test_each_commerce_check_constraint_refuses_a_row_breaking_its_rule(
    engine: Engine, make_uow: Callable[[UUID], SqlAlchemyUnitOfWork], tenant_id: UUID
) -> None:
    shop = open_shop(make_uow, tenant_id)
    with make_uow(tenant_id) as uow:
        uow.merchant_orders.add(an_order(shop))
        uow.coupons.add(claim(uow.coupon_campaigns.get(shop.campaign.id), shop.resident.id))
        uow.commit()
    for constraint, statement in BROKEN.items():
        with pytest.raises(sa.exc.IntegrityError, match=constraint), engine.begin() as connection:
            connection.execute(sa.text(statement))


def test_a_cursor_whose_time_is_not_an_instant_is_refused(
    make_uow: Callable[[UUID], SqlAlchemyUnitOfWork], tenant_id: UUID
) -> None:
    shop = open_shop(make_uow, tenant_id)
    with make_uow(tenant_id) as uow:
        for raw in ("2026-03-15T02:00:00", "yesterday", 20260315):
            cursor = encode_cursor([raw, str(new_id())])
            with pytest.raises(InvalidInput) as raised:
                uow.coupons.list_for_resident(shop.resident.id, PageRequest(after=cursor))
            assert raised.value.code == "page.invalid_cursor"
