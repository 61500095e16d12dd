"""Use cases of Complaint 投诉建议.

Complaints are one-to-one (seed 001 §2.2.3): only the complainant and staff holding
complaint.handle whose data scope covers the community see one. Everyone else, including staff
out of scope, gets ``complaint.not_found``, so not even its existence leaks.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from uuid import UUID

import attrs

from estate_core.properties.services import require_member
from estate_core.service.common import Rating
from estate_core.service.complaint import (
    REPLY_WINDOW,
    Complaint,
    ComplaintCategory,
    ComplaintKind,
    ComplaintStatus,
)
from estate_core.service.errors import ComplaintNotFound
from estate_core.service.ports import ServiceUnitOfWork
from estate_core.service.statistics import ServiceReport, period_bounds, report
from estate_core.service.support import contact_phone, map_page, require_resident
from estate_core.service.views import (
    ComplaintSummary,
    ComplaintView,
    complaint_summary,
    complaint_view,
)
from estate_core.shared.access import (
    Actor,
    Permission,
    ResidentActor,
    StaffActor,
    require_staff,
)
from estate_core.shared.clock import Clock, local_date
from estate_core.shared.errors import ConcurrencyConflict
from estate_core.shared.ids import new_id
from estate_core.shared.pagination import Page, PageRequest


def may_see(actor: Actor, complaint: Complaint) -> bool:
    """The complainant, or complaint.handle staff whose scope covers the community."""
    if isinstance(actor, ResidentActor):
        return actor.resident_id == complaint.resident_id
    if isinstance(actor, StaffActor):
        return actor.can(Permission.COMPLAINT_HANDLE, complaint.community_id)
    return False


def _visible(uow: ServiceUnitOfWork, actor: Actor, complaint_id: UUID) -> Complaint:
    complaint = uow.complaints.find(complaint_id)
    if complaint is None or not may_see(actor, complaint):
        raise ComplaintNotFound("no such complaint")
    return complaint


def _for_staff(
    uow: ServiceUnitOfWork, actor: Actor, complaint_id: UUID
) -> tuple[Complaint, StaffActor]:
    complaint = _visible(uow, actor, complaint_id)
    return complaint, require_staff(actor, Permission.COMPLAINT_HANDLE, complaint.community_id)


def _for_complainant(
    uow: ServiceUnitOfWork, actor: Actor, complaint_id: UUID
) -> tuple[Complaint, ResidentActor]:
    resident = require_resident(actor)
    return _visible(uow, resident, complaint_id), resident


@attrs.frozen(kw_only=True)
class SubmitComplaint:
    property_id: UUID
    kind: ComplaintKind
    category: ComplaintCategory
    text: str
    photos: Sequence[str] = ()
    contact_phone: str | None = None


def submit_complaint(
    uow: ServiceUnitOfWork, clock: Clock, actor: Actor, cmd: SubmitComplaint
) -> UUID:
    """Only an active member of the chosen property may complain or suggest (seed 004)."""
    resident = require_resident(actor)
    now = clock.now()
    with uow:
        household, _ = require_member(uow, resident.resident_id, cmd.property_id, local_date(now))
        complaint = Complaint.submit(
            id=new_id(),
            tenant_id=uow.tenant_id,
            community_id=household.community_id,
            property_id=cmd.property_id,
            resident_id=resident.resident_id,
            kind=cmd.kind,
            category=cmd.category,
            text=cmd.text,
            photos=cmd.photos,
            contact_phone=contact_phone(uow, resident.resident_id, cmd.contact_phone),
            at=now,
        )
        uow.complaints.add(complaint)
        uow.commit()
        return complaint.id


def accept_complaint(
    uow: ServiceUnitOfWork, clock: Clock, actor: Actor, complaint_id: UUID
) -> None:
    """受理: the acting staff member becomes the handler."""
    with uow:
        complaint, staff = _for_staff(uow, actor, complaint_id)
        complaint.accept(staff.staff_id, clock.now())
        uow.commit()


@attrs.frozen(kw_only=True)
class ReplyToComplaint:
    complaint_id: UUID
    text: str


def reply_to_complaint(
    uow: ServiceUnitOfWork, clock: Clock, actor: Actor, cmd: ReplyToComplaint
) -> None:
    with uow:
        complaint, staff = _for_staff(uow, actor, cmd.complaint_id)
        complaint.reply(staff.staff_id, cmd.text, clock.now())
        uow.commit()


@attrs.frozen(kw_only=True)
class ReopenComplaint:
    complaint_id: UUID
    reason: str


def reopen_complaint(
    uow: ServiceUnitOfWork, clock: Clock, actor: Actor, cmd: ReopenComplaint
) -> None:
    """The complainant reopens a reply they are not satisfied with: once, within 7 days."""
    with uow:
        complaint, resident = _for_complainant(uow, actor, cmd.complaint_id)
        complaint.reopen(resident.resident_id, cmd.reason, clock.now())
        uow.commit()


@attrs.frozen(kw_only=True)
class RateComplaint:
    complaint_id: UUID
    stars: int
    text: str = ""


def rate_complaint(uow: ServiceUnitOfWork, clock: Clock, actor: Actor, cmd: RateComplaint) -> None:
    rating = Rating(stars=cmd.stars, text=cmd.text)
    with uow:
        complaint, resident = _for_complainant(uow, actor, cmd.complaint_id)
        complaint.rate(resident.resident_id, rating, clock.now())
        uow.commit()


@attrs.frozen(kw_only=True)
class RecordComplaintVisit:
    complaint_id: UUID
    note: str


def record_complaint_visit(
    uow: ServiceUnitOfWork, clock: Clock, actor: Actor, cmd: RecordComplaintVisit
) -> None:
    with uow:
        complaint, staff = _for_staff(uow, actor, cmd.complaint_id)
        complaint.record_visit(staff.staff_id, clock.now(), cmd.note)
        uow.commit()


def close_unrated_complaints(uow: ServiceUnitOfWork, now: datetime) -> list[UUID]:
    """The worker's job: close replies left unrated and not reopened for 7 days, one by one."""
    with uow:
        due = [c.id for c in uow.complaints.replied_before(now - REPLY_WINDOW)]
    closed = []
    for complaint_id in due:
        with uow:
            complaint = uow.complaints.get(complaint_id)
            if not complaint.auto_close_due(now):
                continue
            complaint.close_unrated(now)
            try:
                uow.commit()
            except ConcurrencyConflict:
                continue
            closed.append(complaint_id)
    return closed


