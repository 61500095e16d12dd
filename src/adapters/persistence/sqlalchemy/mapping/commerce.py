"""Mapping of the commerce context: Merchant, Product, MerchantOrder, CouponCampaign, Coupon.

- ``Merchant.community_ids`` and ``CouponCampaign.community_ids`` (lists of ids) are association
  proxies over one row per community; they come back sorted (they mean sets: every use case
  reads them as such).
- ``MerchantOrder.lines`` (frozen ``OrderLine`` values) is a proxy over ``merchant_order_lines``
  rows numbered 1, 2, ... in the order's own order (``line_no``, kept by an ordering list).
- ``discount`` of a campaign and of a coupon is a composite of its five ``discount_*`` columns.
- A merchant's name is copied into its community rows, which the community's merchant list
  sorts on: the row takes it when written, and a renamed merchant's rows follow in the same
  flush (mapper events of this module, gone with the mappers in ``clear_mappers``).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.ext.orderinglist import ordering_list
from sqlalchemy.orm import Mapper, registry, relationship

from adapters.persistence.sqlalchemy.mapping.support import (
    VERSION_ATTRIBUTE,
    attrs_composite,
    register_child_rows,
    value_list,
)
from adapters.persistence.sqlalchemy.tables.commerce import (
    campaign_communities,
    coupon_campaigns,
    coupons,
    merchant_communities,
    merchant_order_lines,
    merchant_orders,
    merchants,
    products,
)
from adapters.persistence.sqlalchemy.tables.order_refunds import order_refunds
from estate_core.commerce.campaign import CouponCampaign
from estate_core.commerce.coupon import Coupon
from estate_core.commerce.discount import Discount
from estate_core.commerce.merchant import Merchant, Product
from estate_core.commerce.order import MerchantOrder, OrderLine
from estate_core.commerce.order_refund import OrderRefund


class MerchantCommunityRow:
    """A ``merchant_communities`` row: one community the merchant serves."""

    value: UUID
    merchant: Merchant
    merchant_name: str

    def __init__(self, value: UUID) -> None:
        self.value = value


class CampaignCommunityRow:
    """A ``campaign_communities`` row: one community the campaign targets."""

    value: UUID
    campaign: CouponCampaign

    def __init__(self, value: UUID) -> None:
        self.value = value


class OrderLineRow:
    """A ``merchant_order_lines`` row; the domain only ever sees the frozen ``OrderLine``."""

    value: OrderLine
    order: MerchantOrder
    line_no: int

    def __init__(self, value: OrderLine) -> None:
        self.value = value


def _discount(table: sa.Table) -> Any:
    c = table.c
    return attrs_composite(
        Discount,
        c.discount_kind,
        c.discount_amount,
        c.discount_percent_off,
        c.discount_cap,
        c.discount_minimum_spend,
    )


def _discount_columns(table: sa.Table) -> dict[str, Any]:
    """The discount's columns under private names: the domain sees only ``discount``."""
    return {f"_{column.name}": column for column in table.c if column.name.startswith("discount_")}


def _copy_merchant_name(mapper: Mapper[Any], connection: sa.Connection, row: Any) -> None:
    row.merchant_name = row.merchant.name


def _rename_community_rows(mapper: Mapper[Any], connection: sa.Connection, merchant: Any) -> None:
    if not sa.inspect(merchant).attrs.name.history.has_changes():
        return
    link = merchant_communities.c
    connection.execute(
        merchant_communities.update()
        .where(link.tenant_id == merchant.tenant_id, link.merchant_id == merchant.id)
        .values(merchant_name=merchant.name)
    )


def _map_merchants(mappers: registry) -> None:
    rows = mappers.map_imperatively(
        MerchantCommunityRow,
        merchant_communities,
        properties={
            "value": merchant_communities.c.community_id,
            "merchant": relationship(Merchant, back_populates="_community_rows"),
        },
    )
    merchant = mappers.map_imperatively(
        Merchant,
        merchants,
        version_id_col=merchants.c.version,
        properties={
            VERSION_ATTRIBUTE: merchants.c.version,
            "_community_rows": relationship(
                MerchantCommunityRow,
                back_populates="merchant",
                cascade="all, delete-orphan",
                passive_deletes=True,
                lazy="selectin",
                order_by=merchant_communities.c.community_id,
            ),
        },
    )
    value_list(Merchant, "community_ids", "_community_rows", MerchantCommunityRow)
    register_child_rows(MerchantCommunityRow, "merchant")
    event.listen(rows, "before_insert", _copy_merchant_name)
    event.listen(rows, "before_update", _copy_merchant_name)
    event.listen(merchant, "after_update", _rename_community_rows)
    mappers.map_imperatively(
        Product,
        products,
        version_id_col=products.c.version,
        properties={VERSION_ATTRIBUTE: products.c.version},
    )


def _map_orders(mappers: registry) -> None:
    lines = merchant_order_lines.c
    mappers.map_imperatively(
        OrderLineRow,
        merchant_order_lines,
        properties={
            "value": attrs_composite(
                OrderLine, lines.product_id, lines.name, lines.unit_price, lines.quantity
            ),
            "order": relationship(MerchantOrder, back_populates="_line_rows"),
        },
    )
    mappers.map_imperatively(
        MerchantOrder,
        merchant_orders,
        version_id_col=merchant_orders.c.version,
        properties={
            VERSION_ATTRIBUTE: merchant_orders.c.version,
            "_line_rows": relationship(
                OrderLineRow,
                back_populates="order",
                cascade="all, delete-orphan",
                passive_deletes=True,
                lazy="selectin",
                order_by=lines.line_no,
                collection_class=ordering_list("line_no", count_from=1),
            ),
        },
    )
    value_list(MerchantOrder, "lines", "_line_rows", OrderLineRow)
    register_child_rows(OrderLineRow, "order")


def _map_coupons(mappers: registry) -> None:
    mappers.map_imperatively(
        CampaignCommunityRow,
        campaign_communities,
        properties={
            "value": campaign_communities.c.community_id,
            "campaign": relationship(CouponCampaign, back_populates="_community_rows"),
        },
    )
    mappers.map_imperatively(
        CouponCampaign,
        coupon_campaigns,
        version_id_col=coupon_campaigns.c.version,
        properties={
            VERSION_ATTRIBUTE: coupon_campaigns.c.version,
            **_discount_columns(coupon_campaigns),
            "discount": _discount(coupon_campaigns),
            "_community_rows": relationship(
                CampaignCommunityRow,
                back_populates="campaign",
                cascade="all, delete-orphan",
                passive_deletes=True,
                lazy="selectin",
                order_by=campaign_communities.c.community_id,
            ),
        },
    )
    value_list(CouponCampaign, "community_ids", "_community_rows", CampaignCommunityRow)
    register_child_rows(CampaignCommunityRow, "campaign")
    mappers.map_imperatively(
        Coupon,
        coupons,
        version_id_col=coupons.c.version,
        properties={
            VERSION_ATTRIBUTE: coupons.c.version,
            **_discount_columns(coupons),
            "discount": _discount(coupons),
        },
    )


def _map_order_refunds(mappers: registry) -> None:
    mappers.map_imperatively(
        OrderRefund,
        order_refunds,
        version_id_col=order_refunds.c.version,
        properties={VERSION_ATTRIBUTE: order_refunds.c.version},
    )


def map_commerce(mappers: registry) -> None:
    _map_merchants(mappers)
    _map_orders(mappers)
    _map_coupons(mappers)
    _map_order_refunds(mappers)
