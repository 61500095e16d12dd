"""Tables of the billing context: fee items, bills, meter readings and the two ledgers.

Payments are in ``tables/payments.py``. A fee item's due rule and late-fee terms, a bill's
copied late-fee terms, are columns of their row (composites in the mapping); the property kinds
a fee applies to are a short JSON list, never queried. A ledger's entries are child rows in the
order they were written (``position``); a prepayment ledger also keeps its ``balance`` (kept in
step by the mapping), so the database itself refuses a balance below zero and the billing run
finds the ledgers in credit without adding up every entry.

Constraints backing the invariants (issue 4):

- one bill per (property, fee item, period start): the key that makes billing idempotent, and
  what the bulk insert of a run skips on (``ON CONFLICT DO NOTHING``);
- one reading per (property, fee item, day); one fee item per (community, name); one prepayment
  ledger per property; one public-fund ledger per community;
- money is BIGINT fen, never negative (amounts due above zero); a bill's status agrees with its
  payment, void and refund fields; ``version`` on every aggregate (optimistic locking).

Indexes, each serving a query of ``repositories/billing.py`` (tenant first, then the filters,
then the ORDER BY columns, so a keyset page costs the same at any depth):

- ``bills (tenant, property, fee item, period)`` unique: ``find_by_key`` and a run's
  ``issued_keys`` of a batch of properties;
- ``bills (tenant, property, due_date, id) WHERE unpaid``: 应缴 and the unpaid bills of a home;
  ``(tenant, property, period_start, id) WHERE unpaid``: 未到期; ``(tenant, property, paid_at
  DESC, id) WHERE paid or refunded``: 已交, newest first (one forward scan of ``paid_at DESC,
  id``);
- ``bills (tenant, community, period_start, property, id)`` and ``(tenant, community, status,
  period_start, property, id)``: the staff list without and with a status;
- ``bills (tenant, community, property, due_date) WHERE unpaid``: arrears 欠费, grouped per
  property in index order without a sort. The largest-first list reads the community's overdue
  bills (not the whole table); the report (``reports.py``) pages by property, so a page reads
  only its own properties' bills (revision 0014 replaced ``(tenant, community, due_date,
  property)``).
"""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from adapters.persistence.sqlalchemy.json_values import StrEnumSet
from adapters.persistence.sqlalchemy.metadata import (
    id_column,
    metadata,
    partial_index,
    tenant_foreign_key,
    tenant_id_column,
    tenant_primary_key,
    version_column,
)
from adapters.persistence.sqlalchemy.tables.properties import sort_text
from adapters.persistence.sqlalchemy.types import ExactDecimal, MoneyType, UtcDateTime, str_enum
from estate_core.billing.calculation import Calculation
from estate_core.billing.fee_item import FEE_ITEM_NAME_MAX, DueRuleKind, FeeCategory
from estate_core.billing.ledger import ENTRY_TEXT_MAX, EntryKind, FundEntryKind
from estate_core.billing.model import VOID_REASON_MAX, BillStatus
from estate_core.properties.model import PropertyKind

NAME_MAX = FEE_ITEM_NAME_MAX
TEXT_MAX = ENTRY_TEXT_MAX

UNPAID = "status = 'unpaid'"
"""Rows of the indexes of unpaid bills (应缴, 未到期, arrears)."""

SETTLED = "status IN ('paid', 'refunded')"
"""Rows of the index of paid bills (已交): paid, and paid then refunded."""


def rate_column(name: str, *, nullable: bool) -> sa.Column[Decimal]:
    """A late-fee daily rate (e.g. 0.0005, 万分之五), exact to ten decimals."""
    return sa.Column(name, ExactDecimal(12, 10), nullable=nullable)


