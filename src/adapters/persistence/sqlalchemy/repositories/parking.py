"""Repositories of the parking context."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import sqlalchemy as sa

from adapters.persistence.sqlalchemy.repositories.base import SqlRepository
from adapters.persistence.sqlalchemy.tables.parking import parking_cards
from estate_core.parking.card import ParkingCard

_ACTIVE = sa.text("parking_cards.state = 'active'")
"""Written as the partial index's predicate, so PostgreSQL matches ``ix_parking_cards_expiring``."""


class SqlParkingCardRepository(SqlRepository[ParkingCard]):
    model = ParkingCard
    table = parking_cards
    not_found_code = "parking_card.not_found"

    def for_space(self, property_id: UUID) -> ParkingCard | None:
        return self._one(self._select().where(parking_cards.c.property_id == property_id))

    def expiring(self, community_id: UUID, until: date, limit: int) -> list[ParkingCard]:
        c = parking_cards.c
        return self._all(
            self._select()
            .where(c.community_id == community_id, _ACTIVE, c.valid_until <= until)
            .order_by(c.valid_until, c.id)
            .limit(limit)
        )
