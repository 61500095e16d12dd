"""Ports of the parking context."""

from __future__ import annotations

from datetime import date
from typing import Protocol
from uuid import UUID

from estate_core.parking.card import ParkingCard
from estate_core.properties.ports import PropertiesUnitOfWork


class ParkingCardRepository(Protocol):
    """One card per parking space (code ``parking_card.space_has_a_card``)."""

    def add(self, card: ParkingCard) -> None: ...

    def get(self, card_id: UUID) -> ParkingCard: ...

    def find(self, card_id: UUID) -> ParkingCard | None: ...

    def for_space(self, property_id: UUID) -> ParkingCard | None: ...

    def expiring(self, community_id: UUID, until: date, limit: int) -> list[ParkingCard]:
        """Active cards of the community valid until ``until`` or earlier, soonest first."""
        ...


class ParkingUnitOfWork(PropertiesUnitOfWork, Protocol):
    @property
    def parking_cards(self) -> ParkingCardRepository: ...
