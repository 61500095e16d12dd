"""Settlement 支付结果处理 and refunds 退款: the use cases the gateways drive.

``settle_payment`` is the one use case behind both the gateway notification and the active order
query (DESIGN.md §4). It is idempotent, and safe when copies of a notification arrive at once:
it loads the payment locked, so copies queue and every one after the first finds the payment
settled and reports "already settled" without touching anything; where no lock is taken (the
in-memory store) the loser of two concurrent commits is retried and finds the same.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import attrs

from estate_core.billing.model import BillStatus
from estate_core.billing.services import open_prepayment_ledger
from estate_core.identity.model import SurplusPolicy, TenantSettings
from estate_core.payments.allocation import Allocation
from estate_core.payments.errors import AmountMismatch, MerchantMismatch
from estate_core.payments.numbers import (
    check_out_refund_no,
    is_out_trade_no,
    new_out_refund_no,
)
from estate_core.payments.payment import Payment
from estate_core.payments.ports import PaymentUnitOfWork
from estate_core.payments.refund import RefundStatus
from estate_core.payments.values import (
    MerchantAccount,
    PaymentChannel,
    PaymentStatus,
    PaymentTarget,
    SettlementOutcome,
    SurplusCase,
)
from estate_core.shared.access import Actor, Permission, require_staff
from estate_core.shared.clock import Clock, local_date
from estate_core.shared.errors import ConcurrencyConflict, Conflict, NotFound
from estate_core.shared.ids import new_id
from estate_core.shared.money import Money

SETTLE_ATTEMPTS = 3
"""Tries of one settlement when a concurrent copy committed first (then it is a no-op)."""

_BILL_CAUSES = {
    BillStatus.PAID: "bill_already_paid",
    BillStatus.VOID: "bill_void",
    BillStatus.REFUNDED: "bill_refunded",
}


@attrs.frozen(kw_only=True)
class SettlePayment:
    """What the gateway says was paid, after the adapter verified its signature."""

    out_trade_no: str
    paid_amount: Money
    merchant: MerchantAccount | None
    transaction_id: str | None


@attrs.frozen(kw_only=True)
class SettlementResult:
    payment_id: UUID
    outcome: SettlementOutcome
    status: PaymentStatus
    surplus: tuple[SurplusCase, ...]

    @property
    def already_settled(self) -> bool:
        return self.outcome is SettlementOutcome.ALREADY_SETTLED


def settle_payment(uow: PaymentUnitOfWork, clock: Clock, cmd: SettlePayment) -> SettlementResult:
    """Settle a payment the gateway reports paid; amount and merchant must be ours.

    A mismatch marks nothing paid: the payment only records ``PaymentMismatchDetected`` (the
    alert) and the error is raised. A payment closed locally is still settled (§9).
    """
    if not is_out_trade_no(cmd.out_trade_no):
        raise NotFound("payment.not_found", "no payment has that number")
    attempt = 1
    while True:
        try:
            return _settle_once(uow, clock, cmd)
        except ConcurrencyConflict:
            if attempt >= SETTLE_ATTEMPTS:
                raise
            attempt += 1


def _settle_once(uow: PaymentUnitOfWork, clock: Clock, cmd: SettlePayment) -> SettlementResult:
    at = clock.now()
    with uow:
        payment = uow.payments.find_by_out_trade_no(cmd.out_trade_no, lock=True)
        if payment is None:
            raise NotFound("payment.not_found", "no payment has that number")
        try:
            outcome = payment.settle(cmd.paid_amount, cmd.merchant, cmd.transaction_id, at)
        except (AmountMismatch, MerchantMismatch) as refused:
            payment.flag_mismatch(
                refused.code, str(refused.details["expected"]), str(refused.details["received"])
            )
            uow.commit()
            raise
        if outcome is SettlementOutcome.SETTLED:
            apply_settlement(uow, payment, at)
            uow.commit()
        return SettlementResult(
            payment_id=payment.id,
            outcome=outcome,
            status=payment.status,
            surplus=tuple(payment.surplus),
        )


def surplus_policy(uow: PaymentUnitOfWork) -> SurplusPolicy:
    """The tenant's setting; the default when unset, since money that arrived must be handled."""
    tenant = uow.tenants.find(uow.tenant_id)
    return (tenant.settings if tenant is not None else TenantSettings()).surplus_policy


