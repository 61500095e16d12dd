"""Offline collection 线下收款: a cashier records cash or a POS card payment at the counter."""

from __future__ import annotations

from uuid import UUID

import attrs

from estate_core.billing.services import community_today
from estate_core.payments.allocation import PaymentSplit
from estate_core.payments.numbers import new_out_trade_no
from estate_core.payments.payment import Payment
from estate_core.payments.ports import PaymentUnitOfWork
from estate_core.payments.services.checkout import PaymentView, split_for, unpaid_bills, view
from estate_core.payments.services.settlement import apply_settlement
from estate_core.payments.values import PaymentChannel, PaymentTarget
from estate_core.shared.access import Actor, Permission, require_staff
from estate_core.shared.clock import Clock, local_date
from estate_core.shared.errors import Conflict, InvalidInput
from estate_core.shared.ids import new_id
from estate_core.shared.money import Money

RECEIPT_NO_MAX = 32


@attrs.frozen(kw_only=True)
class CollectOfflinePayment:
    """A cashier takes cash or a POS card at the counter (线下收款) against a receipt.

    With bills: ``received`` defaults to their total and anything above it becomes prepayment
    (多缴转预存). Without bills it is a top-up of ``received``.
    """

    property_id: UUID
    receipt_no: str
    bill_ids: tuple[UUID, ...] = ()
    received: Money | None = None


def collect_offline_payment(
    uow: PaymentUnitOfWork, clock: Clock, actor: Actor, cmd: CollectOfflinePayment
) -> PaymentView:
    """Staff with ``payment.collect`` record money received; it settles at once."""
    receipt_no = cmd.receipt_no.strip()
    if not receipt_no or len(receipt_no) > RECEIPT_NO_MAX:
        raise InvalidInput("payment.receipt_required", "a receipt number is 1–32 characters")
    at = clock.now()
    with uow:
        prop = uow.properties.get(cmd.property_id)
        staff = require_staff(actor, Permission.PAYMENT_COLLECT, prop.community_id)
        if uow.payments.find_by_receipt_no(receipt_no) is not None:
            raise Conflict("payment.duplicate_receipt", "that receipt number is already used")
        if cmd.bill_ids:
            day = community_today(uow, clock, prop.community_id)
            split = split_for(unpaid_bills(uow, prop.id, cmd.bill_ids), cmd.received, day)
        else:
            split = PaymentSplit(allocations=(), credit=cmd.received or Money.zero())
        payment_id = new_id()
        payment = Payment(
            id=payment_id,
            tenant_id=uow.tenant_id,
            community_id=prop.community_id,
            target=PaymentTarget.BILLS if cmd.bill_ids else PaymentTarget.PREPAYMENT_TOPUP,
            property_id=prop.id,
            cashier_id=staff.staff_id,
            channel=PaymentChannel.OFFLINE,
            amount=split.amount,
            out_trade_no=new_out_trade_no(payment_id, local_date(at)),
            allocations=list(split.allocations),
            credit=split.credit,
            receipt_no=receipt_no,
            created_at=at,
        )
        payment.settle(payment.amount, None, None, at)
        apply_settlement(uow, payment, at)
        uow.payments.add(payment)
        uow.commit()
        return view(payment)