def get_complaint(uow: ServiceUnitOfWork, actor: Actor, complaint_id: UUID) -> ComplaintView:
    """The complaint with its replies and progress; NotFound for anyone who may not see it."""
    with uow:
        return complaint_view(_visible(uow, actor, complaint_id))


def my_complaints(
    uow: ServiceUnitOfWork, actor: Actor, page: PageRequest
) -> Page[ComplaintSummary]:
    """投诉记录: the resident's complaints and suggestions, newest first."""
    resident = require_resident(actor)
    with uow:
        return map_page(uow.complaints.of_resident(resident.resident_id, page), complaint_summary)


@attrs.frozen(kw_only=True)
class ListCommunityComplaints:
    community_id: UUID
    status: ComplaintStatus | None = None
    page: PageRequest = attrs.field(factory=PageRequest)


def community_complaints(
    uow: ServiceUnitOfWork, actor: Actor, query: ListCommunityComplaints
) -> Page[ComplaintSummary]:
    """Progress (办理进度) for staff by data scope (seed 001 §2.3.4)."""
    require_staff(actor, Permission.COMPLAINT_HANDLE, query.community_id)
    with uow:
        found = uow.complaints.in_community(query.community_id, query.status, query.page)
        return map_page(found, complaint_summary)


@attrs.frozen(kw_only=True)
class ComplaintStatisticsQuery:
    community_id: UUID
    start: date
    end: date


def complaint_statistics(
    uow: ServiceUnitOfWork, actor: Actor, query: ComplaintStatisticsQuery
) -> ServiceReport:
    """Complaints submitted on local dates start..end: the community's figures and each
    handler's (response = accepted, resolution = the reply that stood)."""
    require_staff(actor, Permission.REPORT_READ, query.community_id)
    since, until = period_bounds(query.start, query.end)
    with uow:
        found = uow.complaints.submitted_between(query.community_id, since, until)
        records = [complaint.service_record() for complaint in found]
    return report(query.community_id, query.start, query.end, records)
