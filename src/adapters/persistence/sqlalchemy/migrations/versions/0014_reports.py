"""Indexes of the reports: arrears by property, a community's payments by time of success.

The arrears index in property order serves the largest-first arrears list as well (it groups
without sorting), so it replaces ``ix_bills_community_unpaid_by_due_date``.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNPAID = sa.text("status = 'unpaid'")


def upgrade() -> None:
    op.drop_index("ix_bills_community_unpaid_by_due_date", table_name="bills")
    op.create_index(
        "ix_bills_community_unpaid_by_property",
        "bills",
        ["tenant_id", "community_id", "property_id", "due_date"],
        sqlite_where=UNPAID,
        postgresql_where=UNPAID,
    )
    op.create_index(
        "ix_payments_community_by_succeeded_at",
        "payments",
        ["tenant_id", "community_id", "succeeded_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_payments_community_by_succeeded_at", table_name="payments")
    op.drop_index("ix_bills_community_unpaid_by_property", table_name="bills")
    op.create_index(
        "ix_bills_community_unpaid_by_due_date",
        "bills",
        ["tenant_id", "community_id", "due_date", "property_id"],
        sqlite_where=UNPAID,
        postgresql_where=UNPAID,
    )
