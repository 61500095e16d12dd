"""Settlement 支付结果处理: idempotent, checked against our amount and merchant, loses nothing."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import pytest
from billing_world import World
from payment_world import STRANGER, WECHAT, Home, home_with_bills

from adapters.persistence.memory import InMemoryStore, InMemoryUnitOfWork
from estate_core.billing import services
from estate_core.billing.model import BillStatus
from estate_core.identity.model import SurplusPolicy
from estate_core.payments.numbers import surplus_refund_no
from estate_core.payments.refund import RefundStatus
from estate_core.payments.services import checkout, settlement
from estate_core.payments.values import PaymentStatus, SettlementOutcome
from estate_core.shared.clock import FixedClock
from estate_core.shared.money import Money
from world_builders import code_of


@pytest.fixture
def home(world: World) -> Home:
    return home_with_bills(world)


def _bill_states(home: Home) -> list[tuple[BillStatus, UUID | None]]:
    with home.uow:
        bills = [home.uow.bills.get(bill_id) for bill_id in home.bill_ids]
        return [(bill.status, bill.paid_by_payment_id) for bill in bills]


def _events(store: InMemoryStore, name: str) -> list[dict[str, object]]:
    return [m.payload for m in store.outbox if m.event_name == name]


def test_settlement_marks_every_bill_paid_by_the_payment(home: Home) -> None:
    payment = home.pay()
    result = home.notify(payment)
    assert result.outcome is SettlementOutcome.SETTLED
    assert result.status is PaymentStatus.SUCCEEDED
    assert _bill_states(home) == [(BillStatus.PAID, payment.id)] * 2


def test_second_settlement_is_a_no_op_reporting_already_settled(
    home: Home, store: InMemoryStore
) -> None:
    payment = home.pay()
    home.notify(payment)
    outbox = len(store.outbox)
    again = home.notify(payment)
    assert again.already_settled
    assert again.outcome is SettlementOutcome.ALREADY_SETTLED
    assert len(store.outbox) == outbox
    assert _bill_states(home) == [(BillStatus.PAID, payment.id)] * 2


def test_amount_mismatch_never_marks_anything_paid(home: Home, store: InMemoryStore) -> None:
    payment = home.pay()
    assert code_of(lambda: home.notify(payment, amount=Money(1))) == "payment.amount_mismatch"
    assert _bill_states(home) == [(BillStatus.UNPAID, None)] * 2
    assert checkout.get_payment(home.uow, home.owner, payment.id).status is (PaymentStatus.PENDING)
    [alert] = _events(store, "PaymentMismatchDetected")
    assert alert["kind"] == "payment.amount_mismatch"
    assert alert["received"] == "1"


def test_merchant_mismatch_never_marks_anything_paid(home: Home, store: InMemoryStore) -> None:
    payment = home.pay()
    assert code_of(lambda: home.notify(payment, merchant=STRANGER)) == "payment.merchant_mismatch"
    assert _bill_states(home) == [(BillStatus.UNPAID, None)] * 2
    assert [a["kind"] for a in _events(store, "PaymentMismatchDetected")] == [
        "payment.merchant_mismatch"
    ]


def test_a_mismatching_copy_of_a_settled_payment_is_still_refused(home: Home) -> None:
    payment = home.pay()
    home.notify(payment)
    assert code_of(lambda: home.notify(payment, amount=Money(1))) == "payment.amount_mismatch"


def test_a_second_transaction_for_a_settled_payment_is_refused(home: Home) -> None:
    payment = home.pay()
    home.notify(payment, transaction_id="4200000001")
    assert (
        code_of(lambda: home.notify(payment, transaction_id="4200000002"))
        == "payment.transaction_mismatch"
    )


def test_an_unknown_order_number_is_not_found(home: Home) -> None:
    cmd = settlement.SettlePayment(
        out_trade_no="260315ZZZZ", paid_amount=Money(1), merchant=STRANGER, transaction_id="1"
    )
    call = lambda: settlement.settle_payment(home.uow, home.world.clock, cmd)  # noqa: E731
    assert code_of(call) == "payment.not_found"
    bad = settlement.SettlePayment(
        out_trade_no="../etc", paid_amount=Money(1), merchant=STRANGER, transaction_id="1"
    )
    assert (
        code_of(lambda: settlement.settle_payment(home.uow, home.world.clock, bad))
        == "payment.not_found"
    )


def test_a_payment_closed_locally_that_succeeds_later_is_still_settled(home: Home) -> None:
    payment = home.pay()
    checkout.close_payment(home.uow, home.world.clock, home.owner, payment.id)
    result = home.notify(payment)
    assert result.outcome is SettlementOutcome.SETTLED
    assert result.status is PaymentStatus.SUCCEEDED
    assert _bill_states(home) == [(BillStatus.PAID, payment.id)] * 2


def test_bill_paid_by_another_payment_is_refunded_as_surplus(
    home: Home, store: InMemoryStore
) -> None:
    first = home.pay([home.bill_ids[0]])
    second = home.pay()
    home.notify(first)
    result = home.notify(second, transaction_id="4200000002")
    assert result.outcome is SettlementOutcome.SETTLED
    [case] = result.surplus
    assert case.bill_id == home.bill_ids[0]
    assert case.resolution is SurplusPolicy.REFUND
    assert case.cause == "bill_already_paid"
    assert case.out_refund_no == surplus_refund_no(second.out_trade_no, 1)
    assert _bill_states(home) == [(BillStatus.PAID, first.id), (BillStatus.PAID, second.id)]
    with home.uow:
        [refund] = home.uow.payments.get(second.id).refunds
    assert refund.status is RefundStatus.REQUESTED
    assert refund.amount == case.amount
    assert [e["out_refund_no"] for e in _events(store, "RefundRequested")] == [case.out_refund_no]
    assert len(_events(store, "PaymentSurplusRecorded")) == 1


def test_surplus_is_credited_to_prepayment_when_the_tenant_says_so(world: World) -> None:
    home = home_with_bills(world, policy=SurplusPolicy.PREPAYMENT)
    first, second = home.pay([home.bill_ids[1]]), home.pay()
    home.notify(first)
    result = home.notify(second, transaction_id="4200000002")
    [case] = result.surplus
    assert case.resolution is SurplusPolicy.PREPAYMENT
    assert case.out_refund_no is None
    assert home.balance() == case.amount
    with home.uow:
        assert home.uow.payments.get(second.id).refunds == []


def test_a_bill_voided_before_the_money_came_is_surplus_too(world: World, home: Home) -> None:
    payment = home.pay()
    void = services.VoidBill(bill_id=home.bill_ids[0], reason="出账错误")
    services.void_bill(world.uow, world.clock, world.admin, void)
    [case] = home.notify(payment).surplus
    assert case.cause == "bill_void"
    assert _bill_states(home)[1] == (BillStatus.PAID, payment.id)


class RacingUnitOfWork(InMemoryUnitOfWork):
    """Runs ``race`` just before its first commit: another copy of the notification wins."""

    race: object = None

    def commit(self) -> None:
        race, self.race = self.race, None
        if callable(race):
            race()
        super().commit()


def test_copies_of_a_notification_arriving_at_once_settle_once(
    home: Home, store: InMemoryStore, clock: FixedClock
) -> None:
    payment = home.pay()
    racing = RacingUnitOfWork(store, home.uow.tenant_id, clock)
    racing.race = lambda: home.notify(payment)
    cmd = settlement.SettlePayment(
        out_trade_no=payment.out_trade_no,
        paid_amount=payment.amount,
        merchant=WECHAT,
        transaction_id="4200000001202603150001",
    )
    result = settlement.settle_payment(racing, clock, cmd)
    assert result.already_settled
    assert len(_events(store, "PaymentSettled")) == 1
    assert len(_events(store, "BillPaid")) == 2


def test_settlement_after_expiry_still_settles(home: Home, clock: FixedClock) -> None:
    payment = home.pay()
    clock.advance(timedelta(hours=2))
    assert home.notify(payment).outcome is SettlementOutcome.SETTLED
