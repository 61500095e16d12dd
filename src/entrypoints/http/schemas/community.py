"""Community life: notices 通知, activities 活动 and visitor passes 访客通行证."""

from __future__ import annotations

import datetime
from decimal import Decimal
from uuid import UUID

import msgspec

from entrypoints.http.schemas import Body, View
from estate_core.community.activity import ActivityState, SignUpStatus
from estate_core.community.notice import NoticeKind, NoticeState
from estate_core.community.visitor import DEFAULT_MAX_ENTRIES, PassState


class ResidentNoticeView(View):
    id: UUID
    kind: NoticeKind
    title: str
    body: str
    published_at: datetime.datetime
    read: bool


class NoticeView(View):
    id: UUID
    kind: NoticeKind
    title: str
    body: str
    state: NoticeState
    community_ids: list[UUID]
    property_ids: list[UUID]
    created_at: datetime.datetime
    publish_at: datetime.datetime | None
    published_at: datetime.datetime | None
    withdrawn_at: datetime.datetime | None


class NoticeReachView(View):
    """Reach rate 传达率 = audience members who read it / audience size."""

    notice_id: UUID
    audience_size: int
    audience_readers: int
    readers: int
    rate: Decimal


class NoticeStateView(View):
    state: NoticeState


class NewNotice(Body):
    """To whole communities or to given homes, never both."""

    kind: NoticeKind
    title: str
    body: str
    community_ids: list[UUID] = msgspec.field(default_factory=list)
    property_ids: list[UUID] = msgspec.field(default_factory=list)


class Publish(Body):
    """Publish now, or at ``at`` when that is in the future (定时发布)."""

    at: datetime.datetime | None = None


class ActivityView(View):
    id: UUID
    community_id: UUID
    title: str
    description: str
    capacity: int
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    sign_up_deadline: datetime.datetime
    state: ActivityState
    cancel_reason: str
    people: int
    places_left: int
    my_head_count: int | None


class ActivityCountsView(View):
    capacity: int
    sign_ups: int
    people: int
    checked_in_sign_ups: int
    checked_in_people: int
    places_left: int


class SignUpView(View):
    resident_id: UUID
    name: str
    phone: str
    head_count: int
    status: SignUpStatus
    signed_up_at: datetime.datetime
    checked_in_at: datetime.datetime | None


class NewActivity(Body):
    title: str
    capacity: int
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    sign_up_deadline: datetime.datetime
    description: str = ""


class HeadCount(Body):
    head_count: int = 1


class CheckInResident(Body):
    resident_id: UUID


class VisitorEntryView(View):
    at: datetime.datetime
    guard_id: UUID


class VisitorPassView(View):
    """``token`` only in its creator's own history."""

    id: UUID
    community_id: UUID
    property_id: UUID
    visitor_name: str
    visitor_phone: str
    head_count: int
    plate: str
    valid_from: datetime.datetime
    valid_until: datetime.datetime
    max_entries: int
    state: PassState
    created_at: datetime.datetime
    entries: list[VisitorEntryView]
    token: str | None


class IssuedPassView(View):
    pass_id: UUID
    token: str
    valid_from: datetime.datetime
    valid_until: datetime.datetime
    max_entries: int


class GateCheckView(View):
    pass_id: UUID
    visitor_name: str
    visitor_phone: str
    head_count: int
    plate: str
    address: str
    valid_until: datetime.datetime
    entries_left: int


class NewVisitorPass(Body):
    property_id: UUID
    visitor_name: str
    visitor_phone: str
    head_count: int = 1
    plate: str = ""
    valid_from: datetime.datetime | None = None
    valid_until: datetime.datetime | None = None
    max_entries: int = DEFAULT_MAX_ENTRIES


class VerifyPass(Body):
    """The scanned token; ``communityId`` is the gate's community, when the guard's app knows it."""

    token: str
    community_id: UUID | None = None
