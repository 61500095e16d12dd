"""Helpers shared by the work-order and complaint use cases."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar
from uuid import UUID

from estate_core.identity.model import normalize_phone
from estate_core.properties.ports import PropertiesUnitOfWork
from estate_core.shared.access import Actor, ResidentActor
from estate_core.shared.errors import PermissionDenied
from estate_core.shared.pagination import Page

T = TypeVar("T")
R = TypeVar("R")


def require_resident(actor: Actor) -> ResidentActor:
    if not isinstance(actor, ResidentActor):
        raise PermissionDenied("permission.resident_only", "only a resident may do this")
    return actor


def contact_phone(uow: PropertiesUnitOfWork, resident_id: UUID, given: str | None) -> str:
    """The phone to call back on: the one given, or else the resident's own."""
    if given is not None and given.strip():
        return normalize_phone(given)
    return uow.residents.get(resident_id).phone


def map_page(page: Page[T], convert: Callable[[T], R]) -> Page[R]:
    return Page(items=[convert(item) for item in page.items], next_cursor=page.next_cursor)
