"""Tables of reconciliation 对账: one report per (tenant, channel group, day) and its
discrepancies, a child table in the report's own order (``position``).

Constraints backing the invariants:

- one report per ``(tenant, channel group, day)``: running a day again refreshes its report; of
  two runs of a new day at once, the later fails on this key and is retried by the use case,
  which then refreshes the report the first one stored;
- a discrepancy id is unique in the tenant (the aggregate keeps one discrepancy per kind,
  subject and numbers: a key with a nullable refund number is not one a unique constraint
  holds on both backends);
- the counts are never negative and the matched lines never exceed the lines;
- a discrepancy's fields agree with its kind and state: a refund names its refund number; what
  is missing at the gateway has no statement line and no gateway amount, anything else has both;
  an amount mismatch has both amounts; open means unresolved; an explanation has a note.

Index: ``(tenant, day DESC, channel group, id)`` the staff list, latest day first, in the
index's order from the cursor; the unique key serves the lookup of a day's report.
"""

from __future__ import annotations

import sqlalchemy as sa

from adapters.persistence.sqlalchemy.metadata import (
    id_column,
    metadata,
    tenant_foreign_key,
    tenant_id_column,
    tenant_primary_key,
    version_column,
)
from adapters.persistence.sqlalchemy.tables.payments import NUMBER_MAX, TEXT_MAX
from adapters.persistence.sqlalchemy.types import MoneyType, UtcDateTime, str_enum
from estate_core.payments.comparison import DiscrepancyKind
from estate_core.payments.gateway import StatementEntryKind
from estate_core.payments.reconciliation import DiscrepancyState
from estate_core.payments.values import ChannelGroup

reconciliation_reports = sa.Table(
    "reconciliation_reports",
    metadata,
    tenant_id_column(),
    id_column(),
    sa.Column("channel_group", str_enum(ChannelGroup, "channel_group"), nullable=False),
    sa.Column("day", sa.Date(), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("last_run_at", UtcDateTime(), nullable=False),
    sa.Column("runs", sa.Integer(), nullable=False),
    sa.Column("lines", sa.Integer(), nullable=False),
    sa.Column("matched", sa.Integer(), nullable=False),
    version_column(),
    tenant_primary_key(),
    sa.UniqueConstraint("tenant_id", "channel_group", "day"),
    sa.CheckConstraint("runs >= 0", name="runs_non_negative"),
    sa.CheckConstraint("matched >= 0 AND matched <= lines", name="matched_within_lines"),
)
sa.Index(
    "ix_reconciliation_reports_by_day",
    reconciliation_reports.c.tenant_id,
    reconciliation_reports.c.day.desc(),
    reconciliation_reports.c.channel_group,
    reconciliation_reports.c.id,
)

reconciliation_discrepancies = sa.Table(
    "discrepancies",
    metadata,
    tenant_id_column(),
    sa.Column("report_id", sa.Uuid(), nullable=False),
    sa.Column("position", sa.Integer(), nullable=False),
    id_column(),
    sa.Column("kind", str_enum(DiscrepancyKind, "kind"), nullable=False),
    sa.Column("subject", str_enum(StatementEntryKind, "subject"), nullable=False),
    sa.Column("out_trade_no", sa.String(NUMBER_MAX), nullable=False),
    sa.Column("out_refund_no", sa.String(NUMBER_MAX), nullable=True),
    sa.Column("transaction_id", sa.String(NUMBER_MAX), nullable=True),
    sa.Column("gateway_amount", MoneyType(), nullable=True),
    sa.Column("local_amount", MoneyType(), nullable=True),
    sa.Column("payment_id", sa.Uuid(), nullable=True),
    sa.Column("lines", sa.Integer(), nullable=False),
    sa.Column("state", str_enum(DiscrepancyState, "state"), nullable=False),
    sa.Column("note", sa.String(TEXT_MAX), nullable=True),
    sa.Column("found_at", UtcDateTime(), nullable=False),
    sa.Column("resolved_by", sa.Uuid(), nullable=True),
    sa.Column("resolved_at", UtcDateTime(), nullable=True),
    sa.PrimaryKeyConstraint("tenant_id", "report_id", "position"),
    sa.UniqueConstraint("tenant_id", "id"),
    tenant_foreign_key(
        "report_id", "reconciliation_reports", within_aggregate=True, ondelete="CASCADE"
    ),
    tenant_foreign_key("payment_id", "payments"),
    sa.CheckConstraint("position >= 1", name="position_positive"),
    sa.CheckConstraint(
        "(subject = 'refund') = (out_refund_no IS NOT NULL)", name="refund_has_number"
    ),
    sa.CheckConstraint(
        "(kind = 'missing_at_gateway') = (lines = 0) AND (lines = 0) = (gateway_amount IS NULL)",
        name="lines_match_kind",
    ),
    sa.CheckConstraint(
        "kind <> 'amount_mismatch' OR local_amount IS NOT NULL", name="mismatch_has_amounts"
    ),
    sa.CheckConstraint(
        "(gateway_amount IS NULL OR gateway_amount > 0)"
        " AND (local_amount IS NULL OR local_amount > 0)",
        name="amounts_positive",
    ),
    sa.CheckConstraint(
        "(state = 'open') = (resolved_at IS NULL)"
        " AND (state <> 'open' OR (note IS NULL AND resolved_by IS NULL))",
        name="resolved_when_resolved",
    ),
    sa.CheckConstraint("state <> 'explained' OR note IS NOT NULL", name="explained_has_note"),
)
