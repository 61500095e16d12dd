"""Complaints and suggestions 投诉建议: private to the complainant and the staff handling them.
Residents submit, reopen and rate; staff with ``complaint.handle`` accept, reply and visit."""

from __future__ import annotations

from uuid import UUID

from litestar import Response, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_204_NO_CONTENT

from entrypoints.bootstrap import Estate
from entrypoints.http.api.uploads import photo_response
from entrypoints.http.auth import Caller
from entrypoints.http.schemas import PageOf
from entrypoints.http.schemas.identity import Created
from entrypoints.http.schemas.service import (
    ComplaintSummaryView,
    ComplaintView,
    NewComplaint,
    Note,
    Rate,
    Reason,
    ReplyText,
)
from entrypoints.http.uploads import require_photos
from entrypoints.http.views import page_request, paged, view
from estate_core.service import complaint_services as complaints
from estate_core.service.complaint import ComplaintStatus
from estate_core.shared.access import Permission
from estate_core.shared.files import FileStorage

Estate_ = NamedDependency[Estate]
Caller_ = NamedDependency[Caller]
HANDLE = {"permission": Permission.COMPLAINT_HANDLE}


@post("/complaints", sync_to_thread=True, summary="Submit a complaint or suggestion (resident)")
def submit(
    data: JSONBody[NewComplaint],
    resident: Caller_,
    estate: Estate_,
    files: NamedDependency[FileStorage],
) -> Created:
    created = complaints.submit_complaint(
        estate.uow(resident.tenant_id),
        estate.clock,
        resident.actor,
        complaints.SubmitComplaint(
            property_id=data.property_id,
            kind=data.kind,
            category=data.category,
            text=data.text,
            photos=require_photos(files, resident.tenant_id, data.photos),
            contact_phone=data.contact_phone,
        ),
    )
    return Created(id=created)


@get("/complaints/mine", sync_to_thread=True, summary="My complaints, newest first (resident)")
def mine(
    resident: Caller_,
    estate: Estate_,
    limit: FromQuery[int] = 20,
    after: FromQuery[str | None] = None,
) -> PageOf[ComplaintSummaryView]:
    found = complaints.my_complaints(
        estate.uow(resident.tenant_id), resident.actor, page_request(limit, after)
    )
    return paged(ComplaintSummaryView, found)


@get(
    "/communities/{community_id:uuid}/complaints",
    sync_to_thread=True,
    opt=HANDLE,
    summary="A community's complaints (staff)",
)
def in_community(
    community_id: FromPath[UUID],
    staff: Caller_,
    estate: Estate_,
    status: FromQuery[ComplaintStatus | None] = None,
    limit: FromQuery[int] = 20,
    after: FromQuery[str | None] = None,
) -> PageOf[ComplaintSummaryView]:
    found = complaints.community_complaints(
        estate.uow(staff.tenant_id),
        staff.actor,
        complaints.ListCommunityComplaints(
            community_id=community_id, status=status, page=page_request(limit, after)
        ),
    )
    return paged(ComplaintSummaryView, found)


@get(
    "/complaints/{complaint_id:uuid}",
    sync_to_thread=True,
    opt=HANDLE,
    summary="One complaint (its complainant, or staff handling complaints in scope)",
)
def one(complaint_id: FromPath[UUID], caller: Caller_, estate: Estate_) -> ComplaintView:
    found = complaints.get_complaint(estate.uow(caller.tenant_id), caller.actor, complaint_id)
    return view(ComplaintView, found)


@get(
    "/complaints/{complaint_id:uuid}/photos/{key:str}",
    sync_to_thread=True,
    opt=HANDLE,
    summary="A photo of a complaint (its complainant, or staff handling it)",
)
def photo(
    complaint_id: FromPath[UUID],
    key: FromPath[str],
    caller: Caller_,
    estate: Estate_,
    files: NamedDependency[FileStorage],
) -> Response[bytes]:
    found = complaints.get_complaint(estate.uow(caller.tenant_id), caller.actor, complaint_id)
    return photo_response(files, caller.tenant_id, key, found.photos)


@post(
    "/complaints/{complaint_id:uuid}/reopen",
    status_code=HTTP_204_NO_CONTENT,
    sync_to_thread=True,
    summary="Reopen once, in 7 days",
)
def reopen(
    complaint_id: FromPath[UUID], data: JSONBody[Reason], resident: Caller_, estate: Estate_
) -> None:
    complaints.reopen_complaint(
        estate.uow(resident.tenant_id),
        estate.clock,
        resident.actor,
        complaints.ReopenComplaint(complaint_id=complaint_id, reason=data.reason),
    )


@post(
    "/complaints/{complaint_id:uuid}/rate",
    status_code=HTTP_204_NO_CONTENT,
    sync_to_thread=True,
    summary="Rate the handling",
)
def rate(
    complaint_id: FromPath[UUID], data: JSONBody[Rate], resident: Caller_, estate: Estate_
) -> None:
    complaints.rate_complaint(
        estate.uow(resident.tenant_id),
        estate.clock,
        resident.actor,
        complaints.RateComplaint(complaint_id=complaint_id, stars=data.stars, text=data.text),
    )


@post(
    "/complaints/{complaint_id:uuid}/accept",
    status_code=HTTP_204_NO_CONTENT,
    sync_to_thread=True,
    opt=HANDLE,
    summary="Accept 受理",
)
def accept(complaint_id: FromPath[UUID], staff: Caller_, estate: Estate_) -> None:
    complaints.accept_complaint(
        estate.uow(staff.tenant_id), estate.clock, staff.actor, complaint_id
    )


@post(
    "/complaints/{complaint_id:uuid}/reply",
    status_code=HTTP_204_NO_CONTENT,
    sync_to_thread=True,
    opt=HANDLE,
    summary="Reply 回复",
)
def reply(
    complaint_id: FromPath[UUID], data: JSONBody[ReplyText], staff: Caller_, estate: Estate_
) -> None:
    complaints.reply_to_complaint(
        estate.uow(staff.tenant_id),
        estate.clock,
        staff.actor,
        complaints.ReplyToComplaint(complaint_id=complaint_id, text=data.text),
    )


@post(
    "/complaints/{complaint_id:uuid}/visit",
    status_code=HTTP_204_NO_CONTENT,
    sync_to_thread=True,
    opt=HANDLE,
    summary="Return visit",
)
def visit(
    complaint_id: FromPath[UUID], data: JSONBody[Note], staff: Caller_, estate: Estate_
) -> None:
    complaints.record_complaint_visit(
        estate.uow(staff.tenant_id),
        estate.clock,
        staff.actor,
        complaints.RecordComplaintVisit(complaint_id=complaint_id, note=data.note),
    )


router = Router(
    path="",
    route_handlers=[submit, mine, in_community, one, photo, reopen, rate, accept, reply, visit],
    tags=["complaints"],
)
