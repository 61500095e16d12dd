"""The fingerprint of the secret key the stored personal data was written with (issue 15).

One key protects every tenant today, so its row is the installation's: ``tenant_id`` is the nil
UUID (:data:`INSTALLATION`). A key per tenant, for rotation, would add a row per tenant.
"""

from __future__ import annotations

from uuid import UUID

import sqlalchemy as sa

from adapters.persistence.sqlalchemy.metadata import metadata, tenant_id_column
from adapters.persistence.sqlalchemy.personal_data import HASH_HEX_LENGTH

INSTALLATION = UUID(int=0)

key_fingerprints = sa.Table(
    "key_fingerprints",
    metadata,
    tenant_id_column(),
    sa.Column("fingerprint", sa.String(HASH_HEX_LENGTH), nullable=False),
    sa.PrimaryKeyConstraint("tenant_id"),
)
