"""In-memory repositories of the properties context."""

from __future__ import annotations

from uuid import UUID

from adapters.persistence.memory.store import InMemoryRepository
from estate_core.properties.model import Household, Property
from estate_core.shared.pagination import Page, PageRequest, paginate


class InMemoryPropertyRepository(InMemoryRepository[Property]):
    table = "properties"
    unique = (("community_id", "building", "unit", "room"),)
    not_found_code = "property.not_found"

    def find_by_address(
        self, community_id: UUID, building: str, unit: str, room: str
    ) -> Property | None:
        found = self._select(
            lambda p: (
                (p.community_id, p.building, p.unit, p.room) == (community_id, building, unit, room)
            )
        )
        return found[0] if found else None

    def list_in_community(self, community_id: UUID, page: PageRequest) -> Page[Property]:
        return paginate(
            self._select(lambda p: p.community_id == community_id),
            key=lambda p: (p.building, p.unit, p.room, str(p.id)),
            request=page,
        )


class InMemoryHouseholdRepository(InMemoryRepository[Household]):
    table = "households"
    unique = (("property_id",),)
    not_found_code = "household.not_found"

    def for_property(self, property_id: UUID) -> Household | None:
        found = self._select(lambda h: h.property_id == property_id)
        return found[0] if found else None

    def of_resident(self, resident_id: UUID) -> list[Household]:
        return self._select(lambda h: any(m.resident_id == resident_id for m in h.members))
