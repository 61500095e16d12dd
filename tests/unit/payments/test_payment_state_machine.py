"""A stateful test of Bill + Payment: random valid and invalid commands through the use cases.

After every step: a bill is paid at most once, refunds never exceed what was paid, a payment's
status agrees with its refunds, the prepayment ledger holds exactly the credited money, and a
refused command raised the expected code and changed nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from billing_world import World, new_community
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)
from payment_world import STRANGER, Home, home_with_bills

from adapters.persistence.memory import InMemoryStore, InMemoryUnitOfWork
from estate_core.billing import services
from estate_core.billing.calculation import add_months
from estate_core.billing.model import BillStatus
from estate_core.identity.model import SurplusPolicy
from estate_core.payments.refund import RefundStatus, attribute_refund
from estate_core.payments.services import checkout, settlement
from estate_core.payments.services.checkout import PaymentView
from estate_core.payments.values import (
    SETTLED_STATUSES,
    PaymentStatus,
    SettlementOutcome,
)
from estate_core.shared.access import Permission, StaffActor, SystemActor
from estate_core.shared.clock import FixedClock
from estate_core.shared.errors import DomainError
from estate_core.shared.ids import new_id
from estate_core.shared.money import Money, total

REFUNDABLE = frozenset({PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED})
BILLS = 2
MAX_BILLS = 8
UNSETTLED = frozenset({PaymentStatus.PENDING, PaymentStatus.CLOSED})
index = st.integers(min_value=0, max_value=99)


class BillsAndPayments(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        clock = FixedClock(datetime(2026, 3, 15, 2, 0, tzinfo=UTC))
        self.store = InMemoryStore()
        uow = InMemoryUnitOfWork(self.store, new_id(), clock)
        admin = StaffActor(staff_id=new_id(), permissions=frozenset(Permission))
        self.world = World(uow=uow, clock=clock, admin=admin, community_id=new_community(uow))
        self.payments: list[PaymentView] = []

    @property
    def home(self) -> Home:
        return self._home

    @initialize(policy=st.sampled_from(SurplusPolicy))
    def open_home(self, policy: SurplusPolicy) -> None:
        self._home = home_with_bills(self.world, months=BILLS, policy=policy)

    # helpers ------------------------------------------------------------------------------

    def _state(self) -> Any:
        """Everything a command may change, as comparable values (not versions or events)."""
        uow = self.world.uow
        with uow:
            payments = [uow.payments.get(p.id) for p in self.payments]
            bills = [uow.bills.get(bill_id) for bill_id in self.home.bill_ids]
        return (
            [(p.status, tuple(p.refunds), tuple(p.surplus), p.transaction_id) for p in payments],
            [(b.status, b.paid_by_payment_id, b.amount_paid) for b in bills],
            self.home.balance(),
        )

    def _refused(self, call: Callable[[], object], code: str) -> None:
        before = self._state()
        with pytest.raises(DomainError) as raised:
            call()
        assert raised.value.code == code
        assert self._state() == before

    def _payment(self, i: int) -> PaymentView:
        return self.payments[i % len(self.payments)]

    def _load(self, view: PaymentView) -> Any:
        with self.world.uow:
            return self.world.uow.payments.get(view.id)

    def _from_prepayment(self, payment: Any, amount: Money) -> Money:
        taken, _ = attribute_refund(
            amount, payment.prepayment_part, payment.paid_allocations, payment.refunds
        )
        return taken

    def _bill_status(self, k: int) -> BillStatus:
        with self.world.uow:
            return self.world.uow.bills.get(self.home.bill_ids[k]).status

    # commands -----------------------------------------------------------------------------

    def _paid_at_once(self, view: PaymentView) -> None:
        settled = self.home.notify(view, transaction_id=f"T{view.out_trade_no}")
        assert settled.outcome is SettlementOutcome.SETTLED

    @precondition(lambda self: len(self.home.bill_ids) < MAX_BILLS)
    @rule()
    def next_billing_run(self) -> None:
        """出账 for the next month; new bills are paid from prepayment when it covers them."""
        last = self.world.bills(self.home.property_id)[-1]
        self.world.run(add_months(last.period_start, 1))
        self.home.bill_ids = [bill.id for bill in self.world.bills(self.home.property_id)]

    @rule(picks=st.lists(index, min_size=1, max_size=3), at_once=st.booleans())
    def pay_bills(self, picks: list[int], at_once: bool) -> None:
        chosen = sorted({k % len(self.home.bill_ids) for k in picks})
        bill_ids = [self.home.bill_ids[k] for k in chosen]
        if any(self._bill_status(k) is not BillStatus.UNPAID for k in chosen):
            self._refused(lambda: self.home.pay(bill_ids), "payment.bill_not_unpaid")
            return
        self.payments.append(self.home.pay(bill_ids))
        if at_once:
            self._paid_at_once(self.payments[-1])

    @rule(fen=st.integers(min_value=-100, max_value=80_000), at_once=st.booleans())
    def top_up(self, fen: int, at_once: bool) -> None:
        if fen <= 0:
            self._refused(lambda: self.home.top_up(Money(fen)), "payment.invalid_amount")
            return
        self.payments.append(self.home.top_up(Money(fen)))
        if at_once:
            self._paid_at_once(self.payments[-1])

    def _pick(self, i: int, wanted: frozenset[PaymentStatus]) -> PaymentView:
        """A payment in one of the ``wanted`` statuses if there is one (so that valid commands
        happen often), else any payment (so that invalid ones do too)."""
        fitting = [v for v in self.payments if self._load(v).status in wanted]
        return (fitting or self.payments)[i % len(fitting or self.payments)]

    @precondition(lambda self: self.payments)
    @rule(i=index, how=st.sampled_from(["as paid", "as paid", "amount", "merchant"]))
    def settle(self, i: int, how: str) -> None:
        view = self._pick(i, UNSETTLED)
        if how == "amount":
            wrong = view.amount + Money(1 + i)
            self._refused(lambda: self.home.notify(view, amount=wrong), "payment.amount_mismatch")
            return
        if how == "merchant":
            notify = lambda: self.home.notify(view, merchant=STRANGER)  # noqa: E731
            self._refused(notify, "payment.merchant_mismatch")
            return
        was_settled = self._load(view).is_settled
        result = self.home.notify(view, transaction_id=f"T{view.out_trade_no}")
        expected = SettlementOutcome.ALREADY_SETTLED if was_settled else SettlementOutcome.SETTLED
        assert result.outcome is expected
        assert result.status in SETTLED_STATUSES

    @precondition(lambda self: self.payments)
    @rule(i=index)
    def close(self, i: int) -> None:
        view = self._payment(i)
        world = self.world

        def call() -> None:
            checkout.close_payment(world.uow, world.clock, self.home.owner, view.id)

        if self._load(view).status is PaymentStatus.PENDING:
            call()
            assert self._load(view).status is PaymentStatus.CLOSED
        else:
            self._refused(call, "payment.invalid_transition")

    @rule(minutes=st.integers(min_value=1, max_value=20))
    def time_passes(self, minutes: int) -> None:
        self.world.clock.advance(timedelta(minutes=minutes))
        now = self.world.clock.now()
        closed = checkout.close_expired_payments(
            self.world.uow, self.world.clock, SystemActor(job="close")
        )
        for view in self.payments:
            payment = self._load(view)
            if view.id in closed:
                assert payment.status is PaymentStatus.CLOSED
            if payment.status is PaymentStatus.PENDING:
                assert payment.expires_at > now

    @precondition(lambda self: self.payments)
    @rule(
        i=index,
        size=st.sampled_from(["all", "over", "part", "same number"]),
        fen=st.integers(1, 60_000),
    )
    def refund(self, i: int, size: str, fen: int) -> None:
        view = self._pick(i, REFUNDABLE)
        payment = self._load(view)
        world = self.world
        if size == "same number" and payment.refunds:
            previous = payment.refunds[-1]
            again = settlement.RefundPayment(
                payment_id=view.id,
                amount=previous.amount,
                reason="重试",
                out_refund_no=previous.out_refund_no,
            )
            before = self._state()
            settlement.refund_payment(world.uow, world.clock, world.admin, again)
            assert self._state() == before
            return
        left = payment.refundable if payment.is_settled else view.amount
        amount = {"all": left, "over": left + Money(1)}.get(size, Money(fen))
        cmd = settlement.RefundPayment(payment_id=view.id, amount=amount, reason="退款")

        def call() -> None:
            settlement.refund_payment(world.uow, world.clock, world.admin, cmd)

        if payment.status not in REFUNDABLE:
            self._refused(call, "payment.invalid_transition")
        elif not amount.is_positive:
            self._refused(call, "payment.invalid_refund_amount")
        elif amount > payment.refundable:
            self._refused(call, "payment.refund_exceeds_paid")
        elif self._from_prepayment(payment, amount) > self.home.balance():
            self._refused(call, "prepayment.insufficient_balance")
        else:
            call()
            assert len(self._load(view).refunds) == len(payment.refunds) + 1

    @precondition(lambda self: any(p.refunds for p in map(self._load, self.payments)))
    @rule(i=index, j=index, succeeded=st.booleans())
    def refund_result(self, i: int, j: int, succeeded: bool) -> None:
        with_refunds = [v for v in self.payments if self._load(v).refunds]
        in_flight = [v for v in with_refunds if self._load(v).reserved > self._load(v).refunded]
        view = (in_flight or with_refunds)[i % len(in_flight or with_refunds)]
        refunds = self._load(view).refunds
        requested = [r for r in refunds if r.status is RefundStatus.REQUESTED] or refunds
        refund = requested[j % len(requested)]
        cmd = settlement.RecordRefundResult(
            out_trade_no=view.out_trade_no, out_refund_no=refund.out_refund_no, succeeded=succeeded
        )

        def call() -> object:
            return settlement.record_refund_result(self.world.uow, self.world.clock, cmd)

        outcome = RefundStatus.SUCCEEDED if succeeded else RefundStatus.FAILED
        if refund.status is RefundStatus.REQUESTED:
            call()
        elif refund.status is outcome:
            before = self._state()
            call()
            assert self._state() == before
        else:
            self._refused(call, "payment.refund_already_final")

    @rule(k=index)
    def void_bill(self, k: int) -> None:
        world = self.world
        k %= len(self.home.bill_ids)
        cmd = services.VoidBill(bill_id=self.home.bill_ids[k], reason="出账错误")

        def call() -> None:
            services.void_bill(world.uow, world.clock, world.admin, cmd)

        if self._bill_status(k) is BillStatus.UNPAID:
            call()
        else:
            self._refused(call, "bill.invalid_transition")

    # invariants ---------------------------------------------------------------------------

    @invariant()
    def a_bill_is_paid_at_most_once(self) -> None:
        uow = self.world.uow
        with uow:
            payments = [uow.payments.get(p.id) for p in self.payments]
            for bill_id in self.home.bill_ids:
                bill = uow.bills.get(bill_id)
                payers = {
                    p.id
                    for p in payments
                    if p.is_settled and any(a.bill_id == bill_id for a in p.paid_allocations)
                }
                if bill.paid_from_prepayment:
                    assert payers == set()
                elif bill.status in (BillStatus.PAID, BillStatus.REFUNDED):
                    assert payers == {bill.paid_by_payment_id}
                else:
                    assert payers == set()
                payer = next((p for p in payments if p.id == bill.paid_by_payment_id), None)
                if payer is not None:
                    fully_refunded = payer.status is PaymentStatus.REFUNDED
                    assert fully_refunded == (bill.status is BillStatus.REFUNDED)

    @invariant()
    def refunds_never_exceed_the_payment_and_agree_with_its_status(self) -> None:
        for view in self.payments:
            p = self._load(view)
            assert total([a.amount for a in p.allocations]) + p.credit == p.amount
            assert Money.zero() <= p.refunded <= p.reserved <= p.amount
            assert len(p.refunds) <= 50
            expected = {
                PaymentStatus.SUCCEEDED: p.refunded.is_zero,
                PaymentStatus.PARTIALLY_REFUNDED: Money.zero() < p.refunded < p.amount,
                PaymentStatus.REFUNDED: p.refunded == p.amount,
                PaymentStatus.PENDING: not p.refunds and not p.surplus,
                PaymentStatus.CLOSED: not p.refunds and not p.surplus,
            }
            assert expected[p.status]

    @invariant()
    def the_ledger_holds_exactly_the_credited_money(self) -> None:
        payments = [self._load(view) for view in self.payments]
        credited = total([p.prepayment_part for p in payments if p.is_settled])
        taken_back = total([r.from_prepayment for p in payments for r in p.refunds if r.active])
        with self.world.uow:
            bills = [self.world.uow.bills.get(bill_id) for bill_id in self.home.bill_ids]
        spent = total([b.amount_paid for b in bills if b.paid_from_prepayment])
        assert self.home.balance() == credited - taken_back - spent

    @invariant()
    def each_payment_settled_once(self) -> None:
        settled = [m for m in self.store.outbox if m.event_name == "PaymentSettled"]
        ids = [m.payload["payment_id"] for m in settled]
        assert len(ids) == len(set(ids))
        assert len(ids) == sum(1 for view in self.payments if self._load(view).is_settled)


BillsAndPayments.TestCase.settings = settings(
    max_examples=25, stateful_step_count=25, deadline=None
)
test_bills_and_payments = BillsAndPayments.TestCase
