"""Refund of a bill paid from the prepayment ledger 预缴抵扣退回: the money goes back on the
ledger, and from there to the payer only through the payment that funded it."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest
from billing_world import World
from payment_world import MONTHLY_FEE, Home, home_with_bills

from estate_core.billing.model import Bill, BillStatus
from estate_core.billing.prepayment import RefundPrepaidBill, refund_prepaid_bill
from estate_core.payments.services import settlement
from estate_core.payments.services.checkout import PaymentView
from estate_core.payments.values import PaymentStatus
from estate_core.shared.access import Permission, StaffActor
from estate_core.shared.ids import new_id
from estate_core.shared.money import Money
from world_builders import code_of

FEBRUARY = date(2026, 2, 1)


@pytest.fixture
def home(world: World) -> Home:
    return home_with_bills(world, months=1)


@pytest.fixture
def top_up(home: Home) -> PaymentView:
    payment = home.top_up(MONTHLY_FEE)
    home.notify(payment, transaction_id="2026031522001")
    home.world.run(FEBRUARY)
    return payment


def _prepaid_bill(home: Home) -> Bill:
    (bill,) = [b for b in home.world.bills(home.property_id) if b.paid_from_prepayment]
    return bill


def _refund_bill(
    home: Home, bill_id: UUID, actor: StaffActor | None = None, reason: str = "重复收费"
) -> Money:
    return refund_prepaid_bill(
        home.uow,
        home.world.clock,
        actor or home.world.admin,
        RefundPrepaidBill(bill_id=bill_id, reason=reason),
    )


def _refund_payment(home: Home, payment: PaymentView, amount: Money) -> settlement.RefundView:
    return settlement.refund_payment(
        home.uow,
        home.world.clock,
        home.world.admin,
        settlement.RefundPayment(payment_id=payment.id, amount=amount, reason="业主退预存"),
    )


def test_a_prepaid_bill_refunded_credits_the_ledger_back(home: Home, top_up: PaymentView) -> None:
    bill = _prepaid_bill(home)
    assert home.balance() == Money(0)
    assert _refund_bill(home, bill.id) == MONTHLY_FEE
    (refunded,) = [b for b in home.world.bills(home.property_id) if b.paid_from_prepayment]
    assert refunded.status is BillStatus.REFUNDED
    assert home.balance() == MONTHLY_FEE


def test_the_prepayment_spent_on_a_bill_can_be_refunded_once_the_bill_is(
    home: Home, top_up: PaymentView
) -> None:
    """Before, the top-up could not be refunded (its money was spent on the bill)."""
    assert code_of(lambda: _refund_payment(home, top_up, MONTHLY_FEE)) == (
        "prepayment.insufficient_balance"
    )
    _refund_bill(home, _prepaid_bill(home).id)
    view = _refund_payment(home, top_up, MONTHLY_FEE)
    assert (view.amount, view.payment_status) == (MONTHLY_FEE, PaymentStatus.SUCCEEDED)
    assert home.balance() == Money(0)


def test_a_prepaid_bill_is_refunded_once_and_only_by_staff_who_refund(
    home: Home, top_up: PaymentView
) -> None:
    bill_id = _prepaid_bill(home).id
    cashier = StaffActor(staff_id=new_id(), permissions=frozenset({Permission.PAYMENT_COLLECT}))
    assert code_of(lambda: _refund_bill(home, bill_id, cashier)) == "permission.missing"
    _refund_bill(home, bill_id)
    assert code_of(lambda: _refund_bill(home, bill_id)) == "bill.invalid_transition"
    assert home.balance() == MONTHLY_FEE


def test_a_bill_paid_by_a_payment_is_refunded_through_that_payment(home: Home) -> None:
    paid = home.pay()
    home.notify(paid)
    assert code_of(lambda: _refund_bill(home, home.bill_ids[0])) == (
        "bill.not_paid_from_prepayment"
    )
    blank = home.bill_ids[0]
    assert code_of(lambda: _refund_bill(home, blank, reason=" ")) == (
        "payment.refund_reason_required"
    )
