"""Billing: fee items 收费项目, bills 账单, meter readings 抄表, the prepayment 预缴 and public-fund
公共收支 ledgers, payments 支付单 with their allocations, refunds 退款 and surplus cases.

Revision ID: 0006
Revises: 0005
Create Date: 2026-03-16

Written by hand (``tables/billing.py`` and ``tables/payments.py`` say why each constraint and
index exists): the enums' CHECKs list their values; money is BIGINT fen with CHECKs on its
sign; the bill's and the payment's state CHECKs keep their fields in step with their status;
the unique keys are one bill per (property, fee item, period), one ``out_trade_no``, one
receipt number and one refund number per tenant. References go only to tables of revision 0001
(properties, residents) or of this one, so the revision applies whatever the other branches do.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIME = sa.DateTime(timezone=True)
RATE = sa.Numeric(12, 10)
UNPAID = "status = 'unpaid'"
SETTLED = "status IN ('paid', 'refunded')"
PENDING = "status = 'pending'"
REQUESTED = "status = 'requested'"


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _sort_text(length: int) -> sa.types.TypeEngine[str]:
    return sa.String(length).with_variant(sa.String(length, collation="C"), "postgresql")


def _check(table: str, name: str, condition: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(condition, name=op.f(f"ck_{table}_{name}"))


def _one_of(table: str, column: str, *values: str) -> sa.CheckConstraint:
    listed = ", ".join(f"'{value}'" for value in values)
    return _check(table, column, f"{column} IN ({listed})")


def _key(table: str, *columns: str) -> sa.UniqueConstraint:
    return sa.UniqueConstraint(*columns, name=op.f(f"uq_{table}_{'_'.join(columns)}"))


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


def _identity() -> list[Any]:
    return [
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
    ]


def _version_and_key(table: str) -> list[Any]:
    return [
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f(f"pk_{table}")),
    ]


def _list_row(table: str, parent_column: str) -> list[Any]:
    """The first columns and the key of a child table holding a list in its parent's order."""
    return [
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column(parent_column, sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", parent_column, "position", name=op.f(f"pk_{table}")),
        _check(table, "position_positive", "position >= 1"),
    ]


def _partial_index(name: str, table: str, columns: list[Any], where: str) -> None:
    op.create_index(
        name, table, columns, sqlite_where=sa.text(where), postgresql_where=sa.text(where)
    )


def _late_fee_terms(table: str, rate: str, cap: str) -> sa.CheckConstraint:
    return _check(
        table,
        "late_fee_terms",
        f"({rate} IS NULL AND {cap} IS NULL)"
        f" OR ({rate} > 0 AND {rate} < 1 AND ({cap} IS NULL OR {cap} > 0))",
    )


def _fee_items() -> None:
    t = "fee_items"
    op.create_table(
        t,
        *_identity(),
        sa.Column("community_id", sa.Uuid(), nullable=False),
        sa.Column("name", _sort_text(50), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("calculation", sa.String(32), nullable=False),
        sa.Column("unit_price", sa.Numeric(14, 4), nullable=False),
        sa.Column("property_kinds", _json(), nullable=False),
        sa.Column("cycle_months", sa.Integer(), nullable=False),
        sa.Column("first_period_start", sa.Date(), nullable=False),
        sa.Column("due_rule_kind", sa.String(32), nullable=False),
        sa.Column("due_rule_value", sa.Integer(), nullable=False),
        sa.Column("late_fee_daily_rate", RATE, nullable=True),
        sa.Column("late_fee_cap", sa.BigInteger(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        *_version_and_key(t),
        _key(t, "tenant_id", "community_id", "name"),
        _one_of(
            t,
            "category",
            "property_fee",
            "parking_fee",
            "water",
            "electricity",
            "maintenance_fund",
            "other",
        ),
        _one_of(t, "calculation", "per_area", "fixed", "metered"),
        _one_of(t, "due_rule_kind", "days_after_start", "day_of_month", "days_after_end"),
        _check(t, "unit_price_positive", "unit_price > 0"),
        _check(t, "cycle_months_allowed", "cycle_months IN (1, 3, 6, 12)"),
        _check(
            t,
            "due_rule_value_range",
            "(due_rule_kind = 'day_of_month' AND due_rule_value BETWEEN 1 AND 31)"
            " OR (due_rule_kind <> 'day_of_month' AND due_rule_value BETWEEN 0 AND 366)",
        ),
        _late_fee_terms(t, "late_fee_daily_rate", "late_fee_cap"),
    )


def _bills() -> None:
    t = "bills"
    op.create_table(
        t,
        *_identity(),
        sa.Column("community_id", sa.Uuid(), nullable=False),
        sa.Column("property_id", sa.Uuid(), nullable=False),
        sa.Column("fee_item_id", sa.Uuid(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("amount_due", sa.BigInteger(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("late_fee_rate", RATE, nullable=True),
        sa.Column("late_fee_cap", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("paid_by_payment_id", sa.Uuid(), nullable=True),
        sa.Column("amount_paid", sa.BigInteger(), nullable=False),
        sa.Column("paid_at", UTC_TIME, nullable=True),
        sa.Column("void_reason", sa.String(200), nullable=True),
        sa.Column("issued_at", UTC_TIME, nullable=True),
        sa.Column("paid_from_prepayment", sa.Boolean(), nullable=False),
        sa.Column("voided_at", UTC_TIME, nullable=True),
        sa.Column("refunded_at", UTC_TIME, nullable=True),
        *_version_and_key(t),
        _key(t, "tenant_id", "property_id", "fee_item_id", "period_start"),
        _reference(t, "property_id", "properties"),
        _reference(t, "fee_item_id", "fee_items"),
        _one_of(t, "status", "unpaid", "paid", "void", "refunded"),
        _check(t, "amount_due_positive", "amount_due > 0"),
        _check(t, "amount_paid_non_negative", "amount_paid >= 0"),
        _check(t, "period_ordered", "period_start <= period_end"),
        _late_fee_terms(t, "late_fee_rate", "late_fee_cap"),
        _check(
            t,
            "paid_when_paid",
            f"({SETTLED}) = (paid_at IS NOT NULL AND paid_by_payment_id IS NOT NULL)",
        ),
        _check(
            t,
            "amount_paid_matches_status",
            f"(NOT ({SETTLED}) OR amount_paid >= amount_due) AND ({SETTLED} OR amount_paid = 0)",
        ),
        _check(t, "prepayment_only_when_paid", f"{SETTLED} OR NOT paid_from_prepayment"),
        _check(
            t,
            "void_when_void",
            "(status = 'void') = (void_reason IS NOT NULL AND voided_at IS NOT NULL)",
        ),
        _check(t, "refunded_when_refunded", "(status = 'refunded') = (refunded_at IS NOT NULL)"),
    )
    _partial_index(
        "ix_bills_property_unpaid_by_due_date",
        t,
        ["tenant_id", "property_id", "due_date", "id"],
        UNPAID,
    )
    _partial_index(
        "ix_bills_property_unpaid_by_period",
        t,
        ["tenant_id", "property_id", "period_start", "id"],
        UNPAID,
    )
    _partial_index(
        "ix_bills_property_settled_by_paid_at",
        t,
        ["tenant_id", "property_id", sa.column("paid_at").desc(), "id"],
        SETTLED,
    )
    op.create_index(
        "ix_bills_community_by_period",
        t,
        ["tenant_id", "community_id", "period_start", "property_id", "id"],
    )
    op.create_index(
        "ix_bills_community_by_status_period",
        t,
        ["tenant_id", "community_id", "status", "period_start", "property_id", "id"],
    )
    _partial_index(
        "ix_bills_community_unpaid_by_due_date",
        t,
        ["tenant_id", "community_id", "due_date", "property_id"],
        UNPAID,
    )


def _readings_and_ledgers() -> None:
    t = "meter_readings"
    op.create_table(
        t,
        *_identity(),
        sa.Column("community_id", sa.Uuid(), nullable=False),
        sa.Column("property_id", sa.Uuid(), nullable=False),
        sa.Column("fee_item_id", sa.Uuid(), nullable=False),
        sa.Column("reading", sa.Numeric(14, 2), nullable=False),
        sa.Column("read_on", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.Uuid(), nullable=True),
        sa.Column("recorded_at", UTC_TIME, nullable=False),
        *_version_and_key(t),
        _key(t, "tenant_id", "property_id", "fee_item_id", "read_on"),
        _reference(t, "property_id", "properties"),
        _reference(t, "fee_item_id", "fee_items"),
        _check(t, "reading_non_negative", "reading >= 0"),
    )
    t = "prepayment_ledgers"
    op.create_table(
        t,
        *_identity(),
        sa.Column("community_id", sa.Uuid(), nullable=False),
        sa.Column("property_id", sa.Uuid(), nullable=False),
        sa.Column("balance", sa.BigInteger(), nullable=False),
        *_version_and_key(t),
        _key(t, "tenant_id", "property_id"),
        _reference(t, "property_id", "properties"),
        _check(t, "balance_non_negative", "balance >= 0"),
    )
    t = "prepayment_entries"
    op.create_table(
        t,
        *_list_row(t, "ledger_id"),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(200), nullable=False),
        sa.Column("reference_id", sa.Uuid(), nullable=True),
        sa.Column("at", UTC_TIME, nullable=False),
        _key(t, "tenant_id", "id"),
        _reference(t, "ledger_id", "prepayment_ledgers", within_aggregate=True),
        _one_of(t, "kind", "credit", "debit"),
        _check(t, "amount_positive", "amount > 0"),
    )
    t = "public_fund_ledgers"
    op.create_table(
        t,
        *_identity(),
        sa.Column("community_id", sa.Uuid(), nullable=False),
        *_version_and_key(t),
        _key(t, "tenant_id", "community_id"),
    )
    t = "public_fund_entries"
    op.create_table(
        t,
        *_list_row(t, "ledger_id"),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("category", sa.String(200), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("note", sa.String(200), nullable=False),
        sa.Column("entry_on", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.Uuid(), nullable=False),
        sa.Column("recorded_at", UTC_TIME, nullable=False),
        _key(t, "tenant_id", "id"),
        _reference(t, "ledger_id", "public_fund_ledgers", within_aggregate=True),
        _one_of(t, "kind", "income", "expense"),
        _check(t, "amount_positive", "amount > 0"),
    )


def _payments() -> None:
    t = "payments"
    op.create_table(
        t,
        *_identity(),
        sa.Column("community_id", sa.Uuid(), nullable=False),
        sa.Column("target", sa.String(32), nullable=False),
        sa.Column("property_id", sa.Uuid(), nullable=True),
        sa.Column("order_id", sa.Uuid(), nullable=True),
        sa.Column("payer_id", sa.Uuid(), nullable=True),
        sa.Column("cashier_id", sa.Uuid(), nullable=True),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("out_trade_no", sa.String(32), nullable=False),
        sa.Column("credit", sa.BigInteger(), nullable=False),
        sa.Column("merchant_app_id", sa.String(64), nullable=True),
        sa.Column("merchant_mch_id", sa.String(64), nullable=True),
        sa.Column("receipt_no", sa.String(32), nullable=True),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("expires_at", UTC_TIME, nullable=True),
        sa.Column("transaction_id", sa.String(64), nullable=True),
        sa.Column("succeeded_at", UTC_TIME, nullable=True),
        sa.Column("closed_at", UTC_TIME, nullable=True),
        sa.Column("close_reason", sa.String(32), nullable=True),
        *_version_and_key(t),
        _key(t, "tenant_id", "out_trade_no"),
        _key(t, "tenant_id", "receipt_no"),
        _reference(t, "property_id", "properties"),
        _reference(t, "payer_id", "residents"),
        _one_of(t, "target", "bills", "merchant_order", "prepayment_topup"),
        _one_of(
            t,
            "channel",
            "wechat_jsapi",
            "wechat_native",
            "wechat_h5",
            "alipay_wap",
            "alipay_page",
            "alipay_qr",
            "offline",
        ),
        _one_of(t, "status", "pending", "succeeded", "closed", "partially_refunded", "refunded"),
        _one_of(t, "close_reason", "timeout", "payer", "staff"),
        _check(t, "amount_positive", "amount > 0"),
        _check(t, "credit_non_negative", "credit >= 0"),
        _check(
            t,
            "target_shape",
            "(target = 'merchant_order') = (order_id IS NOT NULL AND property_id IS NULL)",
        ),
        _check(t, "order_has_no_credit", "target <> 'merchant_order' OR credit = 0"),
        _check(
            t,
            "offline_has_receipt",
            "(channel = 'offline') = (receipt_no IS NOT NULL AND cashier_id IS NOT NULL)",
        ),
        _check(
            t,
            "online_has_merchant",
            "(channel = 'offline') = (merchant_app_id IS NULL)"
            " AND (merchant_app_id IS NULL) = (merchant_mch_id IS NULL)",
        ),
        _check(t, "online_expires", "channel = 'offline' OR expires_at IS NOT NULL"),
        _check(
            t,
            "succeeded_when_settled",
            "(status IN ('pending', 'closed')) = (succeeded_at IS NULL)",
        ),
        _check(t, "close_complete", "(closed_at IS NULL) = (close_reason IS NULL)"),
        _check(t, "closed_when_closed", "status <> 'closed' OR closed_at IS NOT NULL"),
    )
    op.create_index(
        "ix_payments_by_property",
        t,
        ["tenant_id", "property_id", sa.column("created_at").desc(), "id"],
    )
    _partial_index(
        "ix_payments_pending_by_created_at", t, ["tenant_id", "created_at", "id"], PENDING
    )
    _partial_index(
        "ix_payments_pending_by_expires_at", t, ["tenant_id", "expires_at", "id"], PENDING
    )


def _payment_lists() -> None:
    t = "payment_allocations"
    op.create_table(
        t,
        *_list_row(t, "payment_id"),
        sa.Column("bill_id", sa.Uuid(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        _key(t, "tenant_id", "payment_id", "bill_id"),
        _reference(t, "payment_id", "payments", within_aggregate=True),
        _reference(t, "bill_id", "bills"),
        _check(t, "amount_positive", "amount > 0"),
    )
    t = "payment_refunds"
    op.create_table(
        t,
        *_list_row(t, "payment_id"),
        sa.Column("out_refund_no", sa.String(64), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(200), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("requested_by", sa.Uuid(), nullable=True),
        sa.Column("requested_at", UTC_TIME, nullable=False),
        sa.Column("finished_at", UTC_TIME, nullable=True),
        sa.Column("surplus", sa.Boolean(), nullable=False),
        sa.Column("from_prepayment", sa.BigInteger(), nullable=False),
        sa.Column("bill_shares", _json(), nullable=False),
        _key(t, "tenant_id", "out_refund_no"),
        _reference(t, "payment_id", "payments", within_aggregate=True),
        _one_of(t, "status", "requested", "succeeded", "failed"),
        _check(t, "amount_positive", "amount > 0"),
        _check(
            t,
            "from_prepayment_in_range",
            "from_prepayment >= 0 AND from_prepayment <= amount",
        ),
        _check(t, "finished_when_final", "(status = 'requested') = (finished_at IS NULL)"),
        _check(t, "surplus_not_from_prepayment", "NOT surplus OR from_prepayment = 0"),
    )
    _partial_index(
        "ix_payment_refunds_requested",
        t,
        ["tenant_id", "requested_at", "payment_id"],
        REQUESTED,
    )
    t = "payment_surplus"
    op.create_table(
        t,
        *_list_row(t, "payment_id"),
        sa.Column("bill_id", sa.Uuid(), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("cause", sa.String(200), nullable=False),
        sa.Column("resolution", sa.String(32), nullable=False),
        sa.Column("out_refund_no", sa.String(64), nullable=True),
        sa.Column("recorded_at", UTC_TIME, nullable=False),
        _key(t, "tenant_id", "payment_id", "bill_id"),
        _reference(t, "payment_id", "payments", within_aggregate=True),
        _one_of(t, "resolution", "refund", "prepayment"),
        _check(t, "amount_positive", "amount > 0"),
        _check(t, "refund_has_number", "(resolution = 'refund') = (out_refund_no IS NOT NULL)"),
    )


def upgrade() -> None:
    _fee_items()
    _bills()
    _readings_and_ledgers()
    _payments()
    _payment_lists()


def downgrade() -> None:
    for table in (
        "payment_surplus",
        "payment_refunds",
        "payment_allocations",
        "payments",
        "public_fund_entries",
        "public_fund_ledgers",
        "prepayment_entries",
        "prepayment_ledgers",
        "meter_readings",
        "bills",
        "fee_items",
    ):
        op.drop_table(table)
