"""Tables of payments 支付单 (billing context): the payment and its allocations, refunds and
surplus cases, each list a child table in the payment's own order (``position``).

A refund's bill shares (what it takes back from each bill, for income reports by fee item) are
a short JSON list of its row: written once with the refund, read only with it.

Constraints backing the invariants (issue 4):

- ``out_trade_no`` 商户订单号 is unique in the tenant, and so is an offline ``receipt_no`` 收据号;
- a refund number ``out_refund_no`` 退款单号 is unique in the tenant across all payments: the
  gateway refunds one number once per merchant, so a number reused on another payment would
  be refused there (the aggregate can only check its own refunds; this key closes the gap);
- a bill appears once in a payment, a surplus is recorded once per bill;
- money is BIGINT fen: a payment and its parts above zero, its credit and a refund's
  prepayment part never negative; a refund never takes back more than itself;
- the shape (bills / top-up / order; online with a merchant and an expiry, offline with a
  cashier and a receipt) and the status fields agree, as ``check_shape`` and the transition
  table say; ``version`` lets one of two concurrent changes commit, and settlement loads the
  row ``FOR UPDATE`` (``repositories/payments.py``).

Indexes, each serving a query of ``repositories/payments.py``: ``(tenant, property, created_at
DESC, id)`` a home's payments 缴费记录, newest first; ``(tenant, created_at, id) WHERE
pending`` the worker's query of payments whose notification never came; ``(tenant, expires_at,
id) WHERE pending`` the worker's 超时关单; ``payment_refunds (tenant, requested_at, payment) WHERE
requested`` the worker's query of refunds awaiting their result; ``(tenant, succeeded_at)`` and
``payment_refunds (tenant, finished_at)`` the payments and refunds done in a day, which that
day's statement must list (对账, revision 0010).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect

from adapters.persistence.sqlalchemy.metadata import (
    CONFLICT_CODE,
    id_column,
    metadata,
    partial_index,
    tenant_foreign_key,
    tenant_id_column,
    tenant_primary_key,
    version_column,
)
from adapters.persistence.sqlalchemy.types import MoneyType, UtcDateTime, str_enum
from estate_core.identity.model import SurplusPolicy
from estate_core.payments.allocation import Allocation
from estate_core.payments.refund import RefundStatus
from estate_core.payments.values import (
    CloseReason,
    PaymentChannel,
    PaymentStatus,
    PaymentTarget,
)
from estate_core.shared.money import Money

TEXT_MAX = 200
NUMBER_MAX = 64
"""Gateway numbers: out_trade_no (6–32), out_refund_no (1–64), transaction ids, merchant ids."""

PENDING = "status = 'pending'"
"""Rows of the worker's indexes: payments still waiting for their money."""

REQUESTED = "status = 'requested'"
"""Rows of the worker's refund index: refunds still waiting for the gateway's answer."""


