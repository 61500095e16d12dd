"""Properties events."""

from __future__ import annotations

from uuid import UUID

import attrs

from estate_core.shared.events import DomainEvent


@attrs.frozen(kw_only=True)
class OwnerBound(DomainEvent):
    property_id: UUID
    resident_id: UUID
    automatic: bool


@attrs.frozen(kw_only=True)
class OwnerUnbound(DomainEvent):
    property_id: UUID
    resident_id: UUID


@attrs.frozen(kw_only=True)
class MemberAdded(DomainEvent):
    property_id: UUID
    resident_id: UUID
    role: str


@attrs.frozen(kw_only=True)
class MemberRemoved(DomainEvent):
    property_id: UUID
    resident_id: UUID
