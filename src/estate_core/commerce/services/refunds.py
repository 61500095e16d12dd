"""Refund requests of merchant orders (退款申请, seed 003 §3): the resident asks, the merchant
or property staff decide. Approval moves money, so it lives with the payments
(``estate_core.payments.services.order_refunds``); asking and refusing live here."""

from __future__ import annotations

from uuid import UUID

import attrs

from estate_core.commerce.order import OrderState, PaymentMethod
from estate_core.commerce.order_refund import OrderRefund, RefundRequestState
from estate_core.commerce.ports import CommerceUnitOfWork
from estate_core.commerce.services.common import require_merchant_staff
from estate_core.community.services.common import active_resident
from estate_core.shared.access import Actor, Permission, ResidentActor
from estate_core.shared.clock import Clock
from estate_core.shared.errors import Conflict, NotFound
from estate_core.shared.ids import new_id
from estate_core.shared.money import Money

REFUNDABLE_STATES = frozenset(
    {OrderState.PENDING_DELIVERY, OrderState.DELIVERING, OrderState.COMPLETED}
)
PENDING_LISTED = 200


@attrs.frozen(kw_only=True)
class RefundRequestView:
    id: UUID
    order_id: UUID
    paid_amount: Money
    reason: str
    state: RefundRequestState
    approved_amount: Money | None
    refusal_reason: str


def refund_request_view(refund: OrderRefund) -> RefundRequestView:
    return RefundRequestView(
        id=refund.id,
        order_id=refund.order_id,
        paid_amount=refund.paid_amount,
        reason=refund.reason,
        state=refund.state,
        approved_amount=refund.approved_amount,
        refusal_reason=refund.refusal_reason,
    )


def request_order_refund(
    uow: CommerceUnitOfWork, clock: Clock, actor: ResidentActor, order_id: UUID, reason: str
) -> UUID:
    """申请退款: the buyer of a paid online order asks for its money back, saying why."""
    with uow:
        active_resident(uow, actor.resident_id)
        order = uow.merchant_orders.find(order_id)
        if order is None or order.resident_id != actor.resident_id:
            raise NotFound("merchant_order.not_found", "no such order")
        if (
            order.payment_method is not PaymentMethod.ONLINE
            or order.payment_id is None
            or order.state not in REFUNDABLE_STATES
        ):
            raise Conflict("order_refund.not_refundable", "only a paid online order is refunded")
        if uow.order_refunds.live_for_order(order.id) is not None:
            raise Conflict(
                "order_refund.already_requested", "this order already has a refund request"
            )
        refund = OrderRefund.request(
            id=new_id(),
            tenant_id=uow.tenant_id,
            order_id=order.id,
            merchant_id=order.merchant_id,
            community_id=order.community_id,
            resident_id=actor.resident_id,
            payment_id=order.payment_id,
            paid_amount=order.payable_amount,
            reason=reason,
            now=clock.now(),
        )
        uow.order_refunds.add(refund)
        uow.commit()
        return refund.id


def refuse_order_refund(
    uow: CommerceUnitOfWork, clock: Clock, actor: Actor, refund_id: UUID, reason: str
) -> None:
    """The merchant or staff refuse, with a reason the resident reads."""
    with uow:
        refund = uow.order_refunds.get(refund_id)
        staff = require_merchant_staff(
            actor, Permission.ORDER_MANAGE, refund.merchant_id, [refund.community_id]
        )
        refund.refuse(reason, staff.staff_id, clock.now())
        uow.commit()


def pending_refund_requests(
    uow: CommerceUnitOfWork, actor: Actor, merchant_id: UUID
) -> list[RefundRequestView]:
    """The merchant's requests waiting for a decision, oldest first."""
    staff = require_merchant_staff(actor, Permission.ORDER_MANAGE, merchant_id)
    with uow:
        found = uow.order_refunds.pending_of_merchant(merchant_id, PENDING_LISTED)
        return [refund_request_view(r) for r in found if staff.sees(r.community_id)]
