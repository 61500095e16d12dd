"""Ports of the community context: repositories, the moderation port and the arrears query."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime
from typing import Protocol
from uuid import UUID

import attrs

from estate_core.community.activity import Activity
from estate_core.community.notice import Notice, NoticeRead, NoticeState
from estate_core.community.visitor import VisitorPass
from estate_core.properties.ports import PropertiesUnitOfWork
from estate_core.shared.money import Money
from estate_core.shared.pagination import Page, PageRequest


@attrs.frozen(kw_only=True)
class ModerationVerdict:
    """The moderation port's answer; ``reason`` says what to fix when not ``allowed``."""

    allowed: bool
    reason: str = ""

    @classmethod
    def allow(cls) -> ModerationVerdict:
        return cls(allowed=True)

    @classmethod
    def refuse(cls, reason: str) -> ModerationVerdict:
        return cls(allowed=False, reason=reason)


class ContentModerator(Protocol):
    """Content moderation 内容审核: refuses spam, advertising and prohibited text (seed 000).

    Rules may differ per tenant (a property company allows its own service phone number).
    """

    def check(self, tenant_id: UUID, text: str) -> ModerationVerdict: ...


class ArrearsQuery(Protocol):
    """The homes of a community whose unpaid, overdue bills total at least ``threshold``.

    Declared here so a dunning letter 催缴函 needs no billing internals; the billing context
    provides the implementation.
    """

    def properties_in_arrears(
        self, tenant_id: UUID, community_id: UUID, threshold: Money, on: date
    ) -> Sequence[UUID]: ...


class NoticeRepository(Protocol):
    def add(self, notice: Notice) -> None: ...

    def get(self, notice_id: UUID) -> Notice: ...

    def find(self, notice_id: UUID) -> Notice | None: ...

    def in_community(
        self, community_id: UUID, page: PageRequest, states: frozenset[NoticeState] | None = None
    ) -> Page[Notice]:
        """Every notice addressed to the community, newest first (staff's list)."""
        ...

    def visible_in_community(
        self, community_id: UUID, property_ids: frozenset[UUID], page: PageRequest
    ) -> Page[Notice]:
        """Published notices of the community that are public or target one of
        ``property_ids``, newest publication first (a resident's list)."""
        ...

    def due(self, now: datetime) -> list[Notice]:
        """Scheduled notices whose publication time has come."""
        ...


class NoticeReadRepository(Protocol):
    """Read receipts, unique by (notice, resident)."""

    def add(self, receipt: NoticeRead) -> None: ...

    def has_read(self, notice_id: UUID, resident_id: UUID) -> bool: ...

    def readers(self, notice_id: UUID) -> frozenset[UUID]: ...

    def read_among(self, resident_id: UUID, notice_ids: Collection[UUID]) -> frozenset[UUID]:
        """Which of ``notice_ids`` the resident has read (the unread dots of a list)."""
        ...


class ActivityRepository(Protocol):
    def add(self, activity: Activity) -> None: ...

    def get(self, activity_id: UUID) -> Activity: ...

    def find(self, activity_id: UUID) -> Activity | None: ...

    def in_community(
        self, community_id: UUID, page: PageRequest, ending_after: datetime | None = None
    ) -> Page[Activity]:
        """Activities of the community by start time; ``ending_after`` hides finished ones."""
        ...


class VisitorPassRepository(Protocol):
    def add(self, visitor_pass: VisitorPass) -> None: ...

    def get(self, pass_id: UUID) -> VisitorPass: ...

    def find(self, pass_id: UUID) -> VisitorPass | None: ...

    def find_by_token(self, token: str) -> VisitorPass | None: ...

    def of_resident(self, resident_id: UUID, page: PageRequest) -> Page[VisitorPass]:
        """The passes a resident registered (访客记录), newest first."""
        ...

    def in_community(self, community_id: UUID, page: PageRequest) -> Page[VisitorPass]:
        """Every pass of a community, newest first (the gate's history)."""
        ...


class CommunityUnitOfWork(PropertiesUnitOfWork, Protocol):
    """Identity and properties (residents, households), plus the community repositories."""

    @property
    def notices(self) -> NoticeRepository: ...

    @property
    def notice_reads(self) -> NoticeReadRepository: ...

    @property
    def activities(self) -> ActivityRepository: ...

    @property
    def visitor_passes(self) -> VisitorPassRepository: ...
