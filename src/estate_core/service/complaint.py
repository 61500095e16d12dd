"""Complaint 投诉建议: a complaint or suggestion, one-to-one between a resident and the company.

``submitted → accepted`` (a handler takes it) ``→ replied → closed`` (the resident rates it, or
it closes by itself 7 days after the reply). Within those 7 days the resident may reopen the reply
once (``replied → accepted``). After closing, customer service records a return visit 回访.
The table :data:`TRANSITIONS` is the whole state machine (DESIGN.md §4, seeds 001 §2.2.3, 004).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TypedDict
from uuid import UUID

import attrs

from estate_core.service import events
from estate_core.service.common import (
    ActorRef,
    Rating,
    ReturnVisit,
    TimelineEntry,
    photo_keys,
    required_text,
)
from estate_core.service.errors import (
    AlreadyVisited,
    NotComplainant,
    ReasonRequired,
    ReopenUsed,
    ReopenWindowClosed,
    TooEarlyToClose,
)
from estate_core.service.statistics import ServiceRecord
from estate_core.shared.errors import InvalidTransition
from estate_core.shared.events import Aggregate

REPLY_WINDOW = timedelta(days=7)
"""After a reply the resident has 7 days to rate or reopen it; then it closes by itself."""


class ComplaintKind(enum.StrEnum):
    COMPLAINT = "complaint"
    """投诉"""
    SUGGESTION = "suggestion"
    """建议"""


class ComplaintCategory(enum.StrEnum):
    ENGINEERING = "engineering"
    """工程维修"""
    STAFF = "staff"
    """服务人员"""
    ENVIRONMENT = "environment"
    """环境绿化"""
    SECURITY = "security"
    """安保"""
    OTHER = "other"
    """其他"""


class ComplaintStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    REPLIED = "replied"
    CLOSED = "closed"


class ComplaintAction(enum.StrEnum):
    ACCEPT = "accept"
    REPLY = "reply"
    REOPEN = "reopen"
    RATE = "rate"
    AUTO_CLOSE = "auto_close"
    VISIT = "visit"


S, A = ComplaintStatus, ComplaintAction

TRANSITIONS: dict[tuple[ComplaintStatus, ComplaintAction], ComplaintStatus] = {
    (S.SUBMITTED, A.ACCEPT): S.ACCEPTED,
    (S.ACCEPTED, A.REPLY): S.REPLIED,
    (S.REPLIED, A.REOPEN): S.ACCEPTED,
    (S.REPLIED, A.RATE): S.CLOSED,
    (S.REPLIED, A.AUTO_CLOSE): S.CLOSED,
    (S.CLOSED, A.VISIT): S.CLOSED,
}


@attrs.frozen(kw_only=True)
class Reply:
    """The company's answer (反馈信息), kept in full even after a reopen."""

    at: datetime
    staff_id: UUID
    text: str


class _Refs(TypedDict):
    complaint_id: UUID
    community_id: UUID
    resident_id: UUID


