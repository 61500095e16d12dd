"""Mapping of the identity context's aggregates."""

from __future__ import annotations

from sqlalchemy.orm import registry

from adapters.persistence.sqlalchemy.mapping.support import VERSION_ATTRIBUTE
from adapters.persistence.sqlalchemy.tables.identity import residents
from estate_core.identity.model import Resident


def map_identity(mappers: registry) -> None:
    mappers.map_imperatively(
        Resident,
        residents,
        version_id_col=residents.c.version,
        properties={VERSION_ATTRIBUTE: residents.c.version},
    )
