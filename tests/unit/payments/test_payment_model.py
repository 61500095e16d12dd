"""The Payment aggregate on its own: its shape, its one transition table, surplus and refunds."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest

from estate_core.identity.model import SurplusPolicy
from estate_core.payments.allocation import Allocation
from estate_core.payments.payment import Payment
from estate_core.payments.values import (
    TRANSITIONS,
    CloseReason,
    MerchantAccount,
    PaymentAction,
    PaymentChannel,
    PaymentStatus,
    PaymentTarget,
    SettlementOutcome,
)
from estate_core.shared.events import event_name
from estate_core.shared.ids import new_id
from estate_core.shared.money import Money
from world_builders import code_of

AT = datetime(2026, 3, 15, 2, 0, tzinfo=UTC)
MERCHANT = MerchantAccount(app_id="wx8888888888888888", merchant_id="1900000109")
BILL_A, BILL_B = new_id(), new_id()


def _payment(**changes: Any) -> Payment:
    fields: dict[str, Any] = {
        "id": new_id(),
        "tenant_id": new_id(),
        "community_id": new_id(),
        "target": PaymentTarget.BILLS,
        "property_id": new_id(),
        "payer_id": new_id(),
        "channel": PaymentChannel.WECHAT_JSAPI,
        "amount": Money(30_000),
        "out_trade_no": "260315ABCDEFGHJKMNPQRSTVWXYZ01",
        "allocations": [
            Allocation(bill_id=BILL_A, amount=Money(20_000)),
            Allocation(bill_id=BILL_B, amount=Money(10_000)),
        ],
        "merchant": MERCHANT,
        "created_at": AT,
        "expires_at": AT + timedelta(minutes=15),
    }
    fields.update(changes)
    return Payment(**fields)


def _in(status: PaymentStatus) -> Payment:
    """A payment brought to ``status`` through its own methods."""
    payment = _payment()
    if status is PaymentStatus.CLOSED:
        payment.close(CloseReason.PAYER, AT)
    if status in (
        PaymentStatus.SUCCEEDED,
        PaymentStatus.PARTIALLY_REFUNDED,
        PaymentStatus.REFUNDED,
    ):
        payment.settle(payment.amount, MERCHANT, "4200", AT)
    if status is PaymentStatus.PARTIALLY_REFUNDED:
        payment.request_refund("R1", Money(1), "退", new_id(), AT)
        payment.record_refund_result("R1", True, AT)
    if status is PaymentStatus.REFUNDED:
        payment.request_refund("R1", payment.amount, "退", new_id(), AT)
        payment.record_refund_result("R1", True, AT)
    assert payment.status is status
    return payment


COMMANDS: dict[PaymentAction, Callable[[Payment], object]] = {
    PaymentAction.SETTLE: lambda p: p.settle(p.amount, MERCHANT, "4200", AT),
    PaymentAction.CLOSE: lambda p: p.close(CloseReason.PAYER, AT),
    PaymentAction.REFUND: lambda p: p.request_refund("R9", Money(1), "退", new_id(), AT),
    PaymentAction.RECORD_SURPLUS: lambda p: p.record_surplus(
        BILL_A, "bill_already_paid", SurplusPolicy.REFUND, AT
    ),
}


@pytest.mark.parametrize("status", list(PaymentStatus))
@pytest.mark.parametrize("action", list(COMMANDS))
def test_every_command_follows_the_one_transition_table(
    status: PaymentStatus, action: PaymentAction
) -> None:
    payment = _in(status)
    before = attrs.asdict(payment)
    if (status, action) in TRANSITIONS:
        COMMANDS[action](payment)
        assert payment.status is TRANSITIONS[(status, action)]
    elif action is PaymentAction.SETTLE:
        assert COMMANDS[action](payment) is SettlementOutcome.ALREADY_SETTLED
        assert attrs.asdict(payment) == before
    else:
        assert code_of(lambda: COMMANDS[action](payment)) == "payment.invalid_transition"
        assert attrs.asdict(payment) == before


def test_refunded_is_final_and_closed_can_only_still_succeed() -> None:
    assert not [pair for pair in TRANSITIONS if pair[0] is PaymentStatus.REFUNDED]
    assert [a for s, a in TRANSITIONS if s is PaymentStatus.CLOSED] == [PaymentAction.SETTLE]


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"merchant": None}, "payment.invalid_channel"),
        ({"expires_at": None}, "payment.invalid_channel"),
        ({"channel": PaymentChannel.OFFLINE, "merchant": None}, "payment.receipt_required"),
        ({"amount": Money(30_001)}, "payment.invalid_allocation"),
        ({"amount": Money(0), "allocations": []}, "payment.invalid_amount"),
        ({"allocations": [], "credit": Money(30_000)}, "payment.invalid_target"),
        ({"property_id": None}, "payment.invalid_target"),
        ({"target": PaymentTarget.MERCHANT_ORDER}, "payment.invalid_target"),
        (
            {
                "allocations": [
                    Allocation(bill_id=BILL_A, amount=Money(20_000)),
                    Allocation(bill_id=BILL_A, amount=Money(10_000)),
                ]
            },
            "payment.duplicate_bill",
        ),
    ],
)
def test_a_payment_is_made_whole_or_not_at_all(changes: dict[str, Any], code: str) -> None:
    assert code_of(lambda: _payment(**changes)) == code


def test_an_offline_payment_names_its_cashier_and_receipt() -> None:
    offline = _payment(
        channel=PaymentChannel.OFFLINE,
        merchant=None,
        expires_at=None,
        cashier_id=new_id(),
        receipt_no="NO.1",
    )
    assert offline.settle(offline.amount, None, None, AT) is SettlementOutcome.SETTLED


def test_closing_for_timeout_before_the_expiry_is_refused() -> None:
    payment = _payment()
    assert code_of(lambda: payment.close(CloseReason.TIMEOUT, AT)) == "payment.not_expired"
    payment.close(CloseReason.TIMEOUT, AT + timedelta(minutes=15))
    assert payment.status is PaymentStatus.CLOSED


def test_the_surplus_refund_number_is_the_same_on_every_try() -> None:
    first, retry = _in(PaymentStatus.SUCCEEDED), _in(PaymentStatus.SUCCEEDED)
    numbers = [
        p.record_surplus(BILL_B, "bill_already_paid", SurplusPolicy.REFUND, AT).out_refund_no
        for p in (first, retry)
    ]
    assert numbers[0] == numbers[1] == first.out_trade_no + "S02"


def test_a_surplus_is_recorded_once_per_bill() -> None:
    payment = _in(PaymentStatus.SUCCEEDED)
    payment.record_surplus(BILL_A, "bill_void", SurplusPolicy.PREPAYMENT, AT)
    assert (
        code_of(lambda: payment.record_surplus(BILL_A, "bill_void", SurplusPolicy.REFUND, AT))
        == "payment.surplus_recorded"
    )
    assert payment.paid_allocations == [Allocation(bill_id=BILL_B, amount=Money(10_000))]
    assert payment.prepayment_part == Money(20_000)


def test_a_staff_refund_comes_off_prepayment_before_the_bills() -> None:
    payment = _payment(amount=Money(35_000), credit=Money(5_000))
    payment.settle(payment.amount, MERCHANT, "4200", AT)
    refund = payment.request_refund("R1", Money(8_000), "退", new_id(), AT)
    assert refund.from_prepayment == Money(5_000)
    assert {s.bill_id: s.amount for s in refund.bill_shares} == {
        BILL_A: Money(2_000),
        BILL_B: Money(1_000),
    }


def test_a_surplus_refund_is_not_charged_to_the_bills_it_did_not_pay() -> None:
    payment = _in(PaymentStatus.SUCCEEDED)
    payment.record_surplus(BILL_A, "bill_already_paid", SurplusPolicy.REFUND, AT)
    rest = payment.request_refund("R1", payment.refundable, "退", new_id(), AT)
    assert rest.amount == Money(10_000)
    assert [(s.bill_id, s.amount) for s in rest.bill_shares] == [(BILL_B, Money(10_000))]


def test_refused_refunds_change_nothing() -> None:
    payment = _in(PaymentStatus.SUCCEEDED)
    before = attrs.asdict(payment)
    staff, over = new_id(), payment.amount + Money(1)
    refusals: list[tuple[Callable[[], object], str]] = [
        (lambda: payment.request_refund("R1", Money(0), "退", staff, AT), "invalid_refund_amount"),
        (lambda: payment.request_refund("R1", Money(1), " ", staff, AT), "refund_reason_required"),
        (lambda: payment.request_refund("R1", over, "退", staff, AT), "refund_exceeds_paid"),
        (lambda: payment.record_refund_result("R404", True, AT), "refund_not_found"),
    ]
    for call, code in refusals:
        assert code_of(call) == f"payment.{code}"
    assert attrs.asdict(payment) == before


def test_events_are_recorded_for_the_gateway_work() -> None:
    payment = _payment()
    payment.take_events()
    payment.settle(payment.amount, MERCHANT, "4200", AT)
    payment.request_refund("R1", Money(100), "退", new_id(), AT)
    names = [event_name(event) for event in payment.take_events()]
    assert names == ["PaymentSettled", "RefundRequested"]
