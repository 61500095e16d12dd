"""Identity: tenants, communities, roles, staff, SMS codes and throttles; phones encrypted.

Revision ID: 0002
Revises: 0001
Create Date: 2026-03-16

Residents' plain ``phone`` becomes ``phone_ciphertext`` (AES-GCM) and ``phone_hmac`` (keyed
HMAC-SHA256, the new unique key per tenant). Rows already there are converted in place, which
needs the key: the one the application configured, or ``ESTATE_SECRET_KEY``. An empty table
needs none. Converting imports the application's ``FieldCipher`` (unlike every other line of
these migrations): a ciphertext must be exactly what the application reads, and its format
is versioned by its first byte, so what this revision writes stays readable.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from adapters.persistence.sqlalchemy.personal_data import (
    PHONE,
    FieldCipher,
    PersonalDataKeyMissing,
    personal_data_cipher,
)

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIME = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
HASH = sa.String(64)
BATCH = 1000


def sort_text(length: int) -> sa.types.TypeEngine[str]:
    return sa.String(length).with_variant(sa.String(length, collation="C"), "postgresql")


def _phone_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("phone_ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("phone_hmac", HASH, nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "tenants",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("surplus_policy", sa.String(32), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_tenants")),
        sa.CheckConstraint(
            "surplus_policy IN ('refund', 'prepayment')", name=op.f("ck_tenants_surplus_policy")
        ),
        sa.CheckConstraint("tenant_id = id", name=op.f("ck_tenants_own_tenant")),
    )
    op.create_table(
        "communities",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sort_text(100), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("time_zone", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_communities")),
        sa.UniqueConstraint("tenant_id", "name", name=op.f("uq_communities_tenant_id_name")),
    )
    op.create_table(
        "roles",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sort_text(32), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("permissions", JSON, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_roles")),
        sa.UniqueConstraint("tenant_id", "code", name=op.f("uq_roles_tenant_id_code")),
    )
    op.create_table(
        "staff",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sort_text(40), nullable=False),
        *_phone_columns(),
        sa.Column("roles", JSON, nullable=False),
        sa.Column("community_ids", JSON, nullable=True),
        sa.Column("merchant_id", sa.Uuid(), nullable=True),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("disabled_reason", sa.String(200), nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_staff")),
        sa.UniqueConstraint("tenant_id", "phone_hmac", name=op.f("uq_staff_tenant_id_phone_hmac")),
        sa.CheckConstraint(
            "disabled OR disabled_reason IS NULL",
            name=op.f("ck_staff_reason_only_when_disabled"),
        ),
    )
    op.create_index("ix_staff_tenant_id_name_id", "staff", ["tenant_id", "name", "id"])
    op.create_table(
        "sms_codes",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        *_phone_columns(),
        sa.Column("purpose", sa.String(32), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("sent_at", UTC_TIME, nullable=False),
        sa.Column("expires_at", UTC_TIME, nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("wrong_tries", sa.Integer(), nullable=False),
        sa.Column("used_at", UTC_TIME, nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_sms_codes")),
        sa.CheckConstraint(
            "purpose IN ('login', 'change_phone_old', 'change_phone_new', 'staff_login')",
            name=op.f("ck_sms_codes_purpose"),
        ),
        sa.CheckConstraint(
            "state IN ('active', 'used', 'exhausted', 'superseded', 'expired')",
            name=op.f("ck_sms_codes_state"),
        ),
        sa.CheckConstraint("state <> 'expired'", name=op.f("ck_sms_codes_expired_is_never_stored")),
        sa.CheckConstraint(
            "wrong_tries >= 0 AND wrong_tries <= 5", name=op.f("ck_sms_codes_wrong_tries_bounded")
        ),
        sa.CheckConstraint(
            "(state = 'used') = (used_at IS NOT NULL)", name=op.f("ck_sms_codes_used_at_when_used")
        ),
        sa.CheckConstraint("expires_at > sent_at", name=op.f("ck_sms_codes_expires_after_sent")),
    )
    op.create_index(
        "ix_sms_codes_tenant_id_phone_hmac_purpose_sent_at_id",
        "sms_codes",
        ["tenant_id", "phone_hmac", "purpose", "sent_at", "id"],
    )
    op.create_table(
        "sms_throttles",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("key_hmac", HASH, nullable=False),
        sa.Column("sends", JSON, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_sms_throttles")),
        sa.UniqueConstraint(
            "tenant_id", "key_hmac", name=op.f("uq_sms_throttles_tenant_id_key_hmac")
        ),
    )
    _encrypt_resident_phones()


def downgrade() -> None:
    _decrypt_resident_phones()
    op.drop_table("sms_throttles")
    op.drop_index("ix_sms_codes_tenant_id_phone_hmac_purpose_sent_at_id", table_name="sms_codes")
    op.drop_table("sms_codes")
    op.drop_index("ix_staff_tenant_id_name_id", table_name="staff")
    op.drop_table("staff")
    op.drop_table("roles")
    op.drop_table("communities")
    op.drop_table("tenants")


_residents = sa.table(
    "residents",
    sa.column("tenant_id", sa.Uuid()),
    sa.column("id", sa.Uuid()),
    sa.column("phone", sa.String(20)),
    sa.column("phone_ciphertext", sa.LargeBinary()),
    sa.column("phone_hmac", HASH),
)


def _cipher() -> FieldCipher:
    try:
        return personal_data_cipher()
    except PersonalDataKeyMissing:
        return FieldCipher.from_environment()


def _resident_batches(column: sa.ColumnClause[Any]) -> Iterator[Sequence[Any]]:
    """Every resident's key and ``column``, ``BATCH`` rows at a time in key order."""
    key = (_residents.c.tenant_id, _residents.c.id)
    statement = sa.select(*key, column.label("value")).order_by(*key).limit(BATCH)
    rows = op.get_bind().execute(statement).all()
    while rows:
        yield rows
        last = sa.tuple_(sa.literal(rows[-1].tenant_id), sa.literal(rows[-1].id))
        rows = op.get_bind().execute(statement.where(sa.tuple_(*key) > last)).all()