fee_items = sa.Table(
    "fee_items",
    metadata,
    tenant_id_column(),
    id_column(),
    sa.Column("community_id", sa.Uuid(), nullable=False),
    sa.Column("name", sort_text(NAME_MAX), nullable=False),
    sa.Column("category", str_enum(FeeCategory, "category"), nullable=False),
    sa.Column("calculation", str_enum(Calculation, "calculation"), nullable=False),
    sa.Column("unit_price", ExactDecimal(14, 4), nullable=False),
    sa.Column("property_kinds", StrEnumSet(PropertyKind), nullable=False),
    sa.Column("cycle_months", sa.Integer(), nullable=False),
    sa.Column("first_period_start", sa.Date(), nullable=False),
    sa.Column("due_rule_kind", str_enum(DueRuleKind, "due_rule_kind"), nullable=False),
    sa.Column("due_rule_value", sa.Integer(), nullable=False),
    rate_column("late_fee_daily_rate", nullable=True),
    sa.Column("late_fee_cap", MoneyType(), nullable=True),
    sa.Column("active", sa.Boolean(), nullable=False),
    version_column(),
    tenant_primary_key(),
    sa.UniqueConstraint("tenant_id", "community_id", "name"),
    sa.CheckConstraint("unit_price > 0", name="unit_price_positive"),
    sa.CheckConstraint("cycle_months IN (1, 3, 6, 12)", name="cycle_months_allowed"),
    sa.CheckConstraint(
        "(due_rule_kind = 'day_of_month' AND due_rule_value BETWEEN 1 AND 31)"
        " OR (due_rule_kind <> 'day_of_month' AND due_rule_value BETWEEN 0 AND 366)",
        name="due_rule_value_range",
    ),
    sa.CheckConstraint(
        "(late_fee_daily_rate IS NULL AND late_fee_cap IS NULL)"
        " OR (late_fee_daily_rate > 0 AND late_fee_daily_rate < 1"
        " AND (late_fee_cap IS NULL OR late_fee_cap > 0))",
        name="late_fee_terms",
    ),
)

bills = sa.Table(
    "bills",
    metadata,
    tenant_id_column(),
    id_column(),
    sa.Column("community_id", sa.Uuid(), nullable=False),
    sa.Column("property_id", sa.Uuid(), nullable=False),
    sa.Column("fee_item_id", sa.Uuid(), nullable=False),
    sa.Column("period_start", sa.Date(), nullable=False),
    sa.Column("period_end", sa.Date(), nullable=False),
    sa.Column("amount_due", MoneyType(), nullable=False),
    sa.Column("due_date", sa.Date(), nullable=False),
    rate_column("late_fee_rate", nullable=True),
    sa.Column("late_fee_cap", MoneyType(), nullable=True),
    sa.Column("status", str_enum(BillStatus, "status"), nullable=False),
    sa.Column("paid_by_payment_id", sa.Uuid(), nullable=True),
    sa.Column("amount_paid", MoneyType(), nullable=False),
    sa.Column("paid_at", UtcDateTime(), nullable=True),
    sa.Column("void_reason", sa.String(VOID_REASON_MAX), nullable=True),
    sa.Column("issued_at", UtcDateTime(), nullable=True),
    sa.Column("paid_from_prepayment", sa.Boolean(), nullable=False),
    sa.Column("voided_at", UtcDateTime(), nullable=True),
    sa.Column("refunded_at", UtcDateTime(), nullable=True),
    version_column(),
    tenant_primary_key(),
    sa.UniqueConstraint("tenant_id", "property_id", "fee_item_id", "period_start"),
    tenant_foreign_key("property_id", "properties"),
    tenant_foreign_key("fee_item_id", "fee_items"),
    sa.CheckConstraint("amount_due > 0", name="amount_due_positive"),
    sa.CheckConstraint("amount_paid >= 0", name="amount_paid_non_negative"),
    sa.CheckConstraint("period_start <= period_end", name="period_ordered"),
    sa.CheckConstraint(
        "(late_fee_rate IS NULL AND late_fee_cap IS NULL)"
        " OR (late_fee_rate > 0 AND late_fee_rate < 1"
        " AND (late_fee_cap IS NULL OR late_fee_cap > 0))",
        name="late_fee_terms",
    ),
    sa.CheckConstraint(
        f"({SETTLED}) = (paid_at IS NOT NULL AND paid_by_payment_id IS NOT NULL)",
        name="paid_when_paid",
    ),
    sa.CheckConstraint(
        f"(NOT ({SETTLED}) OR amount_paid >= amount_due) AND ({SETTLED} OR amount_paid = 0)",
        name="amount_paid_matches_status",
    ),
    sa.CheckConstraint(f"{SETTLED} OR NOT paid_from_prepayment", name="prepayment_only_when_paid"),
    sa.CheckConstraint(
        "(status = 'void') = (void_reason IS NOT NULL AND voided_at IS NOT NULL)",
        name="void_when_void",
    ),
    sa.CheckConstraint(
        "(status = 'refunded') = (refunded_at IS NOT NULL)", name="refunded_when_refunded"
    ),
    partial_index(
        "ix_bills_property_unpaid_by_due_date",
        "tenant_id",
        "property_id",
        "due_date",
        "id",
        where=UNPAID,
    ),
    partial_index(
        "ix_bills_property_unpaid_by_period",
        "tenant_id",
        "property_id",
        "period_start",
        "id",
        where=UNPAID,
    ),
    sa.Index(
        "ix_bills_community_by_period",
        "tenant_id",
        "community_id",
        "period_start",
        "property_id",
        "id",
    ),
    sa.Index(
        "ix_bills_community_by_status_period",
        "tenant_id",
        "community_id",
        "status",
        "period_start",
        "property_id",
        "id",
    ),
    partial_index(
        "ix_bills_community_unpaid_by_property",
        "tenant_id",
        "community_id",
        "property_id",
        "due_date",
        where=UNPAID,
    ),
)
partial_index(
    "ix_bills_property_settled_by_paid_at",
    bills.c.tenant_id,
    bills.c.property_id,
    bills.c.paid_at.desc(),
    bills.c.id,
    where=SETTLED,
)

