"""Orders 订单: residents order from a merchant serving their home, cash on delivery or online,
and cancel per the rules; staff with ``order.manage`` in scope and the merchant's clerk deliver,
complete and cancel. Paying an online order is the payments API's."""

from __future__ import annotations

from uuid import UUID

from litestar import Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_204_NO_CONTENT

from entrypoints.bootstrap import Estate
from entrypoints.http.auth import Caller
from entrypoints.http.schemas import PageOf
from entrypoints.http.schemas.commerce import NewOrder, OrderView
from entrypoints.http.schemas.identity import Created
from entrypoints.http.views import page_request, paged, view
from estate_core.commerce.services import orders
from estate_core.shared.access import Permission

Estate_ = NamedDependency[Estate]
Caller_ = NamedDependency[Caller]
MANAGE = {"permission": Permission.ORDER_MANAGE}


@post("/orders", sync_to_thread=True, summary="下单: cash on delivery or online (resident)")
def place(data: JSONBody[NewOrder], resident: Caller_, estate: Estate_) -> Created:
    created = orders.place_order(
        estate.uow(resident.tenant_id),
        estate.clock,
        resident.actor,
        orders.PlaceOrder(
            merchant_id=data.merchant_id,
            property_id=data.property_id,
            items=tuple(
                orders.OrderItem(product_id=i.product_id, quantity=i.quantity) for i in data.items
            ),
            payment_method=data.payment_method,
            coupon_id=data.coupon_id,
            note=data.note,
        ),
    )
    return Created(id=created)


@get("/orders/mine", sync_to_thread=True, summary="我的订单, newest first (resident)")
def mine(
    resident: Caller_,
    estate: Estate_,
    limit: FromQuery[int] = 20,
    after: FromQuery[str | None] = None,
) -> PageOf[OrderView]:
    found = orders.list_my_orders(
        estate.uow(resident.tenant_id), resident.actor, page_request(limit, after)
    )
    return paged(OrderView, found)


@get(
    "/orders/{order_id:uuid}",
    sync_to_thread=True,
    opt=MANAGE,
    summary="One order (its resident, staff in scope, the merchant's clerk)",
)
def one(order_id: FromPath[UUID], caller: Caller_, estate: Estate_) -> OrderView:
    return view(OrderView, orders.get_order(estate.uow(caller.tenant_id), caller.actor, order_id))


@post(
    "/orders/{order_id:uuid}/cancel",
    status_code=HTTP_204_NO_CONTENT,
    sync_to_thread=True,
    opt=MANAGE,
    summary="Cancel an order not yet paid online (its resident, staff, the clerk)",
)
def cancel(order_id: FromPath[UUID], caller: Caller_, estate: Estate_) -> None:
    orders.cancel_order(
        estate.uow(caller.tenant_id),
        estate.clock,
        caller.actor,
        orders.CancelOrder(order_id=order_id),
    )


@post(
    "/orders/{order_id:uuid}/deliver",
    status_code=HTTP_204_NO_CONTENT,
    sync_to_thread=True,
    opt=MANAGE,
    summary="配送: start delivering (staff, the clerk)",
)
def deliver(order_id: FromPath[UUID], staff: Caller_, estate: Estate_) -> None:
    orders.start_delivery(
        estate.uow(staff.tenant_id),
        estate.clock,
        staff.actor,
        orders.StartDelivery(order_id=order_id),
    )


@post(
    "/orders/{order_id:uuid}/complete",
    status_code=HTTP_204_NO_CONTENT,
    sync_to_thread=True,
    opt=MANAGE,
    summary="Mark delivered and done (staff, the clerk)",
)
def complete(order_id: FromPath[UUID], staff: Caller_, estate: Estate_) -> None:
    orders.complete_order(
        estate.uow(staff.tenant_id),
        estate.clock,
        staff.actor,
        orders.CompleteOrder(order_id=order_id),
    )


@get(
    "/merchants/{merchant_id:uuid}/orders",
    sync_to_thread=True,
    opt=MANAGE,
    summary="A merchant's orders, newest first (its clerk, staff in scope)",
)
def of_merchant(
    merchant_id: FromPath[UUID],
    staff: Caller_,
    estate: Estate_,
    limit: FromQuery[int] = 20,
    after: FromQuery[str | None] = None,
) -> PageOf[OrderView]:
    found = orders.list_merchant_orders(
        estate.uow(staff.tenant_id), staff.actor, merchant_id, page_request(limit, after)
    )
    return paged(OrderView, found)


@get(
    "/communities/{community_id:uuid}/orders",
    sync_to_thread=True,
    opt=MANAGE,
    summary="订单管理: every merchant's orders in a community (staff)",
)
def in_community(
    community_id: FromPath[UUID],
    staff: Caller_,
    estate: Estate_,
    limit: FromQuery[int] = 20,
    after: FromQuery[str | None] = None,
) -> PageOf[OrderView]:
    found = orders.list_community_orders(
        estate.uow(staff.tenant_id), staff.actor, community_id, page_request(limit, after)
    )
    return paged(OrderView, found)


router = Router(
    path="",
    route_handlers=[place, mine, one, cancel, deliver, complete, of_merchant, in_community],
    tags=["orders"],
)