def apply_settlement(uow: PaymentUnitOfWork, payment: Payment, at: datetime) -> None:
    """What a succeeded payment pays: its bills, its order, a parking card, or the prepayment
    ledger.

    A bill that is no longer unpaid (paid by another payment that won the race, voided,
    refunded) is never paid twice: its part is surplus, refunded or credited by tenant setting.
    """
    if payment.target is PaymentTarget.MERCHANT_ORDER:
        _pay_order(uow, payment, at)
        return
    if payment.target is PaymentTarget.PARKING_CARD:
        _renew_card(uow, payment, at)
        return
    policy = surplus_policy(uow)
    for allocation in payment.allocations:
        cause = _pay_bill(uow, payment, allocation, at)
        if cause is None:
            continue
        case = payment.record_surplus(allocation.bill_id, cause, policy, at)
        if case.resolution is SurplusPolicy.PREPAYMENT:
            _credit(uow, payment, case.amount, f"surplus of payment {payment.out_trade_no}", at)
    if payment.credit.is_positive:
        what = "top-up" if payment.target is PaymentTarget.PREPAYMENT_TOPUP else "overpayment"
        _credit(uow, payment, payment.credit, f"{what} by payment {payment.out_trade_no}", at)


def _pay_bill(
    uow: PaymentUnitOfWork, payment: Payment, allocation: Allocation, at: datetime
) -> str | None:
    """Settle one bill; the reason it could not be paid, or None."""
    bill = uow.bills.find(allocation.bill_id)
    if bill is None:
        return "bill_missing"
    if bill.status is not BillStatus.UNPAID:
        return _BILL_CAUSES[bill.status]
    try:
        bill.settle(payment.id, allocation.amount, at)
    except Conflict as refused:
        return refused.code
    return None


def _pay_order(uow: PaymentUnitOfWork, payment: Payment, at: datetime) -> None:
    """Mark the order paid; an order closed or cancelled meanwhile gets its money back."""
    try:
        if payment.order_id is None:
            raise NotFound("merchant_order.not_found", "the payment names no order")
        uow.merchant_orders.get(payment.order_id).mark_paid(payment.id, at)
    except (Conflict, NotFound) as refused:
        payment.record_surplus(None, refused.code, SurplusPolicy.REFUND, at)


def _renew_card(uow: PaymentUnitOfWork, payment: Payment, at: datetime) -> None:
    """Extend the parking card from the community's today; a card cancelled (or gone)
    meanwhile gets its money back."""
    try:
        card = uow.parking_cards.for_space(_property_of(payment))
        if card is None:
            raise NotFound("parking_card.not_found", "the parking space has no card")
        zone = uow.communities.get(card.community_id).zone
        card.complete_renewal(payment.id, local_date(at, zone))
    except (Conflict, NotFound) as refused:
        payment.record_surplus(None, refused.code, SurplusPolicy.REFUND, at)


def _credit(
    uow: PaymentUnitOfWork, payment: Payment, amount: Money, reason: str, at: datetime
) -> None:
    ledger = open_prepayment_ledger(uow, _property_of(payment))
    ledger.credit(amount, reason, payment.id, at)


def _property_of(payment: Payment) -> UUID:
    if payment.property_id is None:
        raise Conflict("payment.no_property", "this payment is not for a property")
    return payment.property_id


@attrs.frozen(kw_only=True)
class RefundView:
    payment_id: UUID
    out_trade_no: str
    out_refund_no: str
    channel: PaymentChannel
    amount: Money
    status: RefundStatus
    payment_status: PaymentStatus


