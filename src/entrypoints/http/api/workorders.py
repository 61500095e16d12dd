"""Work orders 报修: residents report, list, cancel and rate; staff list a community's orders and
a technician their queue; whoever may see an order reads it and its photos. The staff's actions
are in ``workorder_staff.py``. Each handler calls one use case or query of
``estate_core.service``, which checks the household, the data scope and the state."""

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
    NewWorkOrder,
    Note,
    Rate,
    WorkOrderSummaryView,
    WorkOrderView,
)
from entrypoints.http.uploads import require_photos
from entrypoints.http.views import page_request, paged, view
from estate_core.service import workorder_queries as queries
from estate_core.service import workorder_services as repairs
from estate_core.service.workorder_states import WorkOrderStatus
from estate_core.shared.access import Permission
from estate_core.shared.files import FileStorage

Estate_ = NamedDependency[Estate]
Caller_ = NamedDependency[Caller]
WORKORDER_STAFF = {"permission": tuple(sorted(queries.WORKORDER_STAFF))}


@post("/work-orders", sync_to_thread=True, summary="Report a repair (resident)")
def report(
    data: JSONBody[NewWorkOrder],
    resident: Caller_,
    estate: Estate_,
    files: NamedDependency[FileStorage],
) -> Created:
    created = repairs.report_repair(
        estate.uow(resident.tenant_id),
        estate.clock,
        resident.actor,
        repairs.ReportRepair(
            property_id=data.property_id,
            category=data.category,
            description=data.description,
            photos=require_photos(files, resident.tenant_id, data.photos),
            contact_phone=data.contact_phone,
            kind=data.kind,
            preferred_time=data.preferred_time,
        ),
    )
    return Created(id=created)


@get("/work-orders/mine", sync_to_thread=True, summary="My repairs, newest first (resident)")
def mine(
    resident: Caller_,
    estate: Estate_,
    limit: FromQuery[int] = 20,
    after: FromQuery[str | None] = None,
) -> PageOf[WorkOrderSummaryView]:
    found = queries.my_work_orders(
        estate.uow(resident.tenant_id), resident.actor, page_request(limit, after)
    )
    return paged(WorkOrderSummaryView, found)


@get(
    "/work-orders/queue",
    sync_to_thread=True,
    opt={"permission": Permission.WORKORDER_WORK},
    summary="The orders dispatched to me (technician)",
)
def queue(
    staff: Caller_,
    estate: Estate_,
    limit: FromQuery[int] = 20,
    after: FromQuery[str | None] = None,
) -> PageOf[WorkOrderSummaryView]:
    found = queries.technician_queue(
        estate.uow(staff.tenant_id), staff.actor, page_request(limit, after)
    )
    return paged(WorkOrderSummaryView, found)


@get(
    "/communities/{community_id:uuid}/work-orders",
    sync_to_thread=True,
    opt=WORKORDER_STAFF,
    summary="A community's work orders (staff with a work-order permission)",
)
def in_community(
    community_id: FromPath[UUID],
    staff: Caller_,
    estate: Estate_,
    status: FromQuery[WorkOrderStatus | None] = None,
    limit: FromQuery[int] = 20,
    after: FromQuery[str | None] = None,
) -> PageOf[WorkOrderSummaryView]:
    found = queries.community_work_orders(
        estate.uow(staff.tenant_id),
        staff.actor,
        queries.ListCommunityWorkOrders(
            community_id=community_id, status=status, page=page_request(limit, after)
        ),
    )
    return paged(WorkOrderSummaryView, found)


@get(
    "/work-orders/{work_order_id:uuid}",
    sync_to_thread=True,
    opt=WORKORDER_STAFF,
    summary="One work order with its timeline (its resident, or staff in scope)",
)
def one(work_order_id: FromPath[UUID], caller: Caller_, estate: Estate_) -> WorkOrderView:
    found = queries.get_work_order(estate.uow(caller.tenant_id), caller.actor, work_order_id)
    return view(WorkOrderView, found)


@get(
    "/work-orders/{work_order_id:uuid}/photos/{key:str}",
    sync_to_thread=True,
    opt=WORKORDER_STAFF,
    summary="A photo of a work order (whoever may see the order)",
)
def photo(
    work_order_id: FromPath[UUID],
    key: FromPath[str],
    caller: Caller_,
    estate: Estate_,
    files: NamedDependency[FileStorage],
) -> Response[bytes]:
    found = queries.get_work_order(estate.uow(caller.tenant_id), caller.actor, work_order_id)
    return photo_response(files, caller.tenant_id, key, (*found.photos, *found.completion_photos))


@post(
    "/work-orders/{work_order_id:uuid}/cancel",
    status_code=HTTP_204_NO_CONTENT,
    sync_to_thread=True,
    opt=WORKORDER_STAFF,
    summary="Cancel (the resident before dispatch, staff before completion)",
)
def cancel(
    work_order_id: FromPath[UUID], data: JSONBody[Note], caller: Caller_, estate: Estate_
) -> None:
    repairs.cancel_repair(
        estate.uow(caller.tenant_id),
        estate.clock,
        caller.actor,
        repairs.CancelRepair(work_order_id=work_order_id, reason=data.note),
    )


@post(
    "/work-orders/{work_order_id:uuid}/rate",
    status_code=HTTP_204_NO_CONTENT,
    sync_to_thread=True,
    summary="Rate a completed repair",
)
def rate(
    work_order_id: FromPath[UUID], data: JSONBody[Rate], resident: Caller_, estate: Estate_
) -> None:
    repairs.rate_repair(
        estate.uow(resident.tenant_id),
        estate.clock,
        resident.actor,
        repairs.RateRepair(work_order_id=work_order_id, stars=data.stars, text=data.text),
    )


router = Router(
    path="",
    route_handlers=[
        report,
        mine,
        queue,
        in_community,
        one,
        photo,
        cancel,
        rate,
    ],
    tags=["work orders"],
)
