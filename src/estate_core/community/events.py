"""Community events: what the worker turns into pushes, SMS and gate logs."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import attrs

from estate_core.shared.events import DomainEvent


@attrs.frozen(kw_only=True)
class NoticeScheduled(DomainEvent):
    notice_id: UUID
    publish_at: datetime


@attrs.frozen(kw_only=True)
class NoticePublished(DomainEvent):
    """Push the notice to its audience; ``sms`` asks the worker to text them too (urgent)."""

    notice_id: UUID
    kind: str
    title: str
    community_ids: frozenset[UUID]
    property_ids: frozenset[UUID]
    sms: bool


@attrs.frozen(kw_only=True)
class NoticeWithdrawn(DomainEvent):
    notice_id: UUID


@attrs.frozen(kw_only=True)
class ActivityCreated(DomainEvent):
    activity_id: UUID
    community_id: UUID
    title: str
    starts_at: datetime


@attrs.frozen(kw_only=True)
class ActivitySignedUp(DomainEvent):
    activity_id: UUID
    resident_id: UUID
    head_count: int


@attrs.frozen(kw_only=True)
class ActivitySignUpCancelled(DomainEvent):
    activity_id: UUID
    resident_id: UUID
    head_count: int


@attrs.frozen(kw_only=True)
class ActivityCheckedIn(DomainEvent):
    activity_id: UUID
    resident_id: UUID
    staff_id: UUID


@attrs.frozen(kw_only=True)
class ActivityCancelled(DomainEvent):
    """Tell everyone still signed up that the activity will not take place."""

    activity_id: UUID
    reason: str
    resident_ids: frozenset[UUID]


@attrs.frozen(kw_only=True)
class VisitorPassIssued(DomainEvent):
    pass_id: UUID
    property_id: UUID
    resident_id: UUID
    valid_from: datetime
    valid_until: datetime


@attrs.frozen(kw_only=True)
class VisitorAdmitted(DomainEvent):
    """A guard let the party in; the host is told their visitor has arrived."""

    pass_id: UUID
    resident_id: UUID
    guard_id: UUID
    at: datetime
    head_count: int


@attrs.frozen(kw_only=True)
class VisitorPassRevoked(DomainEvent):
    pass_id: UUID
    by_staff: bool
