"""Refunds 退款, the cashier's counter 线下收款, and payments of merchant orders."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import pytest
from billing_world import World
from payment_world import FakeMerchants, Home, home_with_bills

from estate_core.billing.model import BillStatus
from estate_core.commerce.order import (
    CancelledBy,
    MerchantOrder,
    OrderLine,
    OrderState,
    PaymentMethod,
)
from estate_core.payments.refund import MAX_REFUNDS, RefundStatus
from estate_core.payments.services import checkout, offline, settlement
from estate_core.payments.services.checkout import PaymentView
from estate_core.payments.services.settlement import RefundView
from estate_core.payments.values import PaymentChannel, PaymentStatus, PaymentTarget
from estate_core.shared.access import Permission, StaffActor
from estate_core.shared.ids import new_id
from estate_core.shared.money import Money
from world_builders import code_of


@pytest.fixture
def home(world: World) -> Home:
    return home_with_bills(world)


@pytest.fixture
def paid(home: Home) -> PaymentView:
    payment = home.pay()
    home.notify(payment)
    return payment


def _refund(
    home: Home,
    payment: PaymentView,
    amount: Money,
    *,
    number: str | None = None,
    reason: str = "业主多缴",
    actor: StaffActor | None = None,
) -> RefundView:
    return settlement.refund_payment(
        home.uow,
        home.world.clock,
        actor or home.world.admin,
        settlement.RefundPayment(
            payment_id=payment.id, amount=amount, reason=reason, out_refund_no=number
        ),
    )


def _result(home: Home, payment: PaymentView, number: str, succeeded: bool) -> RefundView:
    return settlement.record_refund_result(
        home.uow,
        home.world.clock,
        settlement.RecordRefundResult(
            out_trade_no=payment.out_trade_no, out_refund_no=number, succeeded=succeeded
        ),
    )


def _status(home: Home, payment: PaymentView) -> PaymentStatus:
    return checkout.get_payment(home.uow, home.world.admin, payment.id).status


def _bill_statuses(home: Home) -> set[BillStatus]:
    with home.uow:
        return {home.uow.bills.get(bill_id).status for bill_id in home.bill_ids}


def test_refunding_needs_the_payment_refund_permission(home: Home, paid: PaymentView) -> None:
    cashier = StaffActor(staff_id=new_id(), permissions=frozenset({Permission.PAYMENT_COLLECT}))
    assert code_of(lambda: _refund(home, paid, Money(100), actor=cashier)) == "permission.missing"


def test_a_refund_needs_a_reason(home: Home, paid: PaymentView) -> None:
    assert code_of(lambda: _refund(home, paid, Money(100), reason=" ")) == (
        "payment.refund_reason_required"
    )


def test_an_unpaid_payment_cannot_be_refunded(home: Home) -> None:
    payment = home.pay()
    assert code_of(lambda: _refund(home, payment, Money(100))) == "payment.invalid_transition"


def test_refunds_never_exceed_what_was_paid_minus_refunded(home: Home, paid: PaymentView) -> None:
    _refund(home, paid, Money(30_000))
    left = paid.amount - Money(30_000)
    assert code_of(lambda: _refund(home, paid, left + Money(1))) == "payment.refund_exceeds_paid"
    assert _refund(home, paid, left).amount == left


def test_the_same_refund_number_again_refunds_once(home: Home, paid: PaymentView) -> None:
    first = _refund(home, paid, Money(500), number="R1")
    again = _refund(home, paid, Money(500), number="R1")
    assert again == first
    with home.uow:
        assert len(home.uow.payments.get(paid.id).refunds) == 1


def test_a_refund_number_cannot_be_reused_for_another_amount(home: Home, paid: PaymentView) -> None:
    _refund(home, paid, Money(500), number="R1")
    assert code_of(lambda: _refund(home, paid, Money(600), number="R1")) == (
        "payment.refund_no_reused"
    )


def test_a_refund_number_is_letters_and_digits(home: Home, paid: PaymentView) -> None:
    assert code_of(lambda: _refund(home, paid, Money(5), number="R-1")) == (
        "payment.invalid_refund_no"
    )


def test_at_most_fifty_refunds_per_payment(home: Home, paid: PaymentView) -> None:
    for _ in range(MAX_REFUNDS):
        _refund(home, paid, Money(1))
    assert code_of(lambda: _refund(home, paid, Money(1))) == "payment.too_many_refunds"


def test_full_refund_of_a_bill_payment_marks_the_bills_refunded(
    home: Home, paid: PaymentView
) -> None:
    refund = _refund(home, paid, paid.amount)
    assert refund.status is RefundStatus.REQUESTED
    assert _bill_statuses(home) == {BillStatus.PAID}
    done = _result(home, paid, refund.out_refund_no, succeeded=True)
    assert done.payment_status is PaymentStatus.REFUNDED
    assert _bill_statuses(home) == {BillStatus.REFUNDED}


def test_a_partial_refund_leaves_the_bills_paid(home: Home, paid: PaymentView) -> None:
    refund = _refund(home, paid, Money(1_000))
    _result(home, paid, refund.out_refund_no, succeeded=True)
    assert _status(home, paid) is PaymentStatus.PARTIALLY_REFUNDED
    assert _bill_statuses(home) == {BillStatus.PAID}


def test_partial_refunds_adding_up_to_the_payment_make_it_refunded(
    home: Home, paid: PaymentView
) -> None:
    first = _refund(home, paid, Money(1_000))
    rest = _refund(home, paid, paid.amount - Money(1_000))
    _result(home, paid, first.out_refund_no, succeeded=True)
    _result(home, paid, rest.out_refund_no, succeeded=True)
    assert _status(home, paid) is PaymentStatus.REFUNDED
    assert _bill_statuses(home) == {BillStatus.REFUNDED}


def test_a_failed_refund_frees_its_amount_for_another(home: Home, paid: PaymentView) -> None:
    refund = _refund(home, paid, paid.amount)
    _result(home, paid, refund.out_refund_no, succeeded=False)
    assert _status(home, paid) is PaymentStatus.SUCCEEDED
    assert _refund(home, paid, paid.amount).status is RefundStatus.REQUESTED


def test_a_repeated_refund_result_is_a_no_op(home: Home, paid: PaymentView) -> None:
    refund = _refund(home, paid, Money(1_000))
    _result(home, paid, refund.out_refund_no, succeeded=True)
    again = _result(home, paid, refund.out_refund_no, succeeded=True)
    assert again.status is RefundStatus.SUCCEEDED
    assert code_of(lambda: _result(home, paid, refund.out_refund_no, succeeded=False)) == (
        "payment.refund_already_final"
    )


def test_refunding_a_top_up_takes_the_credit_back_and_a_failure_returns_it(home: Home) -> None:
    top_up = home.top_up(Money(50_000))
    home.notify(top_up)
    refund = _refund(home, top_up, Money(20_000))
    assert home.balance() == Money(30_000)
    _result(home, top_up, refund.out_refund_no, succeeded=False)
    assert home.balance() == Money(50_000)


def test_a_top_up_already_spent_cannot_be_refunded(world: World, home: Home) -> None:
    top_up = home.top_up(Money(50_000))
    home.notify(top_up)
    world.run(world.bills(home.property_id)[-1].period_end + timedelta(days=1))
    assert home.balance() < Money(50_000)
    assert code_of(lambda: _refund(home, top_up, Money(50_000))) == (
        "prepayment.insufficient_balance"
    )


def _collect(
    home: Home,
    receipt_no: str,
    bill_ids: tuple[UUID, ...] = (),
    received: Money | None = None,
) -> PaymentView:
    cmd = offline.CollectOfflinePayment(
        property_id=home.property_id, receipt_no=receipt_no, bill_ids=bill_ids, received=received
    )
    world = home.world
    return offline.collect_offline_payment(world.uow, world.clock, world.admin, cmd)


def test_an_offline_payment_settles_at_once_against_its_receipt(home: Home) -> None:
    payment = _collect(home, receipt_no="NO.000123", bill_ids=tuple(home.bill_ids))
    assert payment.channel is PaymentChannel.OFFLINE
    assert payment.status is PaymentStatus.SUCCEEDED
    assert payment.receipt_no == "NO.000123"
    assert _bill_statuses(home) == {BillStatus.PAID}


def test_receipt_numbers_are_unique_per_tenant(home: Home) -> None:
    _collect(home, receipt_no="NO.1", bill_ids=(home.bill_ids[0],))
    assert code_of(lambda: _collect(home, receipt_no="NO.1", bill_ids=(home.bill_ids[1],))) == (
        "payment.duplicate_receipt"
    )


def test_money_received_above_the_bills_becomes_prepayment(home: Home) -> None:
    payment = _collect(
        home, receipt_no="NO.2", bill_ids=tuple(home.bill_ids), received=Money(60_000)
    )
    assert payment.credit == Money(60_000) - Money(50_000)
    assert home.balance() == Money(10_000)


def test_money_received_below_the_bills_is_refused(home: Home) -> None:
    call = lambda: _collect(  # noqa: E731
        home, receipt_no="NO.3", bill_ids=tuple(home.bill_ids), received=Money(100)
    )
    assert code_of(call) == "payment.insufficient_amount"


def test_an_offline_refund_is_cash_back_at_once(home: Home) -> None:
    payment = _collect(home, receipt_no="NO.4", bill_ids=tuple(home.bill_ids))
    refund = _refund(home, payment, payment.amount)
    assert refund.status is RefundStatus.SUCCEEDED
    assert _bill_statuses(home) == {BillStatus.REFUNDED}


def test_collecting_needs_the_payment_collect_permission(home: Home) -> None:
    refunder = StaffActor(staff_id=new_id(), permissions=frozenset({Permission.PAYMENT_REFUND}))
    call = lambda: offline.collect_offline_payment(  # noqa: E731
        home.uow,
        home.world.clock,
        refunder,
        offline.CollectOfflinePayment(property_id=home.property_id, receipt_no="NO.5"),
    )
    assert code_of(call) == "permission.missing"


def _order(home: Home) -> MerchantOrder:
    order = MerchantOrder.place(
        id=new_id(),
        tenant_id=home.uow.tenant_id,
        community_id=home.world.community_id,
        merchant_id=new_id(),
        resident_id=home.owner.resident_id,
        property_id=home.property_id,
        delivery_address="1-1-101",
        payment_method=PaymentMethod.ONLINE,
        lines=[OrderLine(product_id=new_id(), name="矿泉水", unit_price=Money(200), quantity=3)],
        at=home.world.clock.now(),
    )
    with home.uow:
        home.uow.merchant_orders.add(order)
        home.uow.commit()
    return order


def _pay_order(home: Home, order: MerchantOrder) -> PaymentView:
    return checkout.start_order_payment(
        home.uow,
        home.world.clock,
        FakeMerchants(),
        home.owner,
        checkout.PayOrder(order_id=order.id, channel=PaymentChannel.WECHAT_JSAPI),
    )


def test_paying_a_merchant_order_marks_it_paid(home: Home) -> None:
    order = _order(home)
    payment = _pay_order(home, order)
    assert payment.target is PaymentTarget.MERCHANT_ORDER
    assert payment.amount == Money(600)
    assert payment.property_id is None
    home.notify(payment)
    with home.uow:
        paid_order = home.uow.merchant_orders.get(order.id)
    assert paid_order.state is OrderState.PENDING_DELIVERY
    assert paid_order.payment_id == payment.id


def test_an_order_closed_before_its_money_came_is_refunded_in_full(home: Home) -> None:
    order = _order(home)
    payment = _pay_order(home, order)
    with home.uow:
        home.uow.merchant_orders.get(order.id).cancel(home.world.clock.now(), CancelledBy.RESIDENT)
        home.uow.commit()
    [case] = home.notify(payment).surplus
    assert case.bill_id is None
    assert case.amount == payment.amount
    with home.uow:
        [refund] = home.uow.payments.get(payment.id).refunds
    assert refund.amount == payment.amount


def test_only_the_buyer_pays_an_order(world: World, home: Home) -> None:
    order = _order(home)
    other_home = world.home()
    stranger = world.owner_of(other_home)
    call = lambda: checkout.start_order_payment(  # noqa: E731
        home.uow,
        home.world.clock,
        FakeMerchants(),
        stranger,
        checkout.PayOrder(order_id=order.id, channel=PaymentChannel.WECHAT_JSAPI),
    )
    assert code_of(call) == "payment.not_your_order"
