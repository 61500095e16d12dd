"""Approving a merchant order's refund request: the money goes back through the payment's
refund (``settlement.issue_refund``, the path of ``refund_payment``), in the same transaction as
the decision; a full refund ends the order and releases its coupon (commerce's rule for an
order that is over unfulfilled)."""

from __future__ import annotations

from uuid import UUID

from estate_core.commerce.services.common import require_merchant_staff
from estate_core.payments.numbers import new_out_refund_no
from estate_core.payments.services.settlement import RefundView, issue_refund, refund_view
from estate_core.shared.access import Actor, Permission
from estate_core.shared.clock import Clock, local_date
from estate_core.shared.money import Money
from estate_core.unit_of_work import EstateUnitOfWork


def approve_order_refund(
    uow: EstateUnitOfWork, clock: Clock, actor: Actor, refund_id: UUID, amount: Money
) -> RefundView:
    """The merchant's clerk or staff with ``order.manage`` approve all or part of it."""
    at = clock.now()
    with uow:
        request = uow.order_refunds.get(refund_id)
        staff = require_merchant_staff(
            actor, Permission.ORDER_MANAGE, request.merchant_id, [request.community_id]
        )
        full = request.approve(amount, staff.staff_id, at)
        payment = uow.payments.get(request.payment_id)
        number = new_out_refund_no(request.id, local_date(at))
        issue_refund(
            uow, payment, number, amount, f"退款申请: {request.reason}", staff.staff_id, at
        )
        if full:
            order = uow.merchant_orders.get(request.order_id)
            order.refund_fully()
            if order.coupon_id is not None:
                uow.coupons.get(order.coupon_id).release()
        uow.commit()
        return refund_view(payment, number)