class AllocationList(sa.types.TypeDecorator[tuple[Allocation, ...]]):
    """A tuple of ``Allocation`` as JSON ``[{"bill_id": "...", "fen": 123}, ...]``."""

    impl = sa.JSON
    cache_ok = True
    alembic_render = 'sa.JSON().with_variant(postgresql.JSONB(), "postgresql")'

    def load_dialect_impl(self, dialect: Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.JSONB(none_as_null=True))
        return dialect.type_descriptor(sa.JSON(none_as_null=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        return [{"bill_id": str(a.bill_id), "fen": a.amount.fen} for a in value]

    def process_result_value(self, value: Any, dialect: Dialect) -> tuple[Allocation, ...] | None:
        if value is None:
            return None
        return tuple(
            Allocation(bill_id=UUID(item["bill_id"]), amount=Money(item["fen"])) for item in value
        )


payments = sa.Table(
    "payments",
    metadata,
    tenant_id_column(),
    id_column(),
    sa.Column("community_id", sa.Uuid(), nullable=False),
    sa.Column("target", str_enum(PaymentTarget, "target"), nullable=False),
    sa.Column("property_id", sa.Uuid(), nullable=True),
    sa.Column("order_id", sa.Uuid(), nullable=True),
    sa.Column("payer_id", sa.Uuid(), nullable=True),
    sa.Column("cashier_id", sa.Uuid(), nullable=True),
    sa.Column("channel", str_enum(PaymentChannel, "channel"), nullable=False),
    sa.Column("amount", MoneyType(), nullable=False),
    sa.Column("out_trade_no", sa.String(32), nullable=False),
    sa.Column("credit", MoneyType(), nullable=False),
    sa.Column("merchant_app_id", sa.String(NUMBER_MAX), nullable=True),
    sa.Column("merchant_mch_id", sa.String(NUMBER_MAX), nullable=True),
    sa.Column("merchant_sub_mch_id", sa.String(NUMBER_MAX), nullable=True),
    sa.Column("receipt_no", sa.String(32), nullable=True),
    sa.Column("status", str_enum(PaymentStatus, "status"), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("expires_at", UtcDateTime(), nullable=True),
    sa.Column("transaction_id", sa.String(NUMBER_MAX), nullable=True),
    sa.Column("succeeded_at", UtcDateTime(), nullable=True),
    sa.Column("closed_at", UtcDateTime(), nullable=True),
    sa.Column("close_reason", str_enum(CloseReason, "close_reason"), nullable=True),
    version_column(),
    tenant_primary_key(),
    sa.UniqueConstraint("tenant_id", "out_trade_no"),
    sa.UniqueConstraint("tenant_id", "receipt_no"),
    tenant_foreign_key("property_id", "properties"),
    tenant_foreign_key("payer_id", "residents"),
    sa.CheckConstraint("amount > 0", name="amount_positive"),
    sa.CheckConstraint("credit >= 0", name="credit_non_negative"),
    sa.CheckConstraint(
        "(target = 'merchant_order') = (order_id IS NOT NULL AND property_id IS NULL)",
        name="target_shape",
    ),
    sa.CheckConstraint("target <> 'merchant_order' OR credit = 0", name="order_has_no_credit"),
    sa.CheckConstraint(
        "(channel = 'offline') = (receipt_no IS NOT NULL AND cashier_id IS NOT NULL)",
        name="offline_has_receipt",
    ),
    sa.CheckConstraint(
        "(channel = 'offline') = (merchant_app_id IS NULL)"
        " AND (merchant_app_id IS NULL) = (merchant_mch_id IS NULL)",
        name="online_has_merchant",
    ),
    sa.CheckConstraint(
        "merchant_sub_mch_id IS NULL OR merchant_app_id IS NOT NULL",
        name="sub_merchant_of_merchant",
    ),
    sa.CheckConstraint("channel = 'offline' OR expires_at IS NOT NULL", name="online_expires"),
    sa.CheckConstraint(
        "(status IN ('pending', 'closed')) = (succeeded_at IS NULL)",
        name="succeeded_when_settled",
    ),
    sa.CheckConstraint("(closed_at IS NULL) = (close_reason IS NULL)", name="close_complete"),
    sa.CheckConstraint("status <> 'closed' OR closed_at IS NOT NULL", name="closed_when_closed"),
    partial_index(
        "ix_payments_pending_by_created_at",
        "tenant_id",
        "created_at",
        "id",
        where=PENDING,
    ),
    partial_index(
        "ix_payments_pending_by_expires_at",
        "tenant_id",
        "expires_at",
        "id",
        where=PENDING,
    ),
)
sa.Index("ix_payments_by_succeeded_at", payments.c.tenant_id, payments.c.succeeded_at)
sa.Index(
    "ix_payments_by_property",
    payments.c.tenant_id,
    payments.c.property_id,
    payments.c.created_at.desc(),
    payments.c.id,
)

payment_allocations = sa.Table(
    "payment_allocations",
    metadata,
    tenant_id_column(),
    sa.Column("payment_id", sa.Uuid(), nullable=False),
    sa.Column("position", sa.Integer(), nullable=False),
    sa.Column("bill_id", sa.Uuid(), nullable=False),
    sa.Column("amount", MoneyType(), nullable=False),
    sa.PrimaryKeyConstraint("tenant_id", "payment_id", "position"),
    sa.UniqueConstraint("tenant_id", "payment_id", "bill_id"),
    tenant_foreign_key("payment_id", "payments", within_aggregate=True, ondelete="CASCADE"),
    tenant_foreign_key("bill_id", "bills"),
    sa.CheckConstraint("position >= 1", name="position_positive"),
    sa.CheckConstraint("amount > 0", name="amount_positive"),
)

payment_refunds = sa.Table(
    "payment_refunds",
    metadata,
    tenant_id_column(),
    sa.Column("payment_id", sa.Uuid(), nullable=False),
    sa.Column("position", sa.Integer(), nullable=False),
    sa.Column("out_refund_no", sa.String(NUMBER_MAX), nullable=False),
    sa.Column("amount", MoneyType(), nullable=False),
    sa.Column("reason", sa.String(TEXT_MAX), nullable=False),
    sa.Column("status", str_enum(RefundStatus, "status"), nullable=False),
    sa.Column("requested_by", sa.Uuid(), nullable=True),
    sa.Column("requested_at", UtcDateTime(), nullable=False),
    sa.Column("finished_at", UtcDateTime(), nullable=True),
    sa.Column("surplus", sa.Boolean(), nullable=False),
    sa.Column("from_prepayment", MoneyType(), nullable=False),
    sa.Column("bill_shares", AllocationList(), nullable=False),
    sa.PrimaryKeyConstraint("tenant_id", "payment_id", "position"),
    sa.UniqueConstraint(
        "tenant_id", "out_refund_no", info={CONFLICT_CODE: "payment.refund_no_reused"}
    ),
    tenant_foreign_key("payment_id", "payments", within_aggregate=True, ondelete="CASCADE"),
    sa.CheckConstraint("position >= 1", name="position_positive"),
    sa.CheckConstraint("amount > 0", name="amount_positive"),
    sa.CheckConstraint(
        "from_prepayment >= 0 AND from_prepayment <= amount", name="from_prepayment_in_range"
    ),
    sa.CheckConstraint(
        "(status = 'requested') = (finished_at IS NULL)", name="finished_when_final"
    ),
    sa.CheckConstraint("NOT surplus OR from_prepayment = 0", name="surplus_not_from_prepayment"),
    partial_index(
        "ix_payment_refunds_requested",
        "tenant_id",
        "requested_at",
        "payment_id",
        where=REQUESTED,
    ),
    sa.Index("ix_payment_refunds_by_finished_at", "tenant_id", "finished_at"),
)

payment_surplus = sa.Table(
    "payment_surplus",
    metadata,
    tenant_id_column(),
    sa.Column("payment_id", sa.Uuid(), nullable=False),
    sa.Column("position", sa.Integer(), nullable=False),
    sa.Column("bill_id", sa.Uuid(), nullable=True),
    sa.Column("amount", MoneyType(), nullable=False),
    sa.Column("cause", sa.String(TEXT_MAX), nullable=False),
    sa.Column("resolution", str_enum(SurplusPolicy, "resolution"), nullable=False),
    sa.Column("out_refund_no", sa.String(NUMBER_MAX), nullable=True),
    sa.Column("recorded_at", UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint("tenant_id", "payment_id", "position"),
    sa.UniqueConstraint("tenant_id", "payment_id", "bill_id"),
    tenant_foreign_key("payment_id", "payments", within_aggregate=True, ondelete="CASCADE"),
    sa.CheckConstraint("position >= 1", name="position_positive"),
    sa.CheckConstraint("amount > 0", name="amount_positive"),
    sa.CheckConstraint(
        "(resolution = 'refund') = (out_refund_no IS NOT NULL)", name="refund_has_number"
    ),
)
