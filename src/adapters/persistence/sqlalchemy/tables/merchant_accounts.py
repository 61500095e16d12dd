"""The tenants' receiving accounts (``GatewayAccount``): one row per tenant and gateway family.

Every credential field (keys, ids alike) lives in one AES-256-GCM ciphertext per generation
(:class:`EncryptedCredentials`, the personal-data cipher keyed from ``ESTATE_SECRET_KEY``, under
its own field label so it cannot be swapped with another column's ciphertext): a copy of the
table gives no key away. ``previous_credentials`` holds the generation a rotation replaced,
so notifications for payments opened under it still verify.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

from adapters.persistence.sqlalchemy.metadata import (
    id_column,
    metadata,
    tenant_id_column,
    tenant_primary_key,
    version_column,
)
from adapters.persistence.sqlalchemy.personal_data import personal_data_cipher
from adapters.persistence.sqlalchemy.types import UtcDateTime, str_enum
from estate_core.payments.credentials import Credentials, GatewayFamily, from_document
from estate_core.payments.gateway_account import URL_MAX, AccountStatus

CREDENTIALS_FIELD = "merchant credentials"
"""Associated data of the ciphertexts: they decrypt in this column type only."""


class EncryptedCredentials(sa.types.TypeDecorator[Credentials]):
    """Credentials as an encrypted JSON document (mode and every field)."""

    impl = sa.LargeBinary
    cache_ok = True
    alembic_render = "sa.LargeBinary()"

    def process_bind_param(self, value: Credentials | None, dialect: Dialect) -> bytes | None:
        if value is None:
            return None
        document = json.dumps(value.to_document(), sort_keys=True)
        return personal_data_cipher().encrypt(document, CREDENTIALS_FIELD)

    def process_result_value(self, value: Any, dialect: Dialect) -> Credentials | None:
        if value is None:
            return None
        document = personal_data_cipher().decrypt(bytes(value), CREDENTIALS_FIELD)
        return from_document(json.loads(document))


merchant_accounts = sa.Table(
    "merchant_accounts",
    metadata,
    tenant_id_column(),
    id_column(),
    sa.Column("family", str_enum(GatewayFamily, "family"), nullable=False),
    sa.Column("credentials", EncryptedCredentials(), nullable=False),
    sa.Column("previous_credentials", EncryptedCredentials(), nullable=True),
    sa.Column("gateway_url", sa.String(URL_MAX), nullable=False),
    sa.Column("status", str_enum(AccountStatus, "status"), nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
    version_column(),
    tenant_primary_key(),
    sa.UniqueConstraint("tenant_id", "family"),
)
