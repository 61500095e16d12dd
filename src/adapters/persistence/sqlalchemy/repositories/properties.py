"""Repositories of the properties context."""

from __future__ import annotations

from uuid import UUID

import sqlalchemy as sa

from adapters.persistence.sqlalchemy.repositories.base import SqlRepository
from adapters.persistence.sqlalchemy.tables.properties import (
    household_members,
    households,
    properties,
)
from estate_core.properties.model import Household, Property
from estate_core.shared.pagination import Page, PageRequest


class SqlPropertyRepository(SqlRepository[Property]):
    model = Property
    table = properties
    not_found_code = "property.not_found"

    def find_by_address(
        self, community_id: UUID, building: str, unit: str, room: str
    ) -> Property | None:
        return self._one(
            self._select().where(
                properties.c.community_id == community_id,
                properties.c.building == building,
                properties.c.unit == unit,
                properties.c.room == room,
            )
        )

    def list_in_community(self, community_id: UUID, page: PageRequest) -> Page[Property]:
        """By address; served by the unique index (tenant, community, building, unit, room)."""
        c = properties.c
        return self._page(
            self._select().where(c.community_id == community_id),
            order=[c.building, c.unit, c.room, c.id],
            key=lambda p: (p.building, p.unit, p.room, p.id),
            page=page,
        )


class SqlHouseholdRepository(SqlRepository[Household]):
    model = Household
    table = households
    not_found_code = "household.not_found"

    def for_property(self, property_id: UUID) -> Household | None:
        return self._one(self._select().where(households.c.property_id == property_id))

    def of_resident(self, resident_id: UUID) -> list[Household]:
        m = household_members.c
        memberships = sa.select(m.household_id).where(
            m.tenant_id == self._tenant_id, m.resident_id == resident_id
        )
        return self._all(
            self._select().where(households.c.id.in_(memberships)).order_by(households.c.id)
        )
