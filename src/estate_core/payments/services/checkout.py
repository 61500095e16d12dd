"""Use cases that start and close payments 支付单.

Settlement and refunds are in ``settlement``, the cashier's counter in ``offline``.

Bills already in another pending payment may be paid again: refusing would let one abandoned
payment sheet lock a family's bills until it times out, and it would not even be safe, since a
payment closed locally can still succeed at the gateway (§9). The settlement's surplus path
(refund or credit to prepayment) is what keeps a bill from being paid twice, in every case.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from uuid import UUID

import attrs

from estate_core.billing.model import Bill, BillStatus
from estate_core.billing.ports import BillingUnitOfWork
from estate_core.billing.services import community_today, require_staff_with_any
from estate_core.payments.allocation import Allocation, PaymentSplit, split_payment
from estate_core.payments.numbers import new_out_trade_no
from estate_core.payments.payment import Payment
from estate_core.payments.ports import MerchantAccounts, PaymentUnitOfWork
from estate_core.payments.values import (
    CloseReason,
    MerchantAccount,
    PaymentChannel,
    PaymentStatus,
    PaymentTarget,
)
from estate_core.properties.services import require_member
from estate_core.shared.access import (
    Actor,
    Permission,
    ResidentActor,
    SystemActor,
    require_staff,
)
from estate_core.shared.clock import Clock, local_date
from estate_core.shared.errors import (
    ConcurrencyConflict,
    Conflict,
    InvalidInput,
    InvalidTransition,
    PermissionDenied,
)
from estate_core.shared.ids import new_id
from estate_core.shared.money import Money, total

CLOSE_AFTER = timedelta(minutes=15)
"""How long an online payment waits for the payer before it is closed (超时关单)."""

PAYMENT_READERS = (Permission.PAYMENT_COLLECT, Permission.PAYMENT_REFUND, Permission.REPORT_READ)


@attrs.frozen(kw_only=True)
class PaymentView:
    """Read model of a payment: what the payer's page and the gateway adapter need."""

    id: UUID
    out_trade_no: str
    target: PaymentTarget
    channel: PaymentChannel
    status: PaymentStatus
    amount: Money
    allocations: tuple[Allocation, ...]
    credit: Money
    property_id: UUID | None
    order_id: UUID | None
    receipt_no: str | None
    expires_at: datetime | None
    succeeded_at: datetime | None
    refunded: Money
    refundable: Money


def view(payment: Payment) -> PaymentView:
    return PaymentView(
        id=payment.id,
        out_trade_no=payment.out_trade_no,
        target=payment.target,
        channel=payment.channel,
        status=payment.status,
        amount=payment.amount,
        allocations=tuple(payment.allocations),
        credit=payment.credit,
        property_id=payment.property_id,
        order_id=payment.order_id,
        receipt_no=payment.receipt_no,
        expires_at=payment.expires_at,
        succeeded_at=payment.succeeded_at,
        refunded=payment.refunded,
        refundable=payment.refundable,
    )


def unpaid_bills(uow: BillingUnitOfWork, property_id: UUID, bill_ids: Sequence[UUID]) -> list[Bill]:
    """The bills to pay: all of this one property, all unpaid."""
    if not bill_ids:
        raise InvalidInput("payment.no_bills", "choose at least one bill to pay")
    bills = [uow.bills.get(bill_id) for bill_id in bill_ids]
    if any(bill.property_id != property_id for bill in bills):
        raise InvalidInput("payment.bill_of_other_property", "a payment pays one property's bills")
    if any(bill.status is not BillStatus.UNPAID for bill in bills):
        raise Conflict("payment.bill_not_unpaid", "only unpaid bills can be paid")
    return bills


def split_for(bills: list[Bill], received: Money | None, day: date) -> PaymentSplit:
    """Each bill at its amount due plus the day's late fee; anything received above is credit."""
    dues = [(bill.id, bill.total_due_on(day)) for bill in bills]
    return split_payment(received or total([due for _, due in dues]), dues)


@attrs.frozen(kw_only=True)
class _Order:
    """What a new payment is for, before it has a number and a merchant."""

    target: PaymentTarget
    community_id: UUID
    payer_id: UUID
    amount: Money
    property_id: UUID | None = None
    order_id: UUID | None = None
    allocations: tuple[Allocation, ...] = ()
    credit: Money = attrs.field(factory=Money.zero)


def _merchant(
    uow: PaymentUnitOfWork, merchants: MerchantAccounts, channel: PaymentChannel
) -> MerchantAccount:
    """The account the payment will record, read before the payment's transaction begins:
    the merchant configuration may live in the same database, read by a transaction of its
    own (SQLite admits one writer at a time)."""
    if not channel.is_online:
        raise InvalidInput("payment.invalid_channel", "residents pay online; cashiers offline")
    return merchants.for_channel(uow.tenant_id, channel)


def _open_online(
    uow: PaymentUnitOfWork,
    clock: Clock,
    merchant: MerchantAccount,
    channel: PaymentChannel,
    close_after: timedelta,
    order: _Order,
) -> PaymentView:
    """A pending online payment, recording the merchant that must receive the money."""
    at = clock.now()
    payment_id = new_id()
    payment = Payment(
        id=payment_id,
        tenant_id=uow.tenant_id,
        community_id=order.community_id,
        target=order.target,
        property_id=order.property_id,
        order_id=order.order_id,
        payer_id=order.payer_id,
        channel=channel,
        amount=order.amount,
        out_trade_no=new_out_trade_no(payment_id, local_date(at)),
        allocations=list(order.allocations),
        credit=order.credit,
        merchant=merchant,
        created_at=at,
        expires_at=at + close_after,
    )
    uow.payments.add(payment)
    uow.commit()
    return view(payment)


