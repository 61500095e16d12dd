"""The Bill aggregate: its transition table, settlement rules, late fee and due views."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from estate_core.billing.model import (
    BILL_TRANSITIONS,
    VOID_REASON_MAX,
    Bill,
    BillAction,
    BillAlreadyPaid,
    BillStatus,
)
from estate_core.shared.errors import DomainError, InvalidTransition
from estate_core.shared.ids import new_id
from estate_core.shared.money import Money

AT = datetime(2026, 3, 15, 2, 0, tzinfo=UTC)


def _bill(**changes: object) -> Bill:
    fields: dict[str, object] = {
        "id": new_id(),
        "tenant_id": new_id(),
        "community_id": new_id(),
        "property_id": new_id(),
        "fee_item_id": new_id(),
        "period_start": date(2026, 3, 1),
        "period_end": date(2026, 3, 31),
        "amount_due": Money(25_000),
        "due_date": date(2026, 3, 16),
        "late_fee_rate": Decimal("0.0005"),
        "late_fee_cap": Money(1_000),
    }
    fields.update(changes)
    return Bill(**fields)  # type: ignore[arg-type]


def _in_state(status: BillStatus) -> Bill:
    bill = _bill()
    if status is BillStatus.PAID:
        bill.settle(new_id(), Money(25_000), AT)
    elif status is BillStatus.VOID:
        bill.void("entered twice", AT)
    elif status is BillStatus.REFUNDED:
        bill.settle(new_id(), Money(25_000), AT)
        bill.refund(AT)
    bill.take_events()
    return bill


def _act(bill: Bill, action: BillAction) -> None:
    if action is BillAction.SETTLE:
        bill.settle(new_id(), bill.amount_due, AT)
    elif action is BillAction.VOID:
        bill.void("wrong amount", AT)
    else:
        bill.refund(AT)


@pytest.mark.parametrize("status", list(BillStatus))
@pytest.mark.parametrize("action", list(BillAction))
def test_only_the_transitions_in_the_table_are_allowed(
    status: BillStatus, action: BillAction
) -> None:
    bill = _in_state(status)
    before = attrs.asdict(bill)
    target = BILL_TRANSITIONS.get((status, action))
    if target is None:
        with pytest.raises(InvalidTransition) as raised:
            _act(bill, action)
        already_paid = (status, action) == (BillStatus.PAID, BillAction.SETTLE)
        expected = "bill.already_paid" if already_paid else "bill.invalid_transition"
        assert raised.value.code == expected
        assert attrs.asdict(bill) == before
        assert bill.pending_events == ()
    else:
        _act(bill, action)
        assert bill.status is target
        assert len(bill.pending_events) == 1


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(list(BillAction)), max_size=8))
def test_any_sequence_of_actions_follows_the_table(actions: list[BillAction]) -> None:
    bill = _bill()
    expected = BillStatus.UNPAID
    for action in actions:
        target = BILL_TRANSITIONS.get((expected, action))
        if target is None:
            with pytest.raises(InvalidTransition):
                _act(bill, action)
        else:
            _act(bill, action)
            expected = target
        assert bill.status is expected


def test_a_bill_already_paid_refuses_a_second_payment_with_its_own_code() -> None:
    bill = _bill()
    first = new_id()
    bill.settle(first, Money(25_000), AT)
    with pytest.raises(BillAlreadyPaid) as raised:
        bill.settle(new_id(), Money(25_000), AT)
    assert raised.value.code == "bill.already_paid"
    assert raised.value.details["paid_by_payment_id"] == first
    assert bill.paid_by_payment_id == first


def test_settlement_must_cover_the_amount_due() -> None:
    bill = _bill()
    with pytest.raises(DomainError) as raised:
        bill.settle(new_id(), Money(24_999), AT)
    assert raised.value.code == "bill.amount_mismatch"
    assert bill.status is BillStatus.UNPAID


def test_settlement_may_exceed_the_amount_due_by_at_most_the_late_fee_cap() -> None:
    bill = _bill()
    with pytest.raises(DomainError) as raised:
        bill.settle(new_id(), Money(26_001), AT)
    assert raised.value.code == "bill.amount_mismatch"
    payment_id = new_id()
    bill.settle(payment_id, Money(26_000), AT)
    assert (bill.status, bill.amount_paid, bill.paid_at) == (BillStatus.PAID, Money(26_000), AT)
    assert bill.paid_by_payment_id == payment_id


def test_a_bill_without_late_fee_is_paid_with_exactly_its_amount() -> None:
    bill = _bill(late_fee_rate=None, late_fee_cap=None)
    with pytest.raises(DomainError) as raised:
        bill.settle(new_id(), Money(25_001), AT)
    assert raised.value.code == "bill.amount_mismatch"


def test_the_late_fee_cap_defaults_to_the_bill_amount() -> None:
    bill = _bill(late_fee_rate=Decimal("0.5"), late_fee_cap=None)
    assert bill.late_fee_on(date(2027, 1, 1)) == Money(25_000)
    assert bill.total_due_on(date(2027, 1, 1)) == Money(50_000)


def test_voiding_needs_a_reason() -> None:
    bill = _bill()
    with pytest.raises(DomainError) as raised:
        bill.void("  ", AT)
    assert raised.value.code == "bill.void_reason_required"
    assert bill.status is BillStatus.UNPAID


def test_a_void_reason_longer_than_its_column_is_refused() -> None:
    bill = _bill()
    with pytest.raises(DomainError) as raised:
        bill.void("录" * (VOID_REASON_MAX + 1), AT)
    assert raised.value.code == "bill.invalid_void_reason"
    assert bill.status is BillStatus.UNPAID
    bill.void("录" * VOID_REASON_MAX, AT)
    assert bill.status is BillStatus.VOID


def test_late_fee_accrues_from_the_day_after_the_due_date_while_unpaid() -> None:
    bill = _bill()
    assert bill.late_fee_on(date(2026, 3, 16)) == Money(0)
    assert not bill.is_overdue_on(date(2026, 3, 16))
    assert bill.late_fee_on(date(2026, 3, 18)) == Money(25)  # 25,000 × 0.0005 × 2
    assert bill.is_overdue_on(date(2026, 3, 17))
    assert bill.total_due_on(date(2026, 3, 18)) == Money(25_025)


def test_a_paid_bill_carries_no_late_fee_and_is_not_overdue() -> None:
    bill = _in_state(BillStatus.PAID)
    assert bill.late_fee_on(date(2027, 1, 1)) == Money(0)
    assert not bill.is_overdue_on(date(2027, 1, 1))
    assert not bill.is_due_on(date(2027, 1, 1))


def test_a_bill_is_due_once_its_period_begins_and_upcoming_before() -> None:
    bill = _bill(
        period_start=date(2026, 4, 1), period_end=date(2026, 4, 30), due_date=date(2026, 4, 16)
    )
    assert bill.is_upcoming_on(date(2026, 3, 31))
    assert not bill.is_due_on(date(2026, 3, 31))
    assert bill.is_due_on(date(2026, 4, 1))
    assert not bill.is_upcoming_on(date(2026, 4, 1))


def test_a_bill_is_for_a_positive_amount() -> None:
    with pytest.raises(DomainError) as raised:
        _bill(amount_due=Money(0))
    assert raised.value.code == "bill.invalid_amount"


def test_issuing_announces_the_bill() -> None:
    bill = Bill.issue(
        bill_id=new_id(),
        tenant_id=new_id(),
        community_id=new_id(),
        property_id=new_id(),
        fee_item_id=new_id(),
        period_start=date(2026, 3, 1),
        period_end=date(2026, 3, 31),
        amount_due=Money(100),
        due_date=date(2026, 3, 16),
        late_fee_rate=None,
        late_fee_cap=None,
        at=AT,
    )
    assert [type(event).__name__ for event in bill.pending_events] == ["BillIssued"]
    assert bill.issued_at == AT
