"""Property tests: payment numbers are gateway-safe and unique; splitting a payment loses no fen."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from uuid import UUID

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from estate_core.payments.allocation import (
    Allocation,
    split_payment,
    split_proportionally,
)
from estate_core.payments.numbers import (
    check_out_refund_no,
    is_out_trade_no,
    new_out_trade_no,
    surplus_refund_no,
)
from estate_core.payments.refund import Refund, attribute_refund
from estate_core.shared.errors import InvalidInput
from estate_core.shared.ids import new_id
from estate_core.shared.money import Money, total

GATEWAY_SAFE = re.compile(r"^[A-Za-z0-9]{6,32}$")
FAST = settings(max_examples=80, deadline=None)

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))
fen = st.integers(min_value=1, max_value=10_000_000)
bill_dues = st.lists(fen, min_size=1, max_size=12)


@FAST
@given(st.uuids(), days)
def test_an_order_number_is_6_to_32_letters_and_digits(payment_id: UUID, day: date) -> None:
    number = new_out_trade_no(payment_id, day)
    assert GATEWAY_SAFE.match(number)
    assert is_out_trade_no(number)
    assert number.startswith(day.strftime("%y%m%d"))


@FAST
@given(st.uuids(), st.uuids(), days, days)
def test_different_payments_never_share_an_order_number(
    first: UUID, second: UUID, day: date, other_day: date
) -> None:
    if first != second:
        assert new_out_trade_no(first, day) != new_out_trade_no(second, other_day)


def test_numbers_of_payments_made_in_the_same_millisecond_are_unique() -> None:
    today = date(2026, 3, 15)
    numbers = {new_out_trade_no(new_id(), today) for _ in range(5_000)}
    assert len(numbers) == 5_000


@FAST
@given(st.uuids(), days, st.integers(min_value=0, max_value=99))
def test_a_surplus_refund_number_is_a_valid_refund_number(
    payment_id: UUID, day: date, index: int
) -> None:
    number = surplus_refund_no(new_out_trade_no(payment_id, day), index)
    assert check_out_refund_no(number) == number


@FAST
@given(st.text(max_size=40))
def test_only_letters_and_digits_pass_as_an_order_number(text: str) -> None:
    assert is_out_trade_no(text) == bool(GATEWAY_SAFE.match(text))


def _dues(amounts: list[int]) -> list[tuple[UUID, Money]]:
    return [(new_id(), Money(amount)) for amount in amounts]


@FAST
@given(bill_dues, st.integers(min_value=0, max_value=1_000_000))
def test_allocations_and_credit_add_up_to_the_payment(amounts: list[int], extra: int) -> None:
    dues = _dues(amounts)
    paid = Money(sum(amounts) + extra)
    split = split_payment(paid, dues)
    assert total([a.amount for a in split.allocations]) + split.credit == paid
    assert split.amount == paid
    assert all(a.amount.is_positive for a in split.allocations)
    assert not split.credit.is_negative
    assert [(a.bill_id, a.amount) for a in split.allocations] == dues
    assert split.credit == Money(extra)


@FAST
@given(bill_dues, st.integers(min_value=1, max_value=1_000))
def test_an_amount_below_the_bills_due_is_refused(amounts: list[int], short: int) -> None:
    paid = Money(max(sum(amounts) - short, 0))
    with pytest.raises(InvalidInput) as refused:
        split_payment(paid, _dues(amounts))
    assert refused.value.code == "payment.insufficient_amount"


@FAST
@given(bill_dues, st.data())
def test_a_proportional_share_loses_no_fen_and_never_exceeds_a_bill(
    amounts: list[int], data: st.DataObject
) -> None:
    allocations = [Allocation(bill_id=bill_id, amount=due) for bill_id, due in _dues(amounts)]
    amount = Money(data.draw(st.integers(min_value=0, max_value=sum(amounts))))
    shares = split_proportionally(amount, allocations)
    assert total([s.amount for s in shares]) == amount
    for share, allocation in zip(shares, allocations, strict=True):
        assert share.bill_id == allocation.bill_id
        assert Money.zero() <= share.amount <= allocation.amount


@settings(max_examples=40, deadline=None)
@given(bill_dues, st.integers(min_value=0, max_value=100_000), st.data())
def test_refunds_come_off_prepayment_first_then_the_bills_and_add_up(
    amounts: list[int], credit: int, data: st.DataObject
) -> None:
    allocations = [Allocation(bill_id=bill_id, amount=due) for bill_id, due in _dues(amounts)]
    prepayment = Money(credit)
    left = Money(sum(amounts) + credit)
    refunds: list[Refund] = []
    while left.is_positive and len(refunds) < 6:
        amount = Money(data.draw(st.integers(min_value=1, max_value=left.fen)))
        from_prepayment, shares = attribute_refund(amount, prepayment, allocations, refunds)
        assert from_prepayment + total([s.amount for s in shares]) == amount
        taken_before = total([r.from_prepayment for r in refunds])
        assert from_prepayment == min(amount, prepayment - taken_before)
        refunds.append(
            Refund(
                out_refund_no=f"R{len(refunds)}",
                amount=amount,
                reason="test",
                requested_by=None,
                requested_at=datetime(2026, 3, 15, tzinfo=UTC),
                from_prepayment=from_prepayment,
                bill_shares=shares,
            )
        )
        left -= amount
    assert total([r.from_prepayment for r in refunds]) <= prepayment
    for allocation in allocations:
        refunded = total(
            [s.amount for r in refunds for s in r.bill_shares if s.bill_id == allocation.bill_id]
        )
        assert Money.zero() <= refunded <= allocation.amount