@attrs.define(slots=False, eq=False, kw_only=True)
class Complaint(Aggregate):
    """Complaint 投诉建议 about one bound property's community, private to its complainant."""

    id: UUID
    tenant_id: UUID
    community_id: UUID
    property_id: UUID
    resident_id: UUID
    kind: ComplaintKind
    category: ComplaintCategory
    text: str
    photos: list[str] = attrs.field(factory=list)
    contact_phone: str
    status: ComplaintStatus = ComplaintStatus.SUBMITTED
    created_at: datetime
    handler_id: UUID | None = None
    accepted_at: datetime | None = None
    replies: list[Reply] = attrs.field(factory=list)
    replied_at: datetime | None = None
    reopened_at: datetime | None = None
    reopen_reason: str = ""
    closed_at: datetime | None = None
    rating: Rating | None = None
    visit: ReturnVisit | None = None
    timeline: list[TimelineEntry] = attrs.field(factory=list)

    @classmethod
    def submit(
        cls,
        *,
        id: UUID,
        tenant_id: UUID,
        community_id: UUID,
        property_id: UUID,
        resident_id: UUID,
        kind: ComplaintKind,
        category: ComplaintCategory,
        text: str,
        photos: Sequence[str],
        contact_phone: str,
        at: datetime,
    ) -> Complaint:
        complaint = cls(
            id=id,
            tenant_id=tenant_id,
            community_id=community_id,
            property_id=property_id,
            resident_id=resident_id,
            kind=kind,
            category=category,
            text=required_text(text, "complaint.invalid_text", "the text"),
            photos=photo_keys(photos),
            contact_phone=contact_phone,
            created_at=at,
        )
        complaint.timeline.append(
            TimelineEntry(
                at=at,
                action="submit",
                status=complaint.status.value,
                actor=ActorRef.resident(resident_id),
            )
        )
        complaint.record(
            events.ComplaintSubmitted(**complaint._refs(), kind=kind, category=category)
        )
        return complaint

    def _refs(self) -> _Refs:
        return {
            "complaint_id": self.id,
            "community_id": self.community_id,
            "resident_id": self.resident_id,
        }

    def _target(self, action: ComplaintAction) -> ComplaintStatus:
        target = TRANSITIONS.get((self.status, action))
        if target is None:
            raise InvalidTransition("complaint", self.status.value, action.value)
        return target

    def _move(
        self,
        action: ComplaintAction,
        target: ComplaintStatus,
        by: ActorRef,
        at: datetime,
        event: events.ComplaintEvent,
        note: str = "",
    ) -> None:
        self.status = target
        self.timeline.append(
            TimelineEntry(at=at, action=action.value, status=target.value, actor=by, note=note)
        )
        self.record(event)

    def _require_complainant(self, resident_id: UUID) -> None:
        if resident_id != self.resident_id:
            raise NotComplainant("only the complainant may do this")

    def accept(self, staff_id: UUID, at: datetime) -> None:
        """受理: the accepting staff member becomes the handler."""
        target = self._target(A.ACCEPT)
        self.handler_id = staff_id
        self.accepted_at = at
        event = events.ComplaintAccepted(**self._refs(), handler_id=staff_id)
        self._move(A.ACCEPT, target, ActorRef.staff(staff_id), at, event)

    def reply(self, staff_id: UUID, text: str, at: datetime) -> None:
        """反馈: the answer the resident is sent; it opens the 7-day rating / reopen window."""
        target = self._target(A.REPLY)
        text = required_text(text, "complaint.invalid_reply", "the reply")
        self.replies.append(Reply(at=at, staff_id=staff_id, text=text))
        self.replied_at = at
        event = events.ComplaintReplied(**self._refs(), staff_id=staff_id, text=text)
        self._move(A.REPLY, target, ActorRef.staff(staff_id), at, event, text)

    def reopen(self, resident_id: UUID, reason: str, at: datetime) -> None:
        """The complainant is not satisfied with the reply: once, within 7 days of it."""
        target = self._target(A.REOPEN)
        self._require_complainant(resident_id)
        if self.reopened_at is not None:
            raise ReopenUsed("a reply may be reopened only once")
        if self.replied_at is None or at >= self.replied_at + REPLY_WINDOW:
            raise ReopenWindowClosed("a reply may be reopened only within 7 days")
        reason = reason.strip()
        if not reason:
            raise ReasonRequired("say why the reply does not settle it")
        reason = required_text(reason, "complaint.invalid_reason", "the reason")
        self.reopened_at = at
        self.reopen_reason = reason
        self.replied_at = None
        event = events.ComplaintReopened(**self._refs(), handler_id=self.handler_id, reason=reason)
        self._move(A.REOPEN, target, ActorRef.resident(resident_id), at, event, reason)

    def rate(self, resident_id: UUID, rating: Rating, at: datetime) -> None:
        target = self._target(A.RATE)
        self._require_complainant(resident_id)
        self.rating = rating
        self.closed_at = at
        event = events.ComplaintClosed(**self._refs(), stars=rating.stars, automatic=False)
        self._move(A.RATE, target, ActorRef.resident(resident_id), at, event, rating.text)

    def auto_close_due(self, now: datetime) -> bool:
        return (
            self.status is S.REPLIED
            and self.replied_at is not None
            and now >= self.replied_at + REPLY_WINDOW
        )

    def close_unrated(self, at: datetime) -> None:
        target = self._target(A.AUTO_CLOSE)
        if not self.auto_close_due(at):
            raise TooEarlyToClose("the resident may still rate or reopen the reply")
        self.closed_at = at
        event = events.ComplaintClosed(**self._refs(), stars=None, automatic=True)
        self._move(A.AUTO_CLOSE, target, ActorRef.system("complaint.auto_close"), at, event)

    def record_visit(self, staff_id: UUID, at: datetime, note: str) -> None:
        target = self._target(A.VISIT)
        if self.visit is not None:
            raise AlreadyVisited("the return visit is already recorded")
        note = required_text(note, "complaint.invalid_note", "the visit's result")
        self.visit = ReturnVisit(at=at, staff_id=staff_id, note=note)
        event = events.ComplaintVisited(**self._refs(), staff_id=staff_id)
        self._move(A.VISIT, target, ActorRef.staff(staff_id), at, event, note)

    def service_record(self) -> ServiceRecord:
        """As the statistics see it: response = accepted, resolution = (latest) reply."""
        return ServiceRecord(
            reported_at=self.created_at,
            assignee_id=self.handler_id,
            responded_at=self.accepted_at,
            resolved_at=self.replied_at,
            stars=self.rating.stars if self.rating else None,
            void=False,
        )
