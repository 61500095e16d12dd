"""Work orders 报修, the staff's side: review (approve, reject), dispatch and reassign, the
technician's accept and complete (with photos), and the return visit. Each route declares its
permission; the use case checks the data scope and the order's state."""

from __future__ import annotations

from uuid import UUID

from litestar import Router, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_204_NO_CONTENT

from entrypoints.bootstrap import Estate
from entrypoints.http.auth import Caller
from entrypoints.http.schemas.service import Accept, Complete, Dispatch, Note, Reason
from entrypoints.http.uploads import require_photos
from estate_core.service import workorder_services as repairs
from estate_core.shared.access import Permission
from estate_core.shared.files import FileStorage

Estate_ = NamedDependency[Estate]
Caller_ = NamedDependency[Caller]


@post(
    "/work-orders/{work_order_id:uuid}/approve",
    status_code=HTTP_204_NO_CONTENT,
    sync_to_thread=True,
    opt={"permission": Permission.WORKORDER_REVIEW},
    summary="Approve an appointment repair",
)
def approve(
    work_order_id: FromPath[UUID], data: JSONBody[Note], staff: Caller_, estate: Estate_
) -> None:
    repairs.approve_repair(
        estate.uow(staff.tenant_id),
        estate.clock,
        staff.actor,
        repairs.ApproveRepair(work_order_id=work_order_id, note=data.note),
    )


@post(
    "/work-orders/{work_order_id:uuid}/reject",
    status_code=HTTP_204_NO_CONTENT,
    sync_to_thread=True,
    opt={"permission": Permission.WORKORDER_REVIEW},
    summary="Reject an appointment repair",
)
def reject(
    work_order_id: FromPath[UUID], data: JSONBody[Reason], staff: Caller_, estate: Estate_
) -> None:
    repairs.reject_repair(
        estate.uow(staff.tenant_id),
        estate.clock,
        staff.actor,
        repairs.RejectRepair(work_order_id=work_order_id, reason=data.reason),
    )


@post(
    "/work-orders/{work_order_id:uuid}/dispatch",
    status_code=HTTP_204_NO_CONTENT,
    sync_to_thread=True,
    opt={"permission": Permission.WORKORDER_DISPATCH},
    summary="Dispatch to a technician",
)
def dispatch(
    work_order_id: FromPath[UUID], data: JSONBody[Dispatch], staff: Caller_, estate: Estate_
) -> None:
    repairs.dispatch_repair(
        estate.uow(staff.tenant_id),
        estate.clock,
        staff.actor,
        repairs.DispatchRepair(
            work_order_id=work_order_id,
            technician_id=data.technician_id,
            expected_arrival=data.expected_arrival,
        ),
    )


@post(
    "/work-orders/{work_order_id:uuid}/reassign",
    status_code=HTTP_204_NO_CONTENT,
    sync_to_thread=True,
    opt={"permission": Permission.WORKORDER_DISPATCH},
    summary="Give to another technician",
)
def reassign(
    work_order_id: FromPath[UUID], data: JSONBody[Dispatch], staff: Caller_, estate: Estate_
) -> None:
    repairs.reassign_repair(
        estate.uow(staff.tenant_id),
        estate.clock,
        staff.actor,
        repairs.ReassignRepair(
            work_order_id=work_order_id,
            technician_id=data.technician_id,
            expected_arrival=data.expected_arrival,
            note=data.note,
        ),
    )


@post(
    "/work-orders/{work_order_id:uuid}/accept",
    status_code=HTTP_204_NO_CONTENT,
    sync_to_thread=True,
    opt={"permission": Permission.WORKORDER_WORK},
    summary="Accept a dispatched order",
)
def accept(
    work_order_id: FromPath[UUID], data: JSONBody[Accept], staff: Caller_, estate: Estate_
) -> None:
    repairs.accept_repair(
        estate.uow(staff.tenant_id),
        estate.clock,
        staff.actor,
        repairs.AcceptRepair(work_order_id=work_order_id, expected_arrival=data.expected_arrival),
    )


@post(
    "/work-orders/{work_order_id:uuid}/complete",
    status_code=HTTP_204_NO_CONTENT,
    sync_to_thread=True,
    opt={"permission": Permission.WORKORDER_WORK},
    summary="Complete with photos",
)
def complete(
    work_order_id: FromPath[UUID],
    data: JSONBody[Complete],
    staff: Caller_,
    estate: Estate_,
    files: NamedDependency[FileStorage],
) -> None:
    repairs.complete_repair(
        estate.uow(staff.tenant_id),
        estate.clock,
        staff.actor,
        repairs.CompleteRepair(
            work_order_id=work_order_id,
            photos=require_photos(files, staff.tenant_id, data.photos),
            note=data.note,
        ),
    )


@post(
    "/work-orders/{work_order_id:uuid}/visit",
    status_code=HTTP_204_NO_CONTENT,
    sync_to_thread=True,
    opt={"permission": Permission.WORKORDER_VISIT},
    summary="Record the return visit 回访",
)
def visit(
    work_order_id: FromPath[UUID], data: JSONBody[Note], staff: Caller_, estate: Estate_
) -> None:
    repairs.record_repair_visit(
        estate.uow(staff.tenant_id),
        estate.clock,
        staff.actor,
        repairs.RecordRepairVisit(work_order_id=work_order_id, note=data.note),
    )


router = Router(
    path="",
    route_handlers=[approve, reject, dispatch, reassign, accept, complete, visit],
    tags=["work orders"],
)