meter_readings = sa.Table(
    "meter_readings",
    metadata,
    tenant_id_column(),
    id_column(),
    sa.Column("community_id", sa.Uuid(), nullable=False),
    sa.Column("property_id", sa.Uuid(), nullable=False),
    sa.Column("fee_item_id", sa.Uuid(), nullable=False),
    sa.Column("reading", ExactDecimal(14, 2), nullable=False),
    sa.Column("read_on", sa.Date(), nullable=False),
    sa.Column("recorded_by", sa.Uuid(), nullable=True),
    sa.Column("recorded_at", UtcDateTime(), nullable=False),
    version_column(),
    tenant_primary_key(),
    sa.UniqueConstraint("tenant_id", "property_id", "fee_item_id", "read_on"),
    tenant_foreign_key("property_id", "properties"),
    tenant_foreign_key("fee_item_id", "fee_items"),
    sa.CheckConstraint("reading >= 0", name="reading_non_negative"),
)

prepayment_ledgers = sa.Table(
    "prepayment_ledgers",
    metadata,
    tenant_id_column(),
    id_column(),
    sa.Column("community_id", sa.Uuid(), nullable=False),
    sa.Column("property_id", sa.Uuid(), nullable=False),
    sa.Column("balance", MoneyType(), nullable=False),
    version_column(),
    tenant_primary_key(),
    sa.UniqueConstraint("tenant_id", "property_id"),
    tenant_foreign_key("property_id", "properties"),
    sa.CheckConstraint("balance >= 0", name="balance_non_negative"),
)

prepayment_entries = sa.Table(
    "prepayment_entries",
    metadata,
    tenant_id_column(),
    sa.Column("ledger_id", sa.Uuid(), nullable=False),
    sa.Column("position", sa.Integer(), nullable=False),
    sa.Column("id", sa.Uuid(), nullable=False),
    sa.Column("kind", str_enum(EntryKind, "kind"), nullable=False),
    sa.Column("amount", MoneyType(), nullable=False),
    sa.Column("reason", sa.String(TEXT_MAX), nullable=False),
    sa.Column("reference_id", sa.Uuid(), nullable=True),
    sa.Column("at", UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint("tenant_id", "ledger_id", "position"),
    sa.UniqueConstraint("tenant_id", "id"),
    tenant_foreign_key(
        "ledger_id", "prepayment_ledgers", within_aggregate=True, ondelete="CASCADE"
    ),
    sa.CheckConstraint("position >= 1", name="position_positive"),
    sa.CheckConstraint("amount > 0", name="amount_positive"),
)

public_fund_ledgers = sa.Table(
    "public_fund_ledgers",
    metadata,
    tenant_id_column(),
    id_column(),
    sa.Column("community_id", sa.Uuid(), nullable=False),
    version_column(),
    tenant_primary_key(),
    sa.UniqueConstraint("tenant_id", "community_id"),
)

public_fund_entries = sa.Table(
    "public_fund_entries",
    metadata,
    tenant_id_column(),
    sa.Column("ledger_id", sa.Uuid(), nullable=False),
    sa.Column("position", sa.Integer(), nullable=False),
    sa.Column("id", sa.Uuid(), nullable=False),
    sa.Column("kind", str_enum(FundEntryKind, "kind"), nullable=False),
    sa.Column("category", sa.String(TEXT_MAX), nullable=False),
    sa.Column("amount", MoneyType(), nullable=False),
    sa.Column("note", sa.String(TEXT_MAX), nullable=False),
    sa.Column("entry_on", sa.Date(), nullable=False),
    sa.Column("recorded_by", sa.Uuid(), nullable=False),
    sa.Column("recorded_at", UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint("tenant_id", "ledger_id", "position"),
    sa.UniqueConstraint("tenant_id", "id"),
    tenant_foreign_key(
        "ledger_id", "public_fund_ledgers", within_aggregate=True, ondelete="CASCADE"
    ),
    sa.CheckConstraint("position >= 1", name="position_positive"),
    sa.CheckConstraint("amount > 0", name="amount_positive"),
)
