"""The tenants' receiving accounts, encrypted; payments name a sub-merchant in partner mode.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04

``merchant_accounts`` holds one account per tenant and gateway family, every credential field
in one AES-256-GCM ciphertext per generation (current and the one a rotation replaced).
``payments.merchant_sub_mch_id`` records the sub-merchant (WeChat ``sub_mchid``, Alipay ISV's
authorising app) a partner-mode payment was opened for; existing payments are direct: NULL.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SUB_MERCHANT_CHECK = "ck_payments_sub_merchant_of_merchant"
BY_PROPERTY = "ix_payments_by_property"


def _restore_descending_index() -> None:
    """SQLite's batch mode rebuilds the table and its indexes from reflection, which loses the
    ``DESC`` of ``created_at`` (a home's payments, newest first): build that index again."""
    if op.get_bind().dialect.name != "sqlite":
        return
    op.drop_index(BY_PROPERTY, table_name="payments")
    op.create_index(
        BY_PROPERTY, "payments", ["tenant_id", "property_id", sa.column("created_at").desc(), "id"]
    )


def upgrade() -> None:
    op.create_table(
        "merchant_accounts",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("family", sa.String(32), nullable=False),
        sa.Column("credentials", sa.LargeBinary(), nullable=False),
        sa.Column("previous_credentials", sa.LargeBinary(), nullable=True),
        sa.Column("gateway_url", sa.String(200), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_merchant_accounts")),
        sa.UniqueConstraint(
            "tenant_id", "family", name=op.f("uq_merchant_accounts_tenant_id_family")
        ),
        sa.CheckConstraint(
            "family IN ('wechat', 'alipay')", name=op.f("ck_merchant_accounts_family")
        ),
        sa.CheckConstraint(
            "status IN ('active', 'disabled')", name=op.f("ck_merchant_accounts_status")
        ),
    )
    with op.batch_alter_table("payments") as batch:
        batch.add_column(sa.Column("merchant_sub_mch_id", sa.String(64), nullable=True))
        batch.create_check_constraint(
            op.f(SUB_MERCHANT_CHECK),
            "merchant_sub_mch_id IS NULL OR merchant_app_id IS NOT NULL",
        )
    _restore_descending_index()


def downgrade() -> None:
    with op.batch_alter_table("payments") as batch:
        batch.drop_constraint(op.f(SUB_MERCHANT_CHECK), type_="check")
        batch.drop_column("merchant_sub_mch_id")
    _restore_descending_index()
    op.drop_table("merchant_accounts")
