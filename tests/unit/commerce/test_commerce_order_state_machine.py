"""MerchantOrder's state machine driven by random valid and invalid commands (COD and online).

The model below restates seed 001 §2.3.6 in its own words rather than reading the transition
table, so the table is checked against the rule: a refused command raises the expected code and
leaves the order exactly as it was.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import attrs
import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from estate_core.commerce.order import (
    CancelledBy,
    MerchantOrder,
    OrderLine,
    OrderState,
    PaymentMethod,
)
from estate_core.shared.errors import DomainError
from estate_core.shared.ids import new_id
from estate_core.shared.money import Money

T0 = datetime(2026, 3, 15, 2, 0, tzinfo=UTC)
S = OrderState


def _snapshot(order: MerchantOrder) -> tuple[dict[str, Any], int]:
    return attrs.asdict(order, recurse=False), len(order.pending_events)


class MerchantOrderMachine(RuleBasedStateMachine):
    order: MerchantOrder
    now: datetime
    expected: OrderState
    paid_with: UUID | None

    @initialize(
        method=st.sampled_from(PaymentMethod),
        prices=st.lists(st.integers(1, 50_000), min_size=1, max_size=4),
        discount_share=st.integers(0, 99),
    )
    def place(self, method: PaymentMethod, prices: list[int], discount_share: int) -> None:
        lines = [
            OrderLine(product_id=new_id(), name=f"item {i}", unit_price=Money(p), quantity=1 + i)
            for i, p in enumerate(prices)
        ]
        subtotal = sum(line.amount.fen for line in lines)
        self.order = MerchantOrder.place(
            id=new_id(),
            tenant_id=new_id(),
            community_id=new_id(),
            merchant_id=new_id(),
            resident_id=new_id(),
            property_id=new_id(),
            delivery_address="1-1-101",
            payment_method=method,
            lines=lines,
            at=T0,
            coupon_id=new_id(),
            discount=Money(subtotal * discount_share // 100),
        )
        self.now = T0
        self.paid_with = None
        self.expected = S.PENDING_PAYMENT if method is PaymentMethod.ONLINE else S.PENDING_DELIVERY

    @property
    def online(self) -> bool:
        return self.order.payment_method is PaymentMethod.ONLINE

    def _attempt(self, command: Any, refusal: str | None, after: OrderState) -> None:
        before = _snapshot(self.order)
        if refusal is None:
            command()
            self.expected = after
            return
        with pytest.raises(DomainError) as refused:
            command()
        assert refused.value.code == refusal
        assert _snapshot(self.order) == before

    @rule(minutes=st.integers(0, 45))
    def time_passes(self, minutes: int) -> None:
        self.now += timedelta(minutes=minutes)

    @rule(same_payment=st.booleans())
    def pay(self, same_payment: bool) -> None:
        payment_id = self.paid_with if same_payment and self.paid_with else new_id()
        if payment_id == self.paid_with:
            before = _snapshot(self.order)
            self.order.mark_paid(payment_id, self.now)
            assert _snapshot(self.order) == before, "settling the same payment twice is a no-op"
            return
        unpaid_online = self.online and self.expected is S.PENDING_PAYMENT
        self._attempt(
            lambda: self.order.mark_paid(payment_id, self.now),
            None if unpaid_online else "merchant_order.invalid_transition",
            S.PENDING_DELIVERY,
        )
        if unpaid_online:
            self.paid_with = payment_id

    @rule()
    def start_delivery(self) -> None:
        ready = self.expected is S.PENDING_DELIVERY
        self._attempt(
            lambda: self.order.start_delivery(self.now),
            None if ready else "merchant_order.invalid_transition",
            S.DELIVERING,
        )

    @rule()
    def complete(self) -> None:
        on_the_way = self.expected is S.DELIVERING
        self._attempt(
            lambda: self.order.complete(self.now),
            None if on_the_way else "merchant_order.invalid_transition",
            S.COMPLETED,
        )

    @rule(by=st.sampled_from(CancelledBy))
    def cancel(self, by: CancelledBy) -> None:
        if self.online:
            allowed = self.expected is S.PENDING_PAYMENT
        else:
            allowed = self.expected in {S.PENDING_DELIVERY, S.DELIVERING}
        self._attempt(
            lambda: self.order.cancel(self.now, by),
            None if allowed else "merchant_order.invalid_transition",
            S.CANCELLED,
        )

    @rule()
    def close(self) -> None:
        refusal: str | None = "merchant_order.invalid_transition"
        if self.online and self.expected is S.PENDING_PAYMENT:
            overdue = self.now >= T0 + timedelta(minutes=30)
            refusal = None if overdue else "merchant_order.payment_not_overdue"
        self._attempt(lambda: self.order.close(self.now), refusal, S.CLOSED)

    @invariant()
    def state_is_as_modelled(self) -> None:
        assert self.order.state is self.expected

    @invariant()
    def payable_is_the_lines_minus_the_discount(self) -> None:
        order = self.order
        assert order.payable_amount == order.subtotal - order.discount
        assert not order.payable_amount.is_negative

    @invariant()
    def online_order_is_delivered_only_once_paid(self) -> None:
        if self.online and self.expected in {S.PENDING_DELIVERY, S.DELIVERING, S.COMPLETED}:
            assert self.order.payment_id == self.paid_with is not None


MerchantOrderMachine.TestCase.settings = settings(
    max_examples=80, stateful_step_count=12, deadline=None
)
TestMerchantOrderStateMachine = MerchantOrderMachine.TestCase


def _cancellable(method: PaymentMethod, state: OrderState) -> bool:
    """Seed 001 §2.3.6 in words: COD any time before completion, online only before payment."""
    if method is PaymentMethod.COD:
        return state in {S.PENDING_DELIVERY, S.DELIVERING}
    return state is S.PENDING_PAYMENT


def _unpaid_online(method: PaymentMethod, state: OrderState) -> bool:
    return method is PaymentMethod.ONLINE and state is S.PENDING_PAYMENT


_RULE = {
    "pay": lambda m, s: S.PENDING_DELIVERY if _unpaid_online(m, s) else None,
    "deliver": lambda m, s: S.DELIVERING if s is S.PENDING_DELIVERY else None,
    "complete": lambda m, s: S.COMPLETED if s is S.DELIVERING else None,
    "cancel": lambda m, s: S.CANCELLED if _cancellable(m, s) else None,
    "close": lambda m, s: S.CLOSED if _unpaid_online(m, s) else None,
}
"""What each action leads to from each state, by the rule in words; None means refused."""


@pytest.mark.parametrize("action", list(_RULE))
@pytest.mark.parametrize(
    ("method", "state"),
    [
        (method, state)
        for method in PaymentMethod
        for state in OrderState
        if not (method is PaymentMethod.COD and state is S.PENDING_PAYMENT)
    ],
)
def test_every_state_and_action_pair_follows_the_rule(
    method: PaymentMethod, state: OrderState, action: str
) -> None:
    line = OrderLine(product_id=new_id(), name="x", unit_price=Money(100), quantity=1)
    order = MerchantOrder.place(
        id=new_id(),
        tenant_id=new_id(),
        community_id=new_id(),
        merchant_id=new_id(),
        resident_id=new_id(),
        property_id=new_id(),
        delivery_address="1-1-101",
        payment_method=method,
        lines=[line],
        at=T0,
    )
    order.state = state
    late = T0 + timedelta(hours=1)
    command = {
        "pay": lambda: order.mark_paid(new_id(), late),
        "deliver": lambda: order.start_delivery(late),
        "complete": lambda: order.complete(late),
        "cancel": lambda: order.cancel(late, CancelledBy.STAFF),
        "close": lambda: order.close(late),
    }[action]
    target = _RULE[action](method, state)
    if target is not None:
        command()
        assert order.state is target
        return
    before = _snapshot(order)
    with pytest.raises(DomainError) as refused:
        command()
    assert refused.value.code == "merchant_order.invalid_transition"
    assert _snapshot(order) == before
