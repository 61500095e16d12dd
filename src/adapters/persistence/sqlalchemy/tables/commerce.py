"""Tables of the commerce context: merchants, products, orders, coupon campaigns and coupons.

Lists of plain values that a query filters on become child tables: the communities a merchant
serves (``merchant_communities``) and a campaign targets (``campaign_communities``); an order's
lines (frozen ``OrderLine`` values, in order) are ``merchant_order_lines``. Tags and special
services are short lists never queried, so JSON columns. A ``Discount`` (value object) is five
columns of the campaign's or the coupon's row, with CHECKs that keep it a valid discount.

Free text the domain does not bound (names, addresses, notes) is TEXT, so no input is refused
by PostgreSQL that SQLite would take; text sorted by a keyset list uses collation "C" on
PostgreSQL, the order Python and SQLite use.

Constraints backing the invariants (issue 4):

- a coupon code is unique in the tenant; ``serial`` (its place in the campaign's stock) is
  unique per campaign and ``sequence`` (its place in the resident's claims) unique per campaign
  and resident, so even a racing claim cannot hand out a stock place or a limit place twice;
- ``claimed_count`` never passes ``total_stock`` (CHECK), and the claim path holds the campaign
  row (``SELECT ... FOR NO KEY UPDATE``) so concurrent claims queue instead of overselling;
- a coupon's state and its redemption fields agree (CHECKs), and its ``version`` lets only one
  of two concurrent redemptions commit;
- money is BIGINT fen, never negative (unit prices and fixed discounts above zero).

Indexes, each serving one query of ``repositories/commerce.py`` (tenant first, then the filter
columns, then the ORDER BY columns, so a keyset page costs the same at any depth):

- ``merchant_communities (tenant, community, merchant_name, merchant)``: 小区商家 by name. The
  merchant's name is copied into its community rows (kept in step by the mapping), since a
  community's merchants are listed by name;
- ``products (tenant, merchant, name, id)``: a merchant's products by name;
- ``merchant_orders (tenant, resident | merchant | community, placed_at, id)``: the three order
  lists; ``(tenant, payment_deadline, id) WHERE state = 'pending_payment'``: the worker's
  ``close_expired``, longest overdue first;
- ``campaign_communities (tenant, community, campaign)``: a community's campaigns;
- ``coupons (tenant, resident, claimed_at, id)``: 我的优惠券; ``(tenant, valid_until, id) WHERE
  state = 'usable'``: the worker's ``expire_coupons``; the unique key (tenant, campaign,
  resident, sequence) also counts a resident's claims.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.mutable import MutableList

from adapters.persistence.sqlalchemy.metadata import (
    id_column,
    metadata,
    partial_index,
    tenant_foreign_key,
    tenant_id_column,
    tenant_primary_key,
    version_column,
)
from adapters.persistence.sqlalchemy.types import ExactDecimal, MoneyType, UtcDateTime, str_enum
from estate_core.commerce.campaign import CampaignState, IssuerKind
from estate_core.commerce.coupon import CouponState
from estate_core.commerce.discount import DiscountKind
from estate_core.commerce.order import CancelledBy, OrderState, PaymentMethod

PENDING_PAYMENT = "state = 'pending_payment'"
"""Rows of the ``close_expired`` index: orders still awaiting their online payment."""

USABLE = "state = 'usable'"
"""Rows of the ``expire_coupons`` index: coupons not yet redeemed nor expired."""


def sorted_text() -> sa.types.TypeEngine[Any]:
    """Unbounded text that a keyset list sorts on: byte order (collation "C") on PostgreSQL."""
    return sa.Text().with_variant(sa.Text(collation="C"), "postgresql")


def _word_list(name: str) -> sa.Column[Any]:
    """A short list of words (tags, services), never queried: JSON, changes tracked in place."""
    document = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
    return sa.Column(name, MutableList.as_mutable(document), nullable=False)


def _discount_columns() -> list[Any]:
    """A ``Discount``: fixed 立减 (amount) or percentage 折扣 (percent off, up to a cap)."""
    return [
        sa.Column("discount_kind", str_enum(DiscountKind, "discount_kind"), nullable=False),
        sa.Column("discount_amount", MoneyType(), nullable=True),
        sa.Column("discount_percent_off", ExactDecimal(5, 2), nullable=True),
        sa.Column("discount_cap", MoneyType(), nullable=True),
        sa.Column("discount_minimum_spend", MoneyType(), nullable=False),
        sa.CheckConstraint(
            "(discount_kind = 'fixed' AND discount_amount > 0"
            " AND discount_percent_off IS NULL AND discount_cap IS NULL)"
            " OR (discount_kind = 'percentage' AND discount_amount IS NULL"
            " AND discount_percent_off > 0 AND discount_percent_off < 100 AND discount_cap > 0)",
            name="discount_terms",
        ),
        sa.CheckConstraint(
            "discount_minimum_spend >= 0", name="discount_minimum_spend_non_negative"
        ),
    ]


merchants = sa.Table(
    "merchants",
    metadata,
    tenant_id_column(),
    id_column(),
    sa.Column("name", sorted_text(), nullable=False),
    sa.Column("contact", sa.Text(), nullable=False),
    sa.Column("address", sa.Text(), nullable=False),
    _word_list("tags"),
    sa.Column("image", sa.Text(), nullable=False),
    sa.Column("phone", sa.Text(), nullable=False),
    sa.Column("qq", sa.String(12), nullable=False),
    sa.Column("intro", sa.Text(), nullable=False),
    sa.Column("recommendation", sa.Text(), nullable=False),
    _word_list("special_services"),
    sa.Column("opening_hours", sa.Text(), nullable=False),
    sa.Column("active", sa.Boolean(), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    version_column(),
    tenant_primary_key(),
)

merchant_communities = sa.Table(
    "merchant_communities",
    metadata,
    tenant_id_column(),
    sa.Column("merchant_id", sa.Uuid(), nullable=False),
    sa.Column("community_id", sa.Uuid(), nullable=False),
    sa.Column("merchant_name", sorted_text(), nullable=False),
    sa.PrimaryKeyConstraint("tenant_id", "merchant_id", "community_id"),
    tenant_foreign_key("merchant_id", "merchants", within_aggregate=True, ondelete="CASCADE"),
    sa.Index(
        "ix_merchant_communities_by_name",
        "tenant_id",
        "community_id",
        "merchant_name",
        "merchant_id",
    ),
)

products = sa.Table(
    "products",
    metadata,
    tenant_id_column(),
    id_column(),
    sa.Column("merchant_id", sa.Uuid(), nullable=False),
    sa.Column("name", sorted_text(), nullable=False),
    sa.Column("price", MoneyType(), nullable=False),
    sa.Column("description", sa.Text(), nullable=False),
    sa.Column("active", sa.Boolean(), nullable=False),
    version_column(),
    tenant_primary_key(),
    tenant_foreign_key("merchant_id", "merchants"),
    sa.CheckConstraint("price > 0", name="price_positive"),
    sa.Index("ix_products_by_name", "tenant_id", "merchant_id", "name", "id"),
)

merchant_orders = sa.Table(
    "merchant_orders",
    metadata,
    tenant_id_column(),
    id_column(),
    sa.Column("community_id", sa.Uuid(), nullable=False),
    sa.Column("merchant_id", sa.Uuid(), nullable=False),
    sa.Column("resident_id", sa.Uuid(), nullable=False),
    sa.Column("property_id", sa.Uuid(), nullable=False),
    sa.Column("delivery_address", sa.Text(), nullable=False),
    sa.Column("payment_method", str_enum(PaymentMethod, "payment_method"), nullable=False),
    sa.Column("coupon_id", sa.Uuid(), nullable=True),
    sa.Column("discount", MoneyType(), nullable=False),
    sa.Column("note", sa.Text(), nullable=False),
    sa.Column("state", str_enum(OrderState, "state"), nullable=False),
    sa.Column("placed_at", UtcDateTime(), nullable=False),
    sa.Column("payment_deadline", UtcDateTime(), nullable=True),
    sa.Column("payment_id", sa.Uuid(), nullable=True),
    sa.Column("paid_at", UtcDateTime(), nullable=True),
    sa.Column("delivery_started_at", UtcDateTime(), nullable=True),
    sa.Column("completed_at", UtcDateTime(), nullable=True),
    sa.Column("cancelled_at", UtcDateTime(), nullable=True),
    sa.Column("cancelled_by", str_enum(CancelledBy, "cancelled_by"), nullable=True),
    sa.Column("closed_at", UtcDateTime(), nullable=True),
    version_column(),
    tenant_primary_key(),
    tenant_foreign_key("merchant_id", "merchants"),
    tenant_foreign_key("resident_id", "residents"),
    tenant_foreign_key("property_id", "properties"),
    tenant_foreign_key("coupon_id", "coupons"),
    sa.CheckConstraint("discount >= 0", name="discount_non_negative"),
    sa.CheckConstraint("coupon_id IS NOT NULL OR discount = 0", name="discount_only_with_coupon"),
    sa.CheckConstraint(
        "(payment_method = 'online') = (payment_deadline IS NOT NULL)",
        name="deadline_only_online",
    ),
    sa.CheckConstraint(
        "state <> 'pending_payment' OR payment_method = 'online'",
        name="awaiting_payment_only_online",
    ),
    sa.CheckConstraint("(payment_id IS NULL) = (paid_at IS NULL)", name="payment_complete"),
    sa.CheckConstraint(
        "(state = 'cancelled') = (cancelled_at IS NOT NULL)", name="cancelled_when_cancelled"
    ),
    sa.CheckConstraint(
        "(cancelled_at IS NULL) = (cancelled_by IS NULL)", name="cancellation_complete"
    ),
    sa.CheckConstraint("(state = 'closed') = (closed_at IS NOT NULL)", name="closed_when_closed"),
    sa.Index("ix_merchant_orders_by_resident", "tenant_id", "resident_id", "placed_at", "id"),
    sa.Index("ix_merchant_orders_by_merchant", "tenant_id", "merchant_id", "placed_at", "id"),
    sa.Index("ix_merchant_orders_by_community", "tenant_id", "community_id", "placed_at", "id"),
    partial_index(
        "ix_merchant_orders_payment_due",
        "tenant_id",
        "payment_deadline",
        "id",
        where=PENDING_PAYMENT,
    ),
)

merchant_order_lines = sa.Table(
    "merchant_order_lines",
    metadata,
    tenant_id_column(),
    sa.Column("order_id", sa.Uuid(), nullable=False),
    sa.Column("line_no", sa.Integer(), nullable=False),
    sa.Column("product_id", sa.Uuid(), nullable=False),
    sa.Column("name", sa.Text(), nullable=False),
    sa.Column("unit_price", MoneyType(), nullable=False),
    sa.Column("quantity", sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint("tenant_id", "order_id", "line_no"),
    tenant_foreign_key("order_id", "merchant_orders", within_aggregate=True, ondelete="CASCADE"),
    tenant_foreign_key("product_id", "products"),
    sa.CheckConstraint("line_no >= 1", name="line_no_positive"),
    sa.CheckConstraint("unit_price > 0", name="unit_price_positive"),
    sa.CheckConstraint("quantity BETWEEN 1 AND 999", name="quantity_range"),
)

coupon_campaigns = sa.Table(
    "coupon_campaigns",
    metadata,
    tenant_id_column(),
    id_column(),
    sa.Column("title", sa.Text(), nullable=False),
    sa.Column("description", sa.Text(), nullable=False),
    sa.Column("issuer", str_enum(IssuerKind, "issuer"), nullable=False),
    sa.Column("merchant_id", sa.Uuid(), nullable=False),
    *_discount_columns(),
    sa.Column("valid_from", UtcDateTime(), nullable=False),
    sa.Column("valid_until", UtcDateTime(), nullable=False),
    sa.Column("total_stock", sa.Integer(), nullable=False),
    sa.Column("per_resident_limit", sa.Integer(), nullable=False),
    sa.Column("claimed_count", sa.Integer(), nullable=False),
    sa.Column("state", str_enum(CampaignState, "state"), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("created_by", sa.Uuid(), nullable=True),
    version_column(),
    tenant_primary_key(),
    tenant_foreign_key("merchant_id", "merchants"),
    sa.CheckConstraint("total_stock >= 1", name="total_stock_positive"),
    sa.CheckConstraint("per_resident_limit >= 1", name="per_resident_limit_positive"),
    sa.CheckConstraint(
        "claimed_count >= 0 AND claimed_count <= total_stock", name="stock_never_oversold"
    ),
    sa.CheckConstraint("valid_from < valid_until", name="window_ordered"),
)

campaign_communities = sa.Table(
    "campaign_communities",
    metadata,
    tenant_id_column(),
    sa.Column("campaign_id", sa.Uuid(), nullable=False),
    sa.Column("community_id", sa.Uuid(), nullable=False),
    sa.PrimaryKeyConstraint("tenant_id", "campaign_id", "community_id"),
    tenant_foreign_key(
        "campaign_id", "coupon_campaigns", within_aggregate=True, ondelete="CASCADE"
    ),
    sa.Index("ix_campaign_communities_by_community", "tenant_id", "community_id", "campaign_id"),
)

coupons = sa.Table(
    "coupons",
    metadata,
    tenant_id_column(),
    id_column(),
    sa.Column("campaign_id", sa.Uuid(), nullable=False),
    sa.Column("resident_id", sa.Uuid(), nullable=False),
    sa.Column("merchant_id", sa.Uuid(), nullable=False),
    sa.Column("code", sa.String(32), nullable=False),
    *_discount_columns(),
    sa.Column("valid_from", UtcDateTime(), nullable=False),
    sa.Column("valid_until", UtcDateTime(), nullable=False),
    sa.Column("serial", sa.Integer(), nullable=False),
    sa.Column("sequence", sa.Integer(), nullable=False),
    sa.Column("state", str_enum(CouponState, "state"), nullable=False),
    sa.Column("claimed_at", UtcDateTime(), nullable=False),
    sa.Column("redeemed_at", UtcDateTime(), nullable=True),
    sa.Column("redeemed_by", sa.Uuid(), nullable=True),
    sa.Column("order_id", sa.Uuid(), nullable=True),
    sa.Column("expired_at", UtcDateTime(), nullable=True),
    version_column(),
    tenant_primary_key(),
    sa.UniqueConstraint("tenant_id", "code"),
    sa.UniqueConstraint("tenant_id", "campaign_id", "serial"),
    sa.UniqueConstraint("tenant_id", "campaign_id", "resident_id", "sequence"),
    tenant_foreign_key("campaign_id", "coupon_campaigns"),
    tenant_foreign_key("resident_id", "residents"),
    tenant_foreign_key("merchant_id", "merchants"),
    sa.CheckConstraint("serial >= 1", name="serial_positive"),
    sa.CheckConstraint("sequence >= 1", name="sequence_positive"),
    sa.CheckConstraint("valid_from < valid_until", name="window_ordered"),
    sa.CheckConstraint(
        "(state = 'redeemed') = (redeemed_at IS NOT NULL)", name="redeemed_when_redeemed"
    ),
    sa.CheckConstraint(
        "state = 'redeemed' OR (redeemed_by IS NULL AND order_id IS NULL)",
        name="redemption_only_when_redeemed",
    ),
    sa.CheckConstraint(
        "(state = 'expired') = (expired_at IS NOT NULL)", name="expired_when_expired"
    ),
    sa.Index("ix_coupons_by_resident", "tenant_id", "resident_id", "claimed_at", "id"),
    partial_index(
        "ix_coupons_usable_until",
        "tenant_id",
        "valid_until",
        "id",
        where=USABLE,
    ),
)
