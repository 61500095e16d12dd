"""Repositories of the properties context."""

from __future__ import annotations

from typing import Protocol
from uuid import UUID

from estate_core.identity.ports import IdentityUnitOfWork
from estate_core.properties.model import Household, Property
from estate_core.shared.pagination import Page, PageRequest


class PropertyRepository(Protocol):
    def add(self, prop: Property) -> None: ...

    def get(self, property_id: UUID) -> Property: ...

    def find(self, property_id: UUID) -> Property | None: ...

    def find_by_address(
        self, community_id: UUID, building: str, unit: str, room: str
    ) -> Property | None: ...

    def list_in_community(self, community_id: UUID, page: PageRequest) -> Page[Property]: ...


class HouseholdRepository(Protocol):
    def add(self, household: Household) -> None: ...

    def get(self, household_id: UUID) -> Household: ...

    def for_property(self, property_id: UUID) -> Household | None: ...

    def of_resident(self, resident_id: UUID) -> list[Household]:
        """Every household the resident is a member of (any role, lease not checked)."""
        ...


class PropertiesUnitOfWork(IdentityUnitOfWork, Protocol):
    @property
    def properties(self) -> PropertyRepository: ...

    @property
    def households(self) -> HouseholdRepository: ...
