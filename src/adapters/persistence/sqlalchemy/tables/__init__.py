"""Every table of estate, one module per bounded context, all in one ``metadata``.

Importing this package registers every table, which Alembic's autogenerate and the schema tests
rely on: a context adds its module here in the same change that adds its tables.
"""

from adapters.persistence.sqlalchemy.metadata import metadata
from adapters.persistence.sqlalchemy.tables import (
    auth,
    billing,
    commerce,
    community,
    identity,
    keys,
    merchant_accounts,
    outbox,
    payments,
    properties,
    reconciliation,
    service,
    worker,
)

__all__ = [
    "auth",
    "billing",
    "commerce",
    "community",
    "identity",
    "keys",
    "merchant_accounts",
    "metadata",
    "outbox",
    "payments",
    "properties",
    "reconciliation",
    "service",
    "worker",
]