def refund_view(payment: Payment, out_refund_no: str) -> RefundView:
    refund = payment.refund_by_no(out_refund_no)
    if refund is None:
        raise NotFound("payment.refund_not_found", "no refund with that number")
    return RefundView(
        payment_id=payment.id,
        out_trade_no=payment.out_trade_no,
        out_refund_no=refund.out_refund_no,
        channel=payment.channel,
        amount=refund.amount,
        status=refund.status,
        payment_status=payment.status,
    )


@attrs.frozen(kw_only=True)
class RefundPayment:
    """``out_refund_no`` lets a client retry safely: the same number refunds once."""

    payment_id: UUID
    amount: Money
    reason: str
    out_refund_no: str | None = None


def refund_payment(
    uow: PaymentUnitOfWork, clock: Clock, actor: Actor, cmd: RefundPayment
) -> RefundView:
    """Staff with ``payment.refund`` refund all or part of a payment, with a reason.

    The part of a refund that comes off the prepayment ledger (a top-up, an overpayment) is
    debited at once, so it cannot be spent while the refund is in flight; a prepayment already
    spent on bills cannot be refunded (``prepayment.insufficient_balance``). An offline refund
    is cash handed back at the counter and succeeds at once.
    """
    at = clock.now()
    number = (
        check_out_refund_no(cmd.out_refund_no)
        if cmd.out_refund_no
        else new_out_refund_no(new_id(), local_date(at))
    )
    with uow:
        payment = uow.payments.get(cmd.payment_id)
        staff = require_staff(actor, Permission.PAYMENT_REFUND, payment.community_id)
        if issue_refund(uow, payment, number, cmd.amount, cmd.reason, staff.staff_id, at):
            uow.commit()
        return refund_view(payment, number)


def issue_refund(
    uow: PaymentUnitOfWork,
    payment: Payment,
    number: str,
    amount: Money,
    reason: str,
    staff_id: UUID,
    at: datetime,
) -> bool:
    """Request the refund ``number`` on the payment, in the caller's unit of work, once
    authorised (by ``refund_payment``, or by an approved order refund request); True when it
    is new and the caller must commit."""
    is_new = payment.refund_by_no(number) is None
    refund = payment.request_refund(number, amount, reason, staff_id, at)
    if is_new:
        if refund.from_prepayment.is_positive:
            ledger = open_prepayment_ledger(uow, _property_of(payment))
            ledger.debit(refund.from_prepayment, f"refund {number}", payment.id, at)
        if payment.channel is PaymentChannel.OFFLINE:
            _finish_refund(uow, payment, number, succeeded=True, at=at)
    return is_new


@attrs.frozen(kw_only=True)
class RecordRefundResult:
    """The refund notification's or the refund query's answer."""

    out_trade_no: str
    out_refund_no: str
    succeeded: bool


def record_refund_result(
    uow: PaymentUnitOfWork, clock: Clock, cmd: RecordRefundResult
) -> RefundView:
    """Record a refund's outcome; a repeat of the same outcome is a no-op."""
    with uow:
        payment = uow.payments.find_by_out_trade_no(cmd.out_trade_no, lock=True)
        if payment is None:
            raise NotFound("payment.not_found", "no payment has that number")
        if _finish_refund(uow, payment, cmd.out_refund_no, succeeded=cmd.succeeded, at=clock.now()):
            uow.commit()
        return refund_view(payment, cmd.out_refund_no)


def _finish_refund(
    uow: PaymentUnitOfWork, payment: Payment, number: str, *, succeeded: bool, at: datetime
) -> bool:
    """A failed refund gives its prepayment part back; a full refund unpays the bills."""
    if not payment.record_refund_result(number, succeeded, at):
        return False
    refund = payment.refund_by_no(number)
    if refund is not None and not succeeded and refund.from_prepayment.is_positive:
        ledger = open_prepayment_ledger(uow, _property_of(payment))
        ledger.credit(refund.from_prepayment, f"refund {number} failed", payment.id, at)
    if succeeded and payment.status is PaymentStatus.REFUNDED:
        for allocation in payment.paid_allocations:
            bill = uow.bills.get(allocation.bill_id)
            if bill.status is BillStatus.PAID and bill.paid_by_payment_id == payment.id:
                bill.refund(at)
    return True