@attrs.frozen(kw_only=True)
class PayBills:
    property_id: UUID
    bill_ids: tuple[UUID, ...]
    channel: PaymentChannel


def start_bill_payment(
    uow: PaymentUnitOfWork,
    clock: Clock,
    merchants: MerchantAccounts,
    actor: ResidentActor,
    cmd: PayBills,
    *,
    close_after: timedelta = CLOSE_AFTER,
) -> PaymentView:
    """A member of the property pays some of its unpaid bills (缴费), each at its amount due
    plus today's late fee."""
    merchant = _merchant(uow, merchants, cmd.channel)
    with uow:
        prop = uow.properties.get(cmd.property_id)
        day = community_today(uow, clock, prop.community_id)
        require_member(uow, actor.resident_id, prop.id, day)
        split = split_for(unpaid_bills(uow, prop.id, cmd.bill_ids), None, day)
        order = _Order(
            target=PaymentTarget.BILLS,
            community_id=prop.community_id,
            payer_id=actor.resident_id,
            amount=split.amount,
            property_id=cmd.property_id,
            allocations=split.allocations,
        )
        return _open_online(uow, clock, merchant, cmd.channel, close_after, order)


@attrs.frozen(kw_only=True)
class TopUpPrepayment:
    property_id: UUID
    amount: Money
    channel: PaymentChannel


def start_topup(
    uow: PaymentUnitOfWork,
    clock: Clock,
    merchants: MerchantAccounts,
    actor: ResidentActor,
    cmd: TopUpPrepayment,
    *,
    close_after: timedelta = CLOSE_AFTER,
) -> PaymentView:
    """A member pays ahead (预缴): the amount is credited to the property's ledger."""
    merchant = _merchant(uow, merchants, cmd.channel)
    with uow:
        prop = uow.properties.get(cmd.property_id)
        require_member(
            uow, actor.resident_id, prop.id, community_today(uow, clock, prop.community_id)
        )
        order = _Order(
            target=PaymentTarget.PREPAYMENT_TOPUP,
            community_id=prop.community_id,
            payer_id=actor.resident_id,
            amount=cmd.amount,
            property_id=prop.id,
            credit=cmd.amount,
        )
        return _open_online(uow, clock, merchant, cmd.channel, close_after, order)


@attrs.frozen(kw_only=True)
class PayOrder:
    order_id: UUID
    channel: PaymentChannel


def start_order_payment(
    uow: PaymentUnitOfWork,
    clock: Clock,
    merchants: MerchantAccounts,
    actor: ResidentActor,
    cmd: PayOrder,
    *,
    close_after: timedelta = CLOSE_AFTER,
) -> PaymentView:
    """The resident who placed an online merchant order pays it."""
    merchant = _merchant(uow, merchants, cmd.channel)
    with uow:
        order = uow.merchant_orders.get(cmd.order_id)
        if order.resident_id != actor.resident_id:
            raise PermissionDenied("payment.not_your_order", "only the buyer pays an order")
        if not order.awaiting_payment:
            raise Conflict("payment.order_not_payable", "this order is not awaiting payment")
        new = _Order(
            target=PaymentTarget.MERCHANT_ORDER,
            community_id=order.community_id,
            payer_id=actor.resident_id,
            amount=order.payable_amount,
            order_id=order.id,
        )
        return _open_online(uow, clock, merchant, cmd.channel, close_after, new)


def close_payment(uow: PaymentUnitOfWork, clock: Clock, actor: Actor, payment_id: UUID) -> None:
    """The payer gives up (or staff with ``payment.collect`` close it): pending → closed."""
    with uow:
        payment = uow.payments.get(payment_id)
        if isinstance(actor, ResidentActor):
            if actor.resident_id != payment.payer_id:
                raise PermissionDenied("payment.not_payer", "only the payer may close it")
            reason = CloseReason.PAYER
        else:
            require_staff(actor, Permission.PAYMENT_COLLECT, payment.community_id)
            reason = CloseReason.STAFF
        payment.close(reason, clock.now())
        uow.commit()


def close_expired_payments(
    uow: PaymentUnitOfWork, clock: Clock, actor: SystemActor, *, limit: int = 100
) -> list[UUID]:
    """The worker closes pending payments past their expiry, each in its own transaction.

    One settled meanwhile (its notification won the race) is skipped, not an error.
    """
    now = clock.now()
    with uow:
        due = [payment.id for payment in uow.payments.expired_pending(now, limit)]
    closed = []
    for payment_id in due:
        try:
            with uow:
                uow.payments.get(payment_id).close(CloseReason.TIMEOUT, now)
                uow.commit()
        except (InvalidTransition, ConcurrencyConflict):
            continue
        closed.append(payment_id)
    return closed


def get_payment(uow: PaymentUnitOfWork, actor: Actor, payment_id: UUID) -> PaymentView:
    """The payer follows their payment after paying; staff who collect, refund or read reports
    see the payments of their communities."""
    with uow:
        payment = uow.payments.get(payment_id)
        if isinstance(actor, ResidentActor):
            if actor.resident_id != payment.payer_id:
                raise PermissionDenied("payment.not_payer", "this is not your payment")
        else:
            require_staff_with_any(actor, PAYMENT_READERS, payment.community_id)
        return view(payment)
