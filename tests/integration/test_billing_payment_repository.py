"""The payment repository's contract on the three backends: a payment with its allocations,
refunds and surplus survives every change; its numbers are unique; the worker's queries and
a home's payments come in their order."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import pytest
from billing_samples import AT, WECHAT, a_bill, a_bill_payment, an_estate, an_offline_topup
from persistence_samples import Backend

from estate_core.identity.model import SurplusPolicy
from estate_core.payments.allocation import Allocation
from estate_core.payments.refund import RefundStatus
from estate_core.payments.values import CloseReason, PaymentStatus, SurplusCase
from estate_core.shared.errors import Conflict, NotFound
from estate_core.shared.ids import new_id
from estate_core.shared.money import Money
from estate_core.shared.pagination import PageRequest


def test_payment_keeps_allocations_refunds_and_surplus_through_each_change(
    backend: Backend, tenant_id: UUID
) -> None:
    estate = an_estate(backend.uow(tenant_id), homes=1)
    home = estate.homes[0]
    january, february = a_bill(estate.item, home, 1), a_bill(estate.item, home, 2, 30_000)
    payment = a_bill_payment(home, [january, february], credit=Money(5_000))
    with backend.uow(tenant_id) as uow:
        uow.bills.add(january)
        uow.bills.add(february)
        uow.payments.add(payment)
        uow.commit()
    later = AT + timedelta(minutes=3)
    with backend.uow(tenant_id) as uow:
        loaded = uow.payments.find_by_out_trade_no(payment.out_trade_no, lock=True)
        assert loaded is not None
        loaded.settle(loaded.amount, WECHAT, "4200000001", later)
        loaded.record_surplus(february.id, "bill_already_paid", SurplusPolicy.REFUND, later)
        loaded.request_refund("R1", Money(10_000), "多收", new_id(), later)
        uow.commit()
    with backend.uow(tenant_id) as uow:
        again = uow.payments.get(payment.id)
        assert list(again.allocations) == [
            Allocation(bill_id=january.id, amount=Money(25_000)),
            Allocation(bill_id=february.id, amount=Money(30_000)),
        ]
        assert (again.status, again.credit, again.merchant, again.transaction_id) == (
            PaymentStatus.SUCCEEDED,
            Money(5_000),
            WECHAT,
            "4200000001",
        )
        assert again.surplus == [
            SurplusCase(
                bill_id=february.id,
                amount=Money(30_000),
                cause="bill_already_paid",
                resolution=SurplusPolicy.REFUND,
                out_refund_no=f"{payment.out_trade_no}S02",
                recorded_at=later,
            )
        ]
        surplus_refund, staff_refund = again.refunds
        assert (surplus_refund.surplus, surplus_refund.requested_by) == (True, None)
        assert staff_refund.from_prepayment == Money(5_000)
        assert staff_refund.bill_shares == (Allocation(bill_id=january.id, amount=Money(5_000)),)
        assert again.record_refund_result("R1", True, later + timedelta(hours=1))
        uow.commit()
    with backend.uow(tenant_id) as uow:
        final = uow.payments.get(payment.id)
        refund = final.refund_by_no("R1")
        assert refund is not None
        assert (refund.status, refund.finished_at) == (
            RefundStatus.SUCCEEDED,
            later + timedelta(hours=1),
        )
        assert final.status is PaymentStatus.PARTIALLY_REFUNDED
        assert [r.out_refund_no for r in final.refunds] == [f"{payment.out_trade_no}S02", "R1"]
        with pytest.raises(NotFound) as missing:
            uow.payments.get(new_id())
    assert missing.value.code == "payment.not_found"


def test_payments_are_found_by_their_numbers(backend: Backend, tenant_id: UUID) -> None:
    estate = an_estate(backend.uow(tenant_id), homes=1)
    topup = an_offline_topup(estate.homes[0], "SJ-0001", new_id(), 10_000)
    with backend.uow(tenant_id) as uow:
        uow.payments.add(topup)
        uow.commit()
    with backend.uow(tenant_id) as uow:
        found = uow.payments.find_by_receipt_no("SJ-0001")
        assert found is not None
        assert found.id == topup.id
        assert uow.payments.find_by_out_trade_no(topup.out_trade_no) is found
        assert uow.payments.find_by_receipt_no("SJ-0002") is None
        assert uow.payments.find_by_out_trade_no("260315XXXX", lock=True) is None


@pytest.mark.parametrize("clash", ["out_trade_no", "receipt_no"])
def test_a_second_payment_with_a_taken_number_is_refused(
    backend: Backend, tenant_id: UUID, clash: str
) -> None:
    estate = an_estate(backend.uow(tenant_id), homes=1)
    first = an_offline_topup(estate.homes[0], "SJ-0001", new_id(), 10_000)
    second = an_offline_topup(estate.homes[0], "SJ-0002", new_id(), 10_000)
    setattr(second, clash, getattr(first, clash))
    with backend.uow(tenant_id) as uow:
        uow.payments.add(first)
        uow.commit()
    with backend.uow(tenant_id) as uow:
        uow.payments.add(second)
        with pytest.raises(Conflict) as raised:
            uow.commit()
    assert raised.value.code == "payments.duplicate"


def test_a_refund_number_is_unique_across_the_payments_of_a_tenant(
    backend: Backend, tenant_id: UUID
) -> None:
    estate = an_estate(backend.uow(tenant_id), homes=1)
    payments = [an_offline_topup(estate.homes[0], f"SJ-{i}", new_id(), 10_000) for i in (1, 2)]
    for payment in payments:
        payment.settle(payment.amount, None, None, AT)
    payments[0].request_refund("R-SAME", Money(1_000), "多收", new_id(), AT)
    with backend.uow(tenant_id) as uow:
        for payment in payments:
            uow.payments.add(payment)
        uow.commit()
    with backend.uow(tenant_id) as uow:
        uow.payments.get(payments[1].id).request_refund(
            "R-SAME", Money(1_000), "多收", new_id(), AT
        )
        with pytest.raises(Conflict) as raised:
            uow.commit()
    assert raised.value.code == "payment.refund_no_reused"


def test_the_workers_queries_find_pending_payments_and_waiting_refunds_oldest_first(
    backend: Backend, tenant_id: UUID
) -> None:
    estate = an_estate(backend.uow(tenant_id), homes=1)
    home = estate.homes[0]
    bills = [a_bill(estate.item, home, month) for month in range(1, 6)]
    made = [
        a_bill_payment(home, [bill], at=AT + timedelta(minutes=i)) for i, bill in enumerate(bills)
    ]
    settled, closed = made[3], made[4]
    settled.settle(settled.amount, WECHAT, "4200000009", AT + timedelta(minutes=5))
    closed.close(CloseReason.PAYER, AT + timedelta(minutes=5))
    refunded = [an_offline_topup(home, f"SJ-{i}", new_id(), 10_000) for i in range(3)]
    for i, payment in enumerate(refunded):
        payment.settle(payment.amount, None, None, AT)
        payment.request_refund(f"R{i}", Money(1_000), "多收", new_id(), AT + timedelta(hours=2 - i))
    refunded[2].record_refund_result("R2", True, AT + timedelta(hours=3))
    with backend.uow(tenant_id) as uow:
        for bill in bills:
            uow.bills.add(bill)
        for payment in made + refunded:
            uow.payments.add(payment)
        uow.commit()
    with backend.uow(tenant_id) as uow:
        expired = [p.id for p in uow.payments.expired_pending(AT + timedelta(minutes=16), 10)]
        unanswered = [
            p.id for p in uow.payments.pending_created_before(AT + timedelta(minutes=2), 10)
        ]
        first_two = [p.id for p in uow.payments.pending_created_before(AT + timedelta(days=1), 2)]
        waiting = [p.id for p in uow.payments.refunds_requested_before(AT + timedelta(hours=5), 10)]
        one = [p.id for p in uow.payments.refunds_requested_before(AT + timedelta(hours=5), 1)]
        none = uow.payments.refunds_requested_before(AT + timedelta(hours=1), 10)
    assert expired == [made[0].id, made[1].id]
    assert unanswered == [made[0].id, made[1].id]
    assert first_two == [made[0].id, made[1].id]
    assert waiting == [refunded[1].id, refunded[0].id]
    assert one == [refunded[1].id]
    assert none == []


def test_a_homes_payments_page_newest_first(backend: Backend, tenant_id: UUID) -> None:
    estate = an_estate(backend.uow(tenant_id), homes=2)
    home, other = estate.homes
    bills = [a_bill(estate.item, home, month) for month in range(1, 6)]
    made = [
        a_bill_payment(home, [bill], at=AT + timedelta(minutes=i)) for i, bill in enumerate(bills)
    ]
    with backend.uow(tenant_id) as uow:
        for bill in bills:
            uow.bills.add(bill)
        for payment in made:
            uow.payments.add(payment)
        uow.payments.add(an_offline_topup(other, "SJ-1", new_id(), 100))
        uow.commit()
    seen: list[UUID] = []
    cursor: str | None = None
    with backend.uow(tenant_id) as uow:
        while True:
            page = uow.payments.for_property(home.id, PageRequest(limit=2, after=cursor))
            seen += [p.id for p in page.items]
            cursor = page.next_cursor
            if cursor is None:
                break
    assert seen == [p.id for p in reversed(made)]


def test_payment_events_reach_the_outbox(backend: Backend, tenant_id: UUID) -> None:
    estate = an_estate(backend.uow(tenant_id), homes=1)
    topup = an_offline_topup(estate.homes[0], "SJ-1", new_id(), 100)
    with backend.uow(tenant_id) as uow:
        uow.payments.add(topup)
        uow.commit()
    with backend.uow(tenant_id) as uow:
        payment = uow.payments.find_by_out_trade_no(topup.out_trade_no, lock=True)
        assert payment is not None
        payment.settle(payment.amount, None, None, AT)
        uow.commit()
    names = [m.event_name for m in backend.outbox() if m.event_name.startswith("Payment")]
    assert names == ["PaymentCreated", "PaymentSettled"]
