"""Who may act in commerce: residents in good standing, staff in scope, a clerk for one merchant."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar
from uuid import UUID

from estate_core.commerce.ports import CommerceUnitOfWork
from estate_core.identity.model import Resident
from estate_core.shared.access import (
    Actor,
    Permission,
    ResidentActor,
    StaffActor,
    SystemActor,
    require_staff,
)
from estate_core.shared.errors import PermissionDenied
from estate_core.shared.pagination import Page

T = TypeVar("T")
V = TypeVar("V")

JOB_BATCH = 500
"""How many rows one run of a scheduled job handles; the next run takes the rest."""


def resident_id_of(actor: Actor) -> UUID:
    if not isinstance(actor, ResidentActor):
        raise PermissionDenied("permission.resident_only", "only a resident may do this")
    return actor.resident_id


def require_active_resident(uow: CommerceUnitOfWork, actor: Actor) -> Resident:
    resident = uow.residents.find(resident_id_of(actor))
    if resident is None or resident.disabled:
        raise PermissionDenied("resident.disabled", "this account is disabled")
    return resident


def require_system(actor: Actor) -> SystemActor:
    if not isinstance(actor, SystemActor):
        raise PermissionDenied("permission.system_only", "only a scheduled job may do this")
    return actor


def require_merchant_staff(
    actor: Actor,
    permission: Permission,
    merchant_id: UUID | None,
    community_ids: Iterable[UUID] = (),
) -> StaffActor:
    """Staff holding ``permission`` in every one of ``community_ids``.

    A merchant clerk (a staff account tied to a merchant) acts only for that merchant; with
    ``merchant_id`` None (something not tied to one merchant) a clerk is refused outright.
    """
    staff = require_staff(actor, permission)
    for community_id in community_ids:
        staff.require(permission, community_id)
    if staff.merchant_id is not None and staff.merchant_id != merchant_id:
        raise PermissionDenied("merchant.other_merchant", "you act only for your own merchant")
    return staff


def page_of(page: Page[T], view: Callable[[T], V]) -> Page[V]:
    return Page(items=[view(item) for item in page.items], next_cursor=page.next_cursor)
