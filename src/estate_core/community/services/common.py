"""Helpers shared by the community use cases."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from estate_core.identity.model import Resident
from estate_core.properties.ports import PropertiesUnitOfWork
from estate_core.shared.errors import InvalidInput, NotFound, PermissionDenied


def active_resident(uow: PropertiesUnitOfWork, resident_id: UUID) -> Resident:
    """The acting resident, refused when staff have disabled the account (seed 001: 黑名单制)."""
    resident = uow.residents.find(resident_id)
    if resident is None or resident.disabled:
        raise PermissionDenied("resident.disabled", "this account is disabled")
    return resident


def require_communities(uow: PropertiesUnitOfWork, community_ids: frozenset[UUID]) -> None:
    """Every community must be one of this tenant's (小区 belongs to one property company)."""
    for community_id in community_ids:
        if uow.communities.find(community_id) is None:
            raise NotFound("community.not_found", "no such community")


def member_property_ids(
    uow: PropertiesUnitOfWork, resident_id: UUID, today: date, community_id: UUID | None = None
) -> frozenset[UUID]:
    """The homes the resident is an active member of today, optionally in one community."""
    return frozenset(
        household.property_id
        for household in uow.households.of_resident(resident_id)
        if household.role_of(resident_id, today) is not None
        and (community_id is None or household.community_id == community_id)
    )


def aware(at: datetime, name: str) -> datetime:
    """Refuse naive datetimes: every stored time is an instant."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise InvalidInput("time.naive", f"{name} needs a time zone")
    return at
