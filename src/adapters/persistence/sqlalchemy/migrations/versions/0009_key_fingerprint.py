"""The fingerprint of the secret key, so a changed ``ESTATE_SECRET_KEY`` is refused at start.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04

The table starts empty: the first start with a key that reads the stored personal data records
its fingerprint (``adapters.persistence.sqlalchemy.key_check``).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "key_fingerprints",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_key_fingerprints")),
    )


def downgrade() -> None:
    op.drop_table("key_fingerprints")
