"""Small builders of aggregates for the persistence tests."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import attrs
from sqlalchemy.engine import URL

from estate_core.identity.model import Resident
from estate_core.properties.model import Household, OwnerOfRecord, Property, PropertyKind
from estate_core.shared.events import OutboxMessage
from estate_core.shared.ids import new_id

CREATED = datetime(2026, 1, 1, tzinfo=UTC)


def sqlite_url(path: Path) -> URL:
    return URL.create("sqlite+pysqlite", database=str(path))


@attrs.frozen
class Backend:
    """One persistence backend as the contract suite sees it."""

    name: str
    uow: Callable[[UUID], Any]
    outbox: Callable[[], list[OutboxMessage]]


def a_resident(tenant_id: UUID, phone: str = "13800000001", name: str = "") -> Resident:
    return Resident(id=new_id(), tenant_id=tenant_id, phone=phone, name=name, created_at=CREATED)


def a_property(
    tenant_id: UUID,
    community_id: UUID,
    building: str = "1",
    unit: str = "1",
    room: str = "101",
    owner: OwnerOfRecord | None = None,
) -> Property:
    return Property(
        id=new_id(),
        tenant_id=tenant_id,
        community_id=community_id,
        kind=PropertyKind.RESIDENCE,
        building=building,
        unit=unit,
        room=room,
        area=Decimal("89.25"),
        owner_of_record=owner,
    )


def a_household(prop: Property) -> Household:
    return Household(
        id=new_id(),
        tenant_id=prop.tenant_id,
        community_id=prop.community_id,
        property_id=prop.id,
    )


def add_owners(
    uow: Any,
    community_id: UUID,
    owners: Sequence[Resident],
    at: datetime,
    *,
    rooms: Iterable[str],
    building: str = "1",
) -> list[Property]:
    """Add each resident to ``uow`` with a home of its own in the community (one room each, in
    order), bound as the home's owner at ``at``. The homes, in the residents' order."""
    homes = []
    for owner, room in zip(owners, rooms, strict=True):
        home = a_property(owner.tenant_id, community_id, building=building, room=room)
        household = a_household(home)
        household.bind_owner(owner.id, at)
        uow.residents.add(owner)
        uow.properties.add(home)
        uow.households.add(household)
        homes.append(home)
    return homes
