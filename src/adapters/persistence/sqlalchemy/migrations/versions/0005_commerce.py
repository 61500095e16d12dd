"""Commerce: merchants 商家, products, orders 商家订单, coupon campaigns and coupons 优惠券.

Revision ID: 0005
Revises: 0004
Create Date: 2026-03-16

Written by hand (see ``tables/commerce.py`` for why each constraint and index exists): the
enums' CHECKs list their values; money is BIGINT fen with CHECKs on its sign; a discount's
CHECK keeps it fixed or percentage; the campaign's CHECK never lets ``claimed_count`` pass the
stock; the coupons' unique keys give each stock place and each limit place out once; the state
CHECKs keep orders and coupons in states the state machines reach.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIME = sa.DateTime(timezone=True)
PENDING_PAYMENT = "state = 'pending_payment'"
USABLE = "state = 'usable'"


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _sorted_text() -> sa.types.TypeEngine[str]:
    return sa.Text().with_variant(sa.Text(collation="C"), "postgresql")


def _check(table: str, name: str, condition: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(condition, name=op.f(f"ck_{table}_{name}"))


def _reference(
    table: str, column: str, target: str, *, within_aggregate: bool = False
) -> sa.ForeignKeyConstraint:
    """``(tenant_id, column)`` to ``target (tenant_id, id)``; see ``tenant_foreign_key``."""
    return sa.ForeignKeyConstraint(
        ["tenant_id", column],
        [f"{target}.tenant_id", f"{target}.id"],
        name=op.f(f"fk_{table}_tenant_id_{column}_{target}"),
        ondelete="CASCADE" if within_aggregate else None,
        deferrable=None if within_aggregate else True,
        initially=None if within_aggregate else "DEFERRED",
    )


def _discount(table: str) -> list[Any]:
    return [
        sa.Column("discount_kind", sa.String(32), nullable=False),
        sa.Column("discount_amount", sa.BigInteger(), nullable=True),
        sa.Column("discount_percent_off", sa.Numeric(5, 2), nullable=True),
        sa.Column("discount_cap", sa.BigInteger(), nullable=True),
        sa.Column("discount_minimum_spend", sa.BigInteger(), nullable=False),
        _check(table, "discount_kind", "discount_kind IN ('fixed', 'percentage')"),
        _check(
            table,
            "discount_terms",
            "(discount_kind = 'fixed' AND discount_amount > 0"
            " AND discount_percent_off IS NULL AND discount_cap IS NULL)"
            " OR (discount_kind = 'percentage' AND discount_amount IS NULL"
            " AND discount_percent_off > 0 AND discount_percent_off < 100 AND discount_cap > 0)",
        ),
        _check(table, "discount_minimum_spend_non_negative", "discount_minimum_spend >= 0"),
    ]


def _merchants() -> None:
    op.create_table(
        "merchants",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", _sorted_text(), nullable=False),
        sa.Column("contact", sa.Text(), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("tags", _json(), nullable=False),
        sa.Column("image", sa.Text(), nullable=False),
        sa.Column("phone", sa.Text(), nullable=False),
        sa.Column("qq", sa.String(12), nullable=False),
        sa.Column("intro", sa.Text(), nullable=False),
        sa.Column("recommendation", sa.Text(), nullable=False),
        sa.Column("special_services", _json(), nullable=False),
        sa.Column("opening_hours", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_merchants")),
    )
    op.create_table(
        "merchant_communities",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("merchant_id", sa.Uuid(), nullable=False),
        sa.Column("community_id", sa.Uuid(), nullable=False),
        sa.Column("merchant_name", _sorted_text(), nullable=False),
        sa.PrimaryKeyConstraint(
            "tenant_id", "merchant_id", "community_id", name=op.f("pk_merchant_communities")
        ),
        _reference("merchant_communities", "merchant_id", "merchants", within_aggregate=True),
    )
    op.create_index(
        "ix_merchant_communities_by_name",
        "merchant_communities",
        ["tenant_id", "community_id", "merchant_name", "merchant_id"],
    )
    op.create_table(
        "products",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("merchant_id", sa.Uuid(), nullable=False),
        sa.Column("name", _sorted_text(), nullable=False),
        sa.Column("price", sa.BigInteger(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_products")),
        _reference("products", "merchant_id", "merchants"),
        _check("products", "price_positive", "price > 0"),
    )
    op.create_index("ix_products_by_name", "products", ["tenant_id", "merchant_id", "name", "id"])


def _campaigns_and_coupons() -> None:
    op.create_table(
        "coupon_campaigns",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("issuer", sa.String(32), nullable=False),
        sa.Column("merchant_id", sa.Uuid(), nullable=False),
        *_discount("coupon_campaigns"),
        sa.Column("valid_from", UTC_TIME, nullable=False),
        sa.Column("valid_until", UTC_TIME, nullable=False),
        sa.Column("total_stock", sa.Integer(), nullable=False),
        sa.Column("per_resident_limit", sa.Integer(), nullable=False),
        sa.Column("claimed_count", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_coupon_campaigns")),
        _reference("coupon_campaigns", "merchant_id", "merchants"),
        _check("coupon_campaigns", "issuer", "issuer IN ('merchant', 'property')"),
        _check("coupon_campaigns", "state", "state IN ('active', 'stopped')"),
        _check("coupon_campaigns", "total_stock_positive", "total_stock >= 1"),
        _check("coupon_campaigns", "per_resident_limit_positive", "per_resident_limit >= 1"),
        _check(
            "coupon_campaigns",
            "stock_never_oversold",
            "claimed_count >= 0 AND claimed_count <= total_stock",
        ),
        _check("coupon_campaigns", "window_ordered", "valid_from < valid_until"),
    )
    op.create_table(
        "campaign_communities",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("community_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint(
            "tenant_id", "campaign_id", "community_id", name=op.f("pk_campaign_communities")
        ),
        _reference(
            "campaign_communities", "campaign_id", "coupon_campaigns", within_aggregate=True
        ),
    )
    op.create_index(
        "ix_campaign_communities_by_community",
        "campaign_communities",
        ["tenant_id", "community_id", "campaign_id"],
    )
    op.create_table(
        "coupons",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("resident_id", sa.Uuid(), nullable=False),
        sa.Column("merchant_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        *_discount("coupons"),
        sa.Column("valid_from", UTC_TIME, nullable=False),
        sa.Column("valid_until", UTC_TIME, nullable=False),
        sa.Column("serial", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("claimed_at", UTC_TIME, nullable=False),
        sa.Column("redeemed_at", UTC_TIME, nullable=True),
        sa.Column("redeemed_by", sa.Uuid(), nullable=True),
        sa.Column("order_id", sa.Uuid(), nullable=True),
        sa.Column("expired_at", UTC_TIME, nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_coupons")),
        sa.UniqueConstraint("tenant_id", "code", name=op.f("uq_coupons_tenant_id_code")),
        sa.UniqueConstraint(
            "tenant_id",
            "campaign_id",
            "serial",
            name=op.f("uq_coupons_tenant_id_campaign_id_serial"),
        ),
        sa.UniqueConstraint(
            "tenant_id",
            "campaign_id",
            "resident_id",
            "sequence",
            name=op.f("uq_coupons_tenant_id_campaign_id_resident_id_sequence"),
        ),
        _reference("coupons", "campaign_id", "coupon_campaigns"),
        _reference("coupons", "resident_id", "residents"),
        _reference("coupons", "merchant_id", "merchants"),
        _check("coupons", "state", "state IN ('usable', 'redeemed', 'expired')"),
        _check("coupons", "serial_positive", "serial >= 1"),
        _check("coupons", "sequence_positive", "sequence >= 1"),
        _check("coupons", "window_ordered", "valid_from < valid_until"),
        _check(
            "coupons", "redeemed_when_redeemed", "(state = 'redeemed') = (redeemed_at IS NOT NULL)"
        ),
        _check(
            "coupons",
            "redemption_only_when_redeemed",
            "state = 'redeemed' OR (redeemed_by IS NULL AND order_id IS NULL)",
        ),
        _check("coupons", "expired_when_expired", "(state = 'expired') = (expired_at IS NOT NULL)"),
    )
    op.create_index(
        "ix_coupons_by_resident", "coupons", ["tenant_id", "resident_id", "claimed_at", "id"]
    )
    op.create_index(
        "ix_coupons_usable_until",
        "coupons",
        ["tenant_id", "valid_until", "id"],
        sqlite_where=sa.text(USABLE),
        postgresql_where=sa.text(USABLE),
    )


def _orders() -> None:
    op.create_table(
        "merchant_orders",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("community_id", sa.Uuid(), nullable=False),
        sa.Column("merchant_id", sa.Uuid(), nullable=False),
        sa.Column("resident_id", sa.Uuid(), nullable=False),
        sa.Column("property_id", sa.Uuid(), nullable=False),
        sa.Column("delivery_address", sa.Text(), nullable=False),
        sa.Column("payment_method", sa.String(32), nullable=False),
        sa.Column("coupon_id", sa.Uuid(), nullable=True),
        sa.Column("discount", sa.BigInteger(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("placed_at", UTC_TIME, nullable=False),
        sa.Column("payment_deadline", UTC_TIME, nullable=True),
        sa.Column("payment_id", sa.Uuid(), nullable=True),
        sa.Column("paid_at", UTC_TIME, nullable=True),
        sa.Column("delivery_started_at", UTC_TIME, nullable=True),
        sa.Column("completed_at", UTC_TIME, nullable=True),
        sa.Column("cancelled_at", UTC_TIME, nullable=True),
        sa.Column("cancelled_by", sa.String(32), nullable=True),
        sa.Column("closed_at", UTC_TIME, nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_merchant_orders")),
        _reference("merchant_orders", "merchant_id", "merchants"),
        _reference("merchant_orders", "resident_id", "residents"),
        _reference("merchant_orders", "property_id", "properties"),
        _reference("merchant_orders", "coupon_id", "coupons"),
        _check("merchant_orders", "payment_method", "payment_method IN ('cod', 'online')"),
        _check(
            "merchant_orders",
            "state",
            "state IN ('pending_payment', 'pending_delivery', 'delivering', 'completed', "
            "'cancelled', 'closed')",
        ),
        _check("merchant_orders", "cancelled_by", "cancelled_by IN ('resident', 'staff')"),
        _check("merchant_orders", "discount_non_negative", "discount >= 0"),
        _check(
            "merchant_orders",
            "discount_only_with_coupon",
            "coupon_id IS NOT NULL OR discount = 0",
        ),
        _check(
            "merchant_orders",
            "deadline_only_online",
            "(payment_method = 'online') = (payment_deadline IS NOT NULL)",
        ),
        _check(
            "merchant_orders",
            "awaiting_payment_only_online",
            "state <> 'pending_payment' OR payment_method = 'online'",
        ),
        _check("merchant_orders", "payment_complete", "(payment_id IS NULL) = (paid_at IS NULL)"),
        _check(
            "merchant_orders",
            "cancelled_when_cancelled",
            "(state = 'cancelled') = (cancelled_at IS NOT NULL)",
        ),
        _check(
            "merchant_orders",
            "cancellation_complete",
            "(cancelled_at IS NULL) = (cancelled_by IS NULL)",
        ),
        _check(
            "merchant_orders", "closed_when_closed", "(state = 'closed') = (closed_at IS NOT NULL)"
        ),
    )
    for name, column in (
        ("ix_merchant_orders_by_resident", "resident_id"),
        ("ix_merchant_orders_by_merchant", "merchant_id"),
        ("ix_merchant_orders_by_community", "community_id"),
    ):
        op.create_index(name, "merchant_orders", ["tenant_id", column, "placed_at", "id"])
    op.create_index(
        "ix_merchant_orders_payment_due",
        "merchant_orders",
        ["tenant_id", "payment_deadline", "id"],
        sqlite_where=sa.text(PENDING_PAYMENT),
        postgresql_where=sa.text(PENDING_PAYMENT),
    )
    op.create_table(
        "merchant_order_lines",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("unit_price", sa.BigInteger(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "tenant_id", "order_id", "line_no", name=op.f("pk_merchant_order_lines")
        ),
        _reference("merchant_order_lines", "order_id", "merchant_orders", within_aggregate=True),
        _reference("merchant_order_lines", "product_id", "products"),
        _check("merchant_order_lines", "line_no_positive", "line_no >= 1"),
        _check("merchant_order_lines", "unit_price_positive", "unit_price > 0"),
        _check("merchant_order_lines", "quantity_range", "quantity BETWEEN 1 AND 999"),
    )


def upgrade() -> None:
    _merchants()
    _campaigns_and_coupons()
    _orders()


def downgrade() -> None:
    for table in (
        "merchant_order_lines",
        "merchant_orders",
        "coupons",
        "campaign_communities",
        "coupon_campaigns",
        "products",
        "merchant_communities",
        "merchants",
    ):
        op.drop_table(table)
