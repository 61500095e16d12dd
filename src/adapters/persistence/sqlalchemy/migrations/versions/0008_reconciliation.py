"""Reconciliation 对账: reports per (tenant, channel group, day) with their discrepancies, and
the indexes that find the payments and refunds done in a day.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04

Written by hand (``tables/reconciliation.py`` says why each constraint exists): the enums'
CHECKs list their values; the state CHECKs keep a discrepancy's fields in step with its kind and
state; one report per tenant, channel group and day. References go to ``payments`` (revision
0006) and to the report table of this revision.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIME = sa.DateTime(timezone=True)
REPORTS = "reconciliation_reports"
DISCREPANCIES = "discrepancies"


def _check(table: str, name: str, condition: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(condition, name=op.f(f"ck_{table}_{name}"))


def _one_of(table: str, column: str, *values: str) -> sa.CheckConstraint:
    listed = ", ".join(f"'{value}'" for value in values)
    return _check(table, column, f"{column} IN ({listed})")


def _reports() -> None:
    t = REPORTS
    op.create_table(
        t,
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("channel_group", sa.String(32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("last_run_at", UTC_TIME, nullable=False),
        sa.Column("runs", sa.Integer(), nullable=False),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.Column("matched", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f(f"pk_{t}")),
        sa.UniqueConstraint(
            "tenant_id", "channel_group", "day", name=op.f(f"uq_{t}_tenant_id_channel_group_day")
        ),
        _one_of(t, "channel_group", "wechat", "alipay"),
        _check(t, "runs_non_negative", "runs >= 0"),
        _check(t, "matched_within_lines", "matched >= 0 AND matched <= lines"),
    )
    op.create_index(
        "ix_reconciliation_reports_by_day",
        t,
        ["tenant_id", sa.column("day").desc(), "channel_group", "id"],
    )


def _discrepancies() -> None:
    t = DISCREPANCIES
    op.create_table(
        t,
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("report_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("subject", sa.String(32), nullable=False),
        sa.Column("out_trade_no", sa.String(64), nullable=False),
        sa.Column("out_refund_no", sa.String(64), nullable=True),
        sa.Column("transaction_id", sa.String(64), nullable=True),
        sa.Column("gateway_amount", sa.BigInteger(), nullable=True),
        sa.Column("local_amount", sa.BigInteger(), nullable=True),
        sa.Column("payment_id", sa.Uuid(), nullable=True),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("note", sa.String(200), nullable=True),
        sa.Column("found_at", UTC_TIME, nullable=False),
        sa.Column("resolved_by", sa.Uuid(), nullable=True),
        sa.Column("resolved_at", UTC_TIME, nullable=True),
        sa.PrimaryKeyConstraint("tenant_id", "report_id", "position", name=op.f(f"pk_{t}")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f(f"uq_{t}_tenant_id_id")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "report_id"],
            [f"{REPORTS}.tenant_id", f"{REPORTS}.id"],
            name=op.f(f"fk_{t}_tenant_id_report_id_{REPORTS}"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "payment_id"],
            ["payments.tenant_id", "payments.id"],
            name=op.f(f"fk_{t}_tenant_id_payment_id_payments"),
            deferrable=True,
            initially="DEFERRED",
        ),
        _one_of(
            t, "kind", "missing_locally", "missing_at_gateway", "amount_mismatch", "duplicate_line"
        ),
        _one_of(t, "subject", "payment", "refund"),
        _one_of(t, "state", "open", "explained", "fixed"),
        _check(t, "position_positive", "position >= 1"),
        _check(t, "refund_has_number", "(subject = 'refund') = (out_refund_no IS NOT NULL)"),
        _check(
            t,
            "lines_match_kind",
            "(kind = 'missing_at_gateway') = (lines = 0)"
            " AND (lines = 0) = (gateway_amount IS NULL)",
        ),
        _check(t, "mismatch_has_amounts", "kind <> 'amount_mismatch' OR local_amount IS NOT NULL"),
        _check(
            t,
            "amounts_positive",
            "(gateway_amount IS NULL OR gateway_amount > 0)"
            " AND (local_amount IS NULL OR local_amount > 0)",
        ),
        _check(
            t,
            "resolved_when_resolved",
            "(state = 'open') = (resolved_at IS NULL)"
            " AND (state <> 'open' OR (note IS NULL AND resolved_by IS NULL))",
        ),
        _check(t, "explained_has_note", "state <> 'explained' OR note IS NOT NULL"),
    )


def upgrade() -> None:
    _reports()
    _discrepancies()
    op.create_index("ix_payments_by_succeeded_at", "payments", ["tenant_id", "succeeded_at"])
    op.create_index(
        "ix_payment_refunds_by_finished_at", "payment_refunds", ["tenant_id", "finished_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_payment_refunds_by_finished_at", table_name="payment_refunds")
    op.drop_index("ix_payments_by_succeeded_at", table_name="payments")
    op.drop_table(DISCREPANCIES)
    op.drop_table(REPORTS)