def _update_residents(values: list[dict[str, Any]]) -> None:
    where = (
        _residents.c.tenant_id == sa.bindparam("row_tenant_id"),
        _residents.c.id == sa.bindparam("row_id"),
    )
    op.get_bind().execute(_residents.update().where(*where), values)


def _encrypt_resident_phones() -> None:
    with op.batch_alter_table("residents") as batch:
        batch.add_column(sa.Column("phone_ciphertext", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("phone_hmac", HASH, nullable=True))
    cipher: FieldCipher | None = None
    for rows in _resident_batches(_residents.c.phone):
        cipher = cipher or _cipher()
        _update_residents(
            [
                {
                    "row_tenant_id": row.tenant_id,
                    "row_id": row.id,
                    "phone_ciphertext": cipher.encrypt(row.value, PHONE),
                    "phone_hmac": cipher.lookup_hash(row.value, PHONE),
                }
                for row in rows
            ]
        )
    with op.batch_alter_table("residents") as batch:
        batch.alter_column("phone_ciphertext", existing_type=sa.LargeBinary(), nullable=False)
        batch.alter_column("phone_hmac", existing_type=HASH, nullable=False)
        batch.drop_constraint("uq_residents_tenant_id_phone", type_="unique")
        batch.drop_column("phone")
        batch.create_unique_constraint(
            "uq_residents_tenant_id_phone_hmac", ["tenant_id", "phone_hmac"]
        )


def _decrypt_resident_phones() -> None:
    with op.batch_alter_table("residents") as batch:
        batch.add_column(sa.Column("phone", sa.String(20), nullable=True))
    cipher: FieldCipher | None = None
    for rows in _resident_batches(_residents.c.phone_ciphertext):
        cipher = cipher or _cipher()
        _update_residents(
            [
                {
                    "row_tenant_id": row.tenant_id,
                    "row_id": row.id,
                    "phone": cipher.decrypt(bytes(row.value), PHONE),
                }
                for row in rows
            ]
        )
    with op.batch_alter_table("residents") as batch:
        batch.alter_column("phone", existing_type=sa.String(20), nullable=False)
        batch.drop_constraint("uq_residents_tenant_id_phone_hmac", type_="unique")
        batch.drop_column("phone_hmac")
        batch.drop_column("phone_ciphertext")
        batch.create_unique_constraint("uq_residents_tenant_id_phone", ["tenant_id", "phone"])
