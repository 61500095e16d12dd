"""A small estate of communities, homes and residents for the community tests."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from adapters.persistence.memory import InMemoryStore, InMemoryUnitOfWork
from estate_core.community.notice import NoticeKind, NoticeState
from estate_core.community.ports import ContentModerator
from estate_core.community.services.notice_reading import notices_for_resident
from estate_core.community.services.notices import (
    CreateNotice,
    PublishNotice,
    create_notice,
    publish_notice,
)
from estate_core.shared.access import Permission, ResidentActor, StaffActor
from estate_core.shared.clock import FixedClock
from estate_core.shared.ids import new_id
from estate_core.shared.pagination import PageRequest
from world_builders import EstateBase


def staff(*permissions: Permission, communities: frozenset[UUID] | None = None) -> StaffActor:
    """A staff member holding only ``permissions``, in ``communities`` (None: every one)."""
    return StaffActor(
        staff_id=new_id(), permissions=frozenset(permissions), community_ids=communities
    )


class Estate(EstateBase):
    """Builds residents and homes through the properties use cases, on the in-memory store."""

    def __init__(
        self, store: InMemoryStore, uow: InMemoryUnitOfWork, clock: FixedClock, admin: StaffActor
    ) -> None:
        self.store = store
        super().__init__(uow, clock, admin)

    def disable(self, resident: ResidentActor) -> None:
        with self.uow:
            self.uow.residents.get(resident.resident_id).disabled = True
            self.uow.commit()

    def events(self, name: str) -> list[dict[str, Any]]:
        """The payloads of the committed events called ``name``, oldest first."""
        return [m.payload for m in self.store.outbox if m.event_name == name]


DEFAULT_BODY = "本周六上午9点至12点停水，请提前储水。"


def draft_notice(estate: Estate, body: str = DEFAULT_BODY, **audience: Any) -> UUID:
    """A general draft notice, to the estate's community unless an audience is given."""
    if not audience:
        audience = {"community_ids": frozenset({estate.community_id})}
    return create_notice(
        estate.uow,
        estate.clock,
        estate.admin,
        CreateNotice(kind=NoticeKind.GENERAL, title="停水通知", body=body, **audience),
    )


def publish_now(estate: Estate, notice_id: UUID, moderator: ContentModerator) -> NoticeState:
    return publish_notice(
        estate.uow, estate.clock, moderator, estate.admin, PublishNotice(notice_id=notice_id)
    )


def visible_notices(
    estate: Estate, resident: ResidentActor, community_id: UUID | None = None
) -> list[UUID]:
    """The ids of the notices the resident's list shows for a community, newest first."""
    page = notices_for_resident(
        estate.uow, estate.clock, resident, community_id or estate.community_id, PageRequest()
    )
    return [n.id for n in page.items]
