"""The owner-of-record phone of a property is encrypted at rest, like every other phone.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22

``properties.owner_phone`` becomes ``owner_phone_ciphertext`` (AES-GCM, field ``phone``). It is
never looked up, so it needs no keyed hash. Rows already there are converted in place with the
key the application configured, or ``ESTATE_SECRET_KEY`` (see revision 0002, which does the
same for residents).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from adapters.persistence.sqlalchemy.personal_data import (
    PHONE,
    FieldCipher,
    PersonalDataKeyMissing,
    personal_data_cipher,
)

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1000
CHECK = "ck_properties_owner_of_record_complete"

_properties = sa.table(
    "properties",
    sa.column("tenant_id", sa.Uuid()),
    sa.column("id", sa.Uuid()),
    sa.column("owner_phone", sa.String(20)),
    sa.column("owner_phone_ciphertext", sa.LargeBinary()),
)


def upgrade() -> None:
    with op.batch_alter_table("properties") as batch:
        batch.add_column(sa.Column("owner_phone_ciphertext", sa.LargeBinary(), nullable=True))
    _convert(
        _properties.c.owner_phone,
        lambda cipher, phone: {"owner_phone_ciphertext": cipher.encrypt(phone, PHONE)},
    )
    with op.batch_alter_table("properties") as batch:
        batch.drop_constraint(op.f(CHECK), type_="check")
        batch.drop_column("owner_phone")
        batch.create_check_constraint(
            op.f(CHECK), "(owner_name IS NULL) = (owner_phone_ciphertext IS NULL)"
        )


def downgrade() -> None:
    with op.batch_alter_table("properties") as batch:
        batch.add_column(sa.Column("owner_phone", sa.String(20), nullable=True))
    _convert(
        _properties.c.owner_phone_ciphertext,
        lambda cipher, ciphertext: {"owner_phone": cipher.decrypt(bytes(ciphertext), PHONE)},
    )
    with op.batch_alter_table("properties") as batch:
        batch.drop_constraint(op.f(CHECK), type_="check")
        batch.drop_column("owner_phone_ciphertext")
        batch.create_check_constraint(op.f(CHECK), "(owner_name IS NULL) = (owner_phone IS NULL)")


def _cipher() -> FieldCipher:
    try:
        return personal_data_cipher()
    except PersonalDataKeyMissing:
        return FieldCipher.from_environment()


def _convert(
    source: sa.ColumnClause[Any], change: Callable[[FieldCipher, Any], dict[str, Any]]
) -> None:
    """Rewrite every property that has a value in ``source``, ``BATCH`` rows at a time."""
    cipher: FieldCipher | None = None
    where = (
        _properties.c.tenant_id == sa.bindparam("row_tenant_id"),
        _properties.c.id == sa.bindparam("row_id"),
    )
    for rows in _batches(source):
        cipher = cipher or _cipher()
        values = [
            {"row_tenant_id": row.tenant_id, "row_id": row.id} | change(cipher, row.value)
            for row in rows
        ]
        op.get_bind().execute(_properties.update().where(*where), values)


def _batches(source: sa.ColumnClause[Any]) -> Iterator[Sequence[Any]]:
    key = (_properties.c.tenant_id, _properties.c.id)
    statement = (
        sa.select(*key, source.label("value"))
        .where(source.is_not(None))
        .order_by(*key)
        .limit(BATCH)
    )
    rows = op.get_bind().execute(statement).all()
    while rows:
        yield rows
        last = sa.tuple_(sa.literal(rows[-1].tenant_id), sa.literal(rows[-1].id))
        rows = op.get_bind().execute(statement.where(sa.tuple_(*key) > last)).all()
