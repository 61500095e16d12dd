"""Mapping of the parking context: ParkingCard on its row, renewals as one JSON column."""

from __future__ import annotations

from sqlalchemy.orm import registry

from adapters.persistence.sqlalchemy.mapping.support import VERSION_ATTRIBUTE
from adapters.persistence.sqlalchemy.tables.parking import parking_cards
from estate_core.parking.card import ParkingCard


def map_parking(mappers: registry) -> None:
    mappers.map_imperatively(
        ParkingCard,
        parking_cards,
        version_id_col=parking_cards.c.version,
        properties={VERSION_ATTRIBUTE: parking_cards.c.version},
    )
