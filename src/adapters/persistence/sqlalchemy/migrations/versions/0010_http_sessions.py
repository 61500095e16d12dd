"""Login sessions and staff passwords of the HTTP service; phone lookups across tenants.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04

A session is found by its primary key (the bearer token names its tenant and id) and proved by
the SHA-256 of its secret. The two phone indexes serve the shared-official-account login, which
lists every tenant where the phone has an account.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "auth_sessions",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("secret_sha256", sa.String(64), nullable=False),
        sa.Column("subject_kind", sa.String(16), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("phone_hmac", sa.String(64), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("expires_at", UTC_TIME, nullable=False),
        sa.Column("revoked_at", UTC_TIME, nullable=True),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_auth_sessions")),
        sa.CheckConstraint(
            "subject_kind IN ('resident', 'staff')", name=op.f("ck_auth_sessions_subject_kind")
        ),
        sa.CheckConstraint(
            "expires_at > created_at", name=op.f("ck_auth_sessions_expires_after_created")
        ),
    )
    op.create_index(
        "ix_auth_sessions_tenant_id_subject_id", "auth_sessions", ["tenant_id", "subject_id"]
    )
    op.create_table(
        "staff_passwords",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("changed_at", UTC_TIME, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_staff_passwords")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "id"],
            ["staff.tenant_id", "staff.id"],
            name=op.f("fk_staff_passwords_tenant_id_id_staff"),
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_residents_phone_hmac", "residents", ["phone_hmac"])
    op.create_index("ix_staff_phone_hmac", "staff", ["phone_hmac"])


def downgrade() -> None:
    op.drop_index("ix_staff_phone_hmac", table_name="staff")
    op.drop_index("ix_residents_phone_hmac", table_name="residents")
    op.drop_table("staff_passwords")
    op.drop_index("ix_auth_sessions_tenant_id_subject_id", table_name="auth_sessions")
    op.drop_table("auth_sessions")
