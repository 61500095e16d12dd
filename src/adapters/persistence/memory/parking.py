"""In-memory repositories of the parking context."""

from __future__ import annotations

from datetime import date
from typing import ClassVar
from uuid import UUID

from adapters.persistence.memory.store import InMemoryRepository
from estate_core.parking.card import CardState, ParkingCard


class InMemoryParkingCardRepository(InMemoryRepository[ParkingCard]):
    table = "parking_cards"
    unique = (("property_id",),)
    conflict_codes: ClassVar[dict[tuple[str, ...], str]] = {
        ("property_id",): "parking_card.space_has_a_card"
    }
    not_found_code = "parking_card.not_found"

    def for_space(self, property_id: UUID) -> ParkingCard | None:
        found = self._select(lambda c: c.property_id == property_id)
        return found[0] if found else None

    def expiring(self, community_id: UUID, until: date, limit: int) -> list[ParkingCard]:
        found = self._select(
            lambda c: (
                c.community_id == community_id
                and c.state is CardState.ACTIVE
                and c.valid_until <= until
            )
        )
        return sorted(found, key=lambda c: (c.valid_until, str(c.id)))[:limit]
