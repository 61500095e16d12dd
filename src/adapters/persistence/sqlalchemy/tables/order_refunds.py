"""The refund requests 退款申请 of merchant orders (commerce context).

``uq_order_refunds_one_live_per_order`` keeps one request pending or approved per order
(``order_refund.already_requested``), even when the resident taps twice at once; after a
refusal another may be made. Each state's fields are present exactly when it says.
"""

from __future__ import annotations

import sqlalchemy as sa

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
from estate_core.commerce.order_refund import RefundRequestState

order_refunds = sa.Table(
    "order_refunds",
    metadata,
    tenant_id_column(),
    id_column(),
    sa.Column("order_id", sa.Uuid(), nullable=False),
    sa.Column("merchant_id", sa.Uuid(), nullable=False),
    sa.Column("community_id", sa.Uuid(), nullable=False),
    sa.Column("resident_id", sa.Uuid(), nullable=False),
    sa.Column("payment_id", sa.Uuid(), nullable=False),
    sa.Column("paid_amount", MoneyType(), nullable=False),
    sa.Column("reason", sa.Text(), nullable=False),
    sa.Column("requested_at", UtcDateTime(), nullable=False),
    sa.Column("state", str_enum(RefundRequestState, "state"), nullable=False),
    sa.Column("approved_amount", MoneyType(), nullable=True),
    sa.Column("refusal_reason", sa.Text(), nullable=False),
    sa.Column("decided_by", sa.Uuid(), nullable=True),
    sa.Column("decided_at", UtcDateTime(), nullable=True),
    version_column(),
    tenant_primary_key(),
    tenant_foreign_key("order_id", "merchant_orders"),
    tenant_foreign_key("payment_id", "payments"),
    sa.CheckConstraint("paid_amount > 0", name="paid_positive"),
    sa.CheckConstraint(
        "(state = 'approved') = (approved_amount IS NOT NULL)"
        " AND (approved_amount IS NULL OR"
        " (approved_amount > 0 AND approved_amount <= paid_amount))",
        name="approved_within_paid",
    ),
    sa.CheckConstraint("(state = 'refused') = (refusal_reason <> '')", name="refused_has_reason"),
    sa.CheckConstraint(
        "(state = 'requested') = (decided_at IS NULL)"
        " AND (decided_at IS NULL) = (decided_by IS NULL)",
        name="decided_when_decided",
    ),
    partial_index(
        "uq_order_refunds_one_live_per_order",
        "tenant_id",
        "order_id",
        unique=True,
        where="state IN ('requested', 'approved')",
        info={CONFLICT_CODE: "order_refund.already_requested"},
    ),
    partial_index(
        "ix_order_refunds_pending",
        "tenant_id",
        "merchant_id",
        "requested_at",
        "id",
        where="state = 'requested'",
    ),
)
